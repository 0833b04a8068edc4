COMMENT
Test mechanism (issue 18): nm_instant.mod's inactivating Ca-like current on the ion nca (VALENCE 2),
reading the enca that nm_ccanl.mod writes.
ENDCOMMENT

NEURON {
    SUFFIX nm_ncachan
    USEION nca READ enca WRITE inca VALENCE 2
    RANGE gbar
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { gbar = 0.002 (S/cm2) }
ASSIGNED { v (mV) enca (mV) inca (mA/cm2) minf hinf htau (ms) }
STATE { h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    inca = gbar*minf*minf*h*(v - enca)
}
INITIAL { rates(v) h = hinf }
DERIVATIVE states {
    rates(v)
    h' = (hinf - h)/htau
}
PROCEDURE rates(v (mV)) {
    minf = 1/(1 + exp(-(v + 50)/7.4))
    hinf = 1/(1 + exp((v + 78)/5))
    htau = 20 + 50/(1 + exp((v + 60)/10))
}
