COMMENT
Test mechanism (issue 18): RANGE values that BREAKPOINT computes, one from a state (g, as hh.mod's
gna) and one from v (drive), recordable as NEURON records them (`seg.nm_bpvalues._ref_g`); a GLOBAL
one (shared, not recorded per compartment) and a leak-like current with a slow gate.
ENDCOMMENT

NEURON {
    SUFFIX nm_bpvalues
    NONSPECIFIC_CURRENT i
    RANGE gbar, e, g, drive
}

UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }

PARAMETER {
    gbar = 0.002 (S/cm2)
    e = -70 (mV)
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
    g (S/cm2)
    drive (mV)
}

STATE { q }

INITIAL { q = 1 / (1 + exp(-(v + 50) / 8)) }

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar * q
    drive = v - e
    i = g * drive
}

DERIVATIVE states { q' = (1 / (1 + exp(-(v + 50) / 8)) - q) / 4 }
