: A synapse that releases with probability p at each event (written for excitable's tests): the
: NET_RECEIVE draws scop_random() and jumps only when it is below p, counting the releases.
NEURON {
    POINT_PROCESS pt_relsyn
    RANGE tau, e, i, p, released
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
    p = 0.3
}
ASSIGNED {
    v (mV)
    i (nA)
    released
}
STATE {
    g (uS)
}
INITIAL {
    g = 0
    released = 0
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state {
    g' = -g/tau
}
NET_RECEIVE(weight (uS)) {
    if (scop_random() < p) {
        g = g + weight
        released = released + 1
    }
}
