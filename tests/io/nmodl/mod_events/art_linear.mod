: excitable NMODL test (issue 18): LINEAR and NONLINEAR blocks in an ARTIFICIAL_CELL, which NEURON
: compiles. NEURON solves them where INITIAL says so; it never calls an ARTIFICIAL_CELL's nrn_cur
: or nrn_state (checked with NEURON 9.0.2), so the BREAKPOINT's SOLVEs here never run (excitable
: does the same). An integrate-and-fire cell: m starts at k/(1 + k) (LINEAR split, with `~+`),
: decays with tau r, r the cube root of 1 + h (NONLINEAR root), and an input adds w; at m > 1 it
: fires (net_event) and m restarts at 0.
NEURON {
    ARTIFICIAL_CELL art_linear
    RANGE tau, k
}
PARAMETER {
    tau = 4 (ms)
    k = 0.25
}
ASSIGNED { t0 (ms) }
STATE { m h r }
INITIAL {
    SOLVE split
    r = 1
    SOLVE root
    t0 = t
}
BREAKPOINT {
    SOLVE split
    SOLVE root
}
LINEAR split {
    ~ m + 0.5*h = 0.5
    ~+ 0.5*h = 0.5
    ~ m = k*h
}
NONLINEAR root SOLVEFOR r {
    ~ r*r*r = 1 + h
}
NET_RECEIVE(w) {
    m = m*exp(-(t - t0)/(tau*r)) + w
    t0 = t
    if (m > 1) {
        net_event(t)
        m = 0
    }
}
