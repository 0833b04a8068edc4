: A gap junction half that reads t but takes no events, in the form of ModelDB 114047 gap.mod
: (`if (t > del) { i = (v - vgap)/r }`, a POINTER vgap to the partner's V; 3343 gabab.mod reads
: its POINTER and t the same way): here the conductance rises with t over trise after del, and a STATE vf
: follows the partner's V through the SOLVE (NEURON's nrn_state reads the POINTER after the V
: update). Exercises a POINTER in a point process on the event path only because of t
: (tests/io/nmodl/test_published_refusals.py).
NEURON {
    POINT_PROCESS pt_gapramp
    NONSPECIFIC_CURRENT i
    RANGE del, trise, gmax, i, g
    POINTER vgap
}
PARAMETER {
    del = 2 (ms)
    trise = 10 (ms)
    gmax = 0.1 (microsiemens)
    tau = 3 (ms)
}
ASSIGNED { v (millivolt) vgap (millivolt) i (nanoamp) g (microsiemens) }
STATE { vf (millivolt) }
INITIAL { vf = vgap }
BREAKPOINT {
    SOLVE follow METHOD cnexp
    if (t > del) {
        g = gmax*(t - del)/trise
        if (g > gmax) { g = gmax }
    } else {
        g = 0
    }
    i = g*(v - vgap)
}
DERIVATIVE follow { vf' = (vgap - vf)/tau }
