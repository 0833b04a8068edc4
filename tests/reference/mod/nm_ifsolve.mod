COMMENT
Test mechanism (issue 18): a calcium pool whose SOLVE sits inside an if/else of BREAKPOINT, the form
of ModelDB 182134's capr.mod (a "rcadecay" pool: `if (cai < 0) { cai = 0 } else { SOLVE ... }`).
nocmodl moves the SOLVE into nrn_state, run at every step whatever the condition, and, the file
writing no current, runs the if/else (the SOLVE taken out) in nrn_state after it. Ca2+ enters a
shell of depth `depth` by the compartment's total ica and leaves with time constant `taur` toward
`cainf`; a Ca current beside it (the wheel's cachan1.mod) feeds it. Units: mA/cm2 -> mM/ms is
1e4 / (2 F depth(um)). The guard keeps cai at or above camin (0, capr's, by default: it never
acts there), by NEURON's order: the SOLVE, then the if/else in nrn_state.
ENDCOMMENT

NEURON {
    SUFFIX nm_ifsolve
    USEION ca READ ica WRITE cai
    RANGE taur, depth, cainf
}

UNITS {
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulombs)
}

PARAMETER {
    taur = 20 (ms)
    depth = 0.1 (um)
    cainf = 1e-4 (mM)
    camin = 0 (mM)  : GLOBAL: 0 as in capr.mod; a test raises it above cainf so the guard acts
}

ASSIGNED { ica (mA/cm2) }

STATE { cai (mM) }

INITIAL { cai = cainf }

BREAKPOINT {
    if (cai < camin) {
        cai = camin
    } else {
        SOLVE state METHOD cnexp
    }
}

DERIVATIVE state {
    cai' = -(10000) * ica / (2 * FARADAY * depth) - (cai - cainf) / taur
}
