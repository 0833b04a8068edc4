COMMENT
The largest V and its time, in an AFTER SOLVE block (Ted Carnevale's monx.mod pattern, ModelDB
djurisic2008): excitable refuses the block; NEURON runs it here beside nm_aftersolve_proc.mod, the
rewrite the refusal message gives (tests/io/nmodl/test_refusals.py).
ENDCOMMENT
NEURON {
    SUFFIX nm_aftersolve
    RANGE vmax, tvmax
}
ASSIGNED { v (mV) vmax (mV) tvmax (ms) }
INITIAL {
    vmax = v
    tvmax = 0
}
AFTER SOLVE {
    if (v > vmax) {
        vmax = v
        tvmax = t
    }
}
