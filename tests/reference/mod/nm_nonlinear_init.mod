: excitable NMODL test: a NONLINEAR block SOLVE'd in INITIAL (METHOD newton), NEURON's finitialize
: solving it by Newton's method from the states' values (0 unless set): a dimerizing gate, x' =
: a(v) (1 - x) - b x^2, started at its steady state a (1 - x) = b x^2 (a quadratic, positive root),
: then advanced by derivimplicit; a K channel opens with x^2.
NEURON {
    SUFFIX nm_nonlinear_init
    USEION k READ ek WRITE ik
    RANGE gbar
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER {
    gbar = 0.01 (S/cm2)
    a0 = 0.2 (/ms)
    b0 = 0.3 (/ms)
}
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) a (/ms) b (/ms) }
STATE { x }
INITIAL {
    x = 0.5
    SOLVE steady METHOD newton
}
BREAKPOINT {
    SOLVE gate METHOD derivimplicit
    ik = gbar*x*x*(v - ek)
}
NONLINEAR steady {
    rates(v)
    ~ a*(1 - x) = b*x*x
}
DERIVATIVE gate {
    rates(v)
    x' = a*(1 - x) - b*x*x
}
PROCEDURE rates(v (mV)) {
    a = a0*exp((v + 50)/15)
    b = b0*exp(-(v + 50)/30)
}
