: org.neuroml.export's gate form (OSB MiglioreEtAl14 kamt.mod): rates() computes tau from alpha BEFORE it
: sets alpha, so each call reads the previous call's alpha, kept in the instance (INITIAL calls rates()
: twice for that reason); the DERIVATIVE, solved by cnexp, calls rates() once a step
: (tests/io/nmodl/test_previous_call.py).
NEURON {
    SUFFIX nm_prevcall
    USEION k READ ek WRITE ik
    RANGE gmax, alpha
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gmax = 0.001 (S/cm2) }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) qinf tau (ms) alpha (/ms) }
STATE { q }
INITIAL {
    rates()
    rates()
    q = qinf
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gmax*q*(v - ek)
}
DERIVATIVE states {
    rates()
    q' = (qinf - q)/tau
}
PROCEDURE rates() {
    tau = 1 + 10*alpha
    alpha = 0.25*exp((v + 65)/20)
    qinf = 1/(1 + exp(-(v + 40)/10))
}
