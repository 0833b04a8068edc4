TITLE A synapse whose gain is a FROM loop bounded by a PARAMETER (excitable's test file)

COMMENT
An ExpSyn whose conductance is scaled by the harmonic sum 1 + 1/2 + ... + 1/n, n a PARAMETER that
no block assigns: the loop's bound is one number per run, as in the density form nm_fromparam.mod.
ENDCOMMENT

NEURON {
    POINT_PROCESS pt_fromparam
    RANGE tau, e, i, n
    NONSPECIFIC_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau = 2 (ms)
    e = 0 (mV)
    n = 3
}

ASSIGNED {
    v (mV)
    i (nA)
}

STATE { g (uS) }

INITIAL { g = 0 }

BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g * gain(n) * (v - e)
}

DERIVATIVE state {
    g' = -g / tau
}

NET_RECEIVE(weight (uS)) {
    g = g + weight
}

FUNCTION gain(k) {
    gain = 0
    FROM j = 1 TO k {
        gain = gain + 1 / j
    }
}
