TITLE A K current gated by cai whose INITIAL reads cai and eca (excitable's test file)

COMMENT
Its file sorts before nm_cainit.mod, so nrnivmodl registers it first; NEURON still runs the pool's
INITIAL first (a concentration writer comes right after the ions), so q starts from the pool's
cai = 1e-4 mM and from the eca NEURON recomputes from it right after that INITIAL.
ENDCOMMENT

NEURON {
    SUFFIX nm_cagate
    USEION ca READ cai, eca
    USEION k READ ek WRITE ik
    RANGE gbar, kd, tau
}

UNITS {
    (mM) = (milli/liter)
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    gbar = 0.003 (S/cm2)
    kd = 2e-4 (mM)
    tau = 15 (ms)
}

ASSIGNED { v (mV) cai (mM) eca (mV) ek (mV) ik (mA/cm2) }

STATE { q }

INITIAL { q = cai/(cai + kd) * exp((eca - 130)/20) }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*q*(v - ek)
}

DERIVATIVE states { q' = (cai/(cai + kd) - q)/tau }
