: nm_kca.mod under a name that sorts before nm_cadecay.mod (excitable's test file): nrnivmodl registers
: it first, yet NEURON runs the pool's SOLVE before it (a concentration writer comes right after the ions).
TITLE A K current gated by cai (excitable's test file): its SOLVE reads the pool's cai

NEURON {
    SUFFIX nm_akca
    USEION ca READ cai
    USEION k READ ek WRITE ik
    RANGE gbar, kd, tau
}

UNITS {
    (mM) = (milli/liter)
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    gbar = 0.002 (S/cm2)
    kd = 2e-4 (mM)
    tau = 1 (ms)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    cai (mM)
}

STATE { q }

INITIAL { q = cai/(cai + kd) }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*q*(v - ek)
}

DERIVATIVE states { q' = (cai/(cai + kd) - q)/tau }
