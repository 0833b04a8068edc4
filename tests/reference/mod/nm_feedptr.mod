COMMENT
Test mechanism: rates BREAKPOINT computes from a POINTER (the V of another compartment, set in NEURON
by h.setpointer) after its SOLVE, which the DERIVATIVE block reads and does not set: NEURON's
nrn_state sees sinf and tau as nrn_cur left them, from the other V at the step's START, not the one
after the step's update (nm_vpointer.mod's gate with rates(vpre) moved from the DERIVATIVE to
BREAKPOINT).
ENDCOMMENT

NEURON {
    SUFFIX nm_feedptr
    NONSPECIFIC_CURRENT i
    RANGE g, e
    POINTER vpre
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    g = 0.002 (S/cm2)
    e = 0 (mV)
}

ASSIGNED { v (mV) vpre (mV) i (mA/cm2) sinf tau (ms) }

STATE { s }

INITIAL {
    rates(vpre)
    s = sinf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    rates(vpre)
    i = g * s * (v - e)
}

DERIVATIVE states {
    s' = (sinf - s) / tau
}

PROCEDURE rates(u (mV)) {
    sinf = 1 / (1 + exp(-(u + 40) / 5))
    tau = 1 + 2 * exp(-(u + 60) * (u + 60) / 400)
}
