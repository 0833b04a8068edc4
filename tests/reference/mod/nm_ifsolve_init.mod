COMMENT
Test mechanism (issue 18): SOLVEs inside ifs in INITIAL and BREAKPOINT, with a KINETIC scheme, the
form of ModelDB 182134's capr.mod (`if (cai < 0) { cai = 0 } else { SOLVE ... }`) carried into
INITIAL. nocmodl (NEURON 9.0.2) keeps INITIAL's `SOLVE ... STEADYSTATE sparse` where it stands,
under its condition (`ss > 0`: the scheme's steady state at v_init; else O starts at o0), and runs
BREAKPOINT's SOLVE in nrn_state at every step. A two-state channel C <-> O with voltage-dependent
rates carries a current g*O*(v - e).
ENDCOMMENT

NEURON {
    SUFFIX nm_ifsolve_init
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
    ss = 1  : GLOBAL: 1 starts at the steady state, 0 at o0 (a test sets it)
    o0 = 0.4
}

ASSIGNED { v (mV) i (mA/cm2) a (/ms) b (/ms) }

STATE { C O }

INITIAL {
    O = o0
    C = 1 - o0
    if (ss > 0) {
        SOLVE kin STEADYSTATE sparse
    }
}

BREAKPOINT {
    if (O < 0) {
        O = 0
    } else {
        SOLVE kin METHOD sparse
    }
    i = g * O * (v - e)
}

KINETIC kin {
    a = 0.2 * exp((v + 40) / 10)
    b = 0.2 * exp(-(v + 40) / 10)
    ~ C <-> O (a, b)
    CONSERVE C + O = 1
}
