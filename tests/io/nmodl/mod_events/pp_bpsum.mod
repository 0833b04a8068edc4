COMMENT
Test point process (issue 18): a conductance g (µS) set in BREAKPOINT from a STATE and recorded,
the form of exp2syn.mod's `g = B - A`; INITIAL sets g to another value (7). NEURON's finitialize
runs nrn_cur after INITIAL, so g at t = 0 is BREAKPOINT's (0.002*a = 6e-4 µS), as for a density
mechanism's STATE sums (nm_bpsum.mod; a point process assigning its STATE in BREAKPOINT is refused).
ENDCOMMENT

NEURON {
    POINT_PROCESS pp_bpsum
    NONSPECIFIC_CURRENT i
    RANGE g, e, tau
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau = 5 (ms)
    e = 0 (mV)
}

ASSIGNED { v (mV) i (nA) g (uS) }

STATE { a }

INITIAL {
    a = 0.3
    g = 7
}

BREAKPOINT {
    SOLVE s METHOD cnexp
    g = 0.002 * a
    i = g * (v - e)
}

DERIVATIVE s { a' = -a / tau }
