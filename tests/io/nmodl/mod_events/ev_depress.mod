COMMENT
excitable's test of a NET_RECEIVE that multiplies its weight at each event (issue 18): short-term
depression in its simplest published form, each NetCon's weight scaled by fdep per spike (NEURON
keeps it in the NetCon: NetCon.weight[0] reads it after the run). Each spike also sends a
self-event that releases frac of the weight again late ms after: it reads the sending NetCon's
weight as it is when it arrives (NEURON's self-event points at its NetCon's weights), after this
spike's depression and any later spike's of the same connection.
ENDCOMMENT

NEURON {
    POINT_PROCESS ev_depress
    RANGE tau, e, i, g, fdep, late, frac
    NONSPECIFIC_CURRENT i
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}
PARAMETER {
    tau = 3 (ms)
    e = 0 (mV)
    fdep = 0.6
    late = 0.7 (ms)
    frac = 0.5
}
ASSIGNED {
    v (mV)
    i (nA)
}
STATE { g (uS) }
INITIAL { g = 0 }
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
NET_RECEIVE(weight (uS)) {
    if (flag == 0) {
        g = g + weight
        weight = weight*fdep
        net_send(late, 1)
    } else {
        g = g + frac*weight
    }
}
