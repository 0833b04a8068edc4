COMMENT
nm_aftersolve.mod's AFTER SOLVE block as a PROCEDURE its BREAKPOINT SOLVEs, which NEURON calls once
per step in nrn_state, at the step's end t and new V (tests/io/nmodl/test_refusals.py).
ENDCOMMENT
NEURON {
    SUFFIX nm_aftersolve_proc
    RANGE vmax, tvmax
}
ASSIGNED { v (mV) vmax (mV) tvmax (ms) }
INITIAL {
    vmax = v
    tvmax = 0
}
BREAKPOINT {
    SOLVE track
}
PROCEDURE track() {
    if (v > vmax) {
        vmax = v
        tvmax = t
    }
}
