COMMENT
excitable's test of events that carry no weight (issue 18): NEURON delivers a NetCon's event of
weight 0 as any other (NET_RECEIVE runs, flag 0, weight 0). This synapse counts every event (nev)
and keeps the time of the last one (tlast); an event of weight 0 is a postsynaptic spike in the
style of published STDP files (its time in tpost, counted in npost), any other opens the
conductance by its weight.
ENDCOMMENT

NEURON {
    POINT_PROCESS ev_count
    RANGE tau, e, i, g, nev, tlast, tpost, npost
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
}
ASSIGNED {
    v (mV)
    i (nA)
    nev
    tlast (ms)
    tpost (ms)
    npost
}
STATE { g (uS) }
INITIAL {
    g = 0
    nev = 0
    tlast = -1e9
    tpost = -1e9
    npost = 0
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
NET_RECEIVE(weight (uS)) {
    nev = nev + 1
    tlast = t
    if (weight == 0) {
        tpost = t
        npost = npost + 1
    } else {
        g = g + weight
    }
}
