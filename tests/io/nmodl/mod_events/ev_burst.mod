COMMENT
excitable's test of an artificial cell that calls net_event several times in one time step: from
start (ms), a burst of nburst net_events gap ms apart (each a self-event net_send(gap, 1) of the
one before), bursts interval ms apart. With gap < dt, two or more net_events fall in one fixed step;
NEURON puts each on every NetCon of the cell, delivered at its own time + the NetCon's delay.
Events from NetCons (flag 0) are ignored.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL ev_burst
    RANGE start, interval, gap, nburst, nsent
}
PARAMETER {
    start = 1 (ms)
    interval = 2 (ms)
    gap = 0.01 (ms)
    nburst = 2
}
ASSIGNED {
    k
    nsent
}
INITIAL {
    k = 0
    nsent = 0
    net_send(start, 1)
}
NET_RECEIVE (w) {
    if (flag == 1) {
        net_event(t)
        nsent = nsent + 1
        k = k + 1
        if (k < nburst) {
            net_send(gap, 1)
        } else {
            k = 0
            net_send(interval, 1)
        }
    }
}
