TITLE ASSIGNED variables that only hoc sets (excitable's test file)

COMMENT
ModelDB 82784's cadyn.mod reads CAF, an ASSIGNED RANGE variable no statement assigns: the model's
hoc sets it per section. NEURON starts every ASSIGNED at 0 and hoc may set it like a PARAMETER.
Here scale (RANGE) multiplies the conductance and slow (GLOBAL) lengthens n's time constant: with
neither set, a 1-ms K+ gate; set, a larger and slower current.
ENDCOMMENT

NEURON {
    SUFFIX nm_hocknob
    USEION k READ ek WRITE ik
    RANGE gbar, scale
    GLOBAL slow
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.01 (S/cm2)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    ninf
    scale (1)
    slow (ms)
}

STATE { n }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar * (1 + scale) * n * (v - ek)
}

INITIAL {
    ninf = 1 / (1 + exp(-(v + 40) / 10))
    n = ninf
}

DERIVATIVE states {
    ninf = 1 / (1 + exp(-(v + 40) / 10))
    n' = (ninf - n) / (1 + slow)
}
