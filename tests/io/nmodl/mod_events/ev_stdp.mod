COMMENT
excitable's test of a NET_RECEIVE that writes its weight (issue 18), in the style of the published
pair-based STDP synapses (Song, Miller & Abbott 2000's rule, nearest-neighbour pairs): an
exponential conductance whose NetCons each keep their own weight, changed at each of their spikes.
Postsynaptic spikes come as events of a NetCon of negative weight (the marker published files use
when the postsynaptic cell's spike is routed to the synapse by a NetCon of its own); they only
record their time. A presynaptic spike first applies, lazily, the potentiation for the
postsynaptic spike that followed its connection's previous spike (tpre, per NetCon: the
connection's weight[1]), then the depression for this spike following the latest postsynaptic one
(proportional to the weight: soft bound), caps the weight at wmax and opens the conductance by it.
NEURON keeps each new weight in the NetCon (NetCon.weight[0] reads it after the run).
ENDCOMMENT

NEURON {
    POINT_PROCESS ev_stdp
    RANGE tau, e, i, g, aplus, aminus, tauplus, tauminus, wmax, tpost, wlast
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
    aplus = 0.4          : potentiation per pair at 0 ms, a fraction of wmax
    aminus = 0.3         : depression per pair at 0 ms, a fraction of the weight
    tauplus = 16.8 (ms)
    tauminus = 33.7 (ms)
    wmax = 0.008 (uS)
}
ASSIGNED {
    v (mV)
    i (nA)
    tpost (ms)
    wlast (uS)
}
STATE { g (uS) }
INITIAL {
    g = 0
    tpost = -1e9
    wlast = 0
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
NET_RECEIVE(weight (uS), tpre (ms)) {
    INITIAL { tpre = -1e9 }
    if (weight >= 0) {
        if (tpost > tpre) {
            weight = weight + aplus*wmax*exp(-(tpost - tpre)/tauplus)
        }
        weight = weight - aminus*weight*exp(-(t - tpost)/tauminus)
        if (weight > wmax) {
            weight = wmax
        }
        g = g + weight
        tpre = t
        wlast = weight
    } else {
        tpost = t
    }
}
