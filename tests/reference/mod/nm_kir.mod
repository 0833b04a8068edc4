COMMENT
Test mechanism (issue 18): an inward-rectifier K current whose conductance grows with the outside
potassium, sqrt(ko / 5.4 mM), as Kir channels' does, and whose rectification follows ek. It reads
ek and ko (which another mechanism may write) and writes ik; one gate `r` relaxes toward its
steady state with time constant `tau` (cnexp).
ENDCOMMENT

NEURON {
    SUFFIX nm_kir
    USEION k READ ek, ko WRITE ik
    RANGE gbar, tau
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.001 (S/cm2)
    tau = 2 (ms)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ko (mM)
    ik (mA/cm2)
}

STATE { r }

INITIAL { r = rinf(v, ek) }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar * sqrt(ko / 5.4) * r * (v - ek)
}

DERIVATIVE states { r' = (rinf(v, ek) - r) / tau }

FUNCTION rinf(v (mV), ek (mV)) { rinf = 1 / (1 + exp((v - ek - 10) / 8)) }
