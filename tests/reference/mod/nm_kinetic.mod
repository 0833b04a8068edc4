: excitable NMODL test: a KINETIC scheme solved by `sparse` with a CONSERVE law, its INITIAL by
: `SOLVE ... STEADYSTATE sparse`, rates assigned inside the scheme, a RANGE assigned, USEION k.
NEURON {
    SUFFIX nm_kinetic
    USEION k READ ek WRITE ik
    RANGE gbar, a
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER {
    gbar = 0.02 (S/cm2)
    a0 = 0.2 (/ms)
    b0 = 0.1 (/ms)
    kinact = 0.05 (/ms)
    krec = 0.01 (/ms)
}
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) a (/ms) b (/ms) }
STATE { C O I }
BREAKPOINT {
    SOLVE scheme METHOD sparse
    ik = gbar*O*(v - ek)
}
INITIAL { SOLVE scheme STEADYSTATE sparse }
KINETIC scheme {
    a = a0*exp(v/20)
    b = b0*exp(-v/20)
    ~ C <-> O (a, b)
    ~ O <-> I (kinact, krec)
    CONSERVE C + O + I = 1
}
