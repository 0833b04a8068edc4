COMMENT
Test mechanism (issue 18): STATEs assigned in BREAKPOINT as sums of KINETIC states, beside the
current, the form of ModelDB 105385's na6_gp.mod (GP neuron Na channel: `ct = c1 + c2 + ...`).
NEURON's finitialize runs INITIAL and then nrn_cur (fcurrent) before it records t = 0, so the
sums' t = 0 values are BREAKPOINT's (here tot = 1, o2 = 2*o), not INITIAL's (tot never set: 0; o2 = 5).
ENDCOMMENT

NEURON {
    SUFFIX nm_bpsum
    NONSPECIFIC_CURRENT i
    RANGE g, e
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    g = 0.002 (S/cm2)
    e = -80 (mV)
}

ASSIGNED { v (mV) i (mA/cm2) alpha (/ms) beta (/ms) }

STATE { c o tot o2 }

INITIAL {
    SOLVE kin STEADYSTATE sparse
    o2 = 5
}

BREAKPOINT {
    SOLVE kin METHOD sparse
    i = g * o * (v - e)
    tot = c + o
    o2 = 2 * o
}

KINETIC kin {
    rates(v)
    ~ c <-> o (alpha, beta)
    CONSERVE c + o = 1
}

PROCEDURE rates(v (mV)) {
    alpha = 0.2 * exp((v + 40) / 10)
    beta = 0.2 * exp(-(v + 40) / 10)
}
