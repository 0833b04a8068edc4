COMMENT
excitable's test of FOR_NETCONS in NET_RECEIVE (NEURON's loop over every NetCon that targets this
instance, its arguments bound to each NetCon's weight vector): a pair-based STDP synapse in the
style of the published ones, whose potentiation is applied at the postsynaptic spike to every input
at once. Inputs have weight >= 0; postsynaptic spikes come as events of a NetCon of negative weight
(the marker published files use). At a postsynaptic spike each input NetCon gains, in its own
weight[0] and in its own extra conductance A (weight[1]), an amount decaying with the time since
its own last spike tpre (weight[2]); every NetCon, the marker and weight-0 ones included, counts
the postsynaptic spikes so far in k (weight[3]); after the loop the marker's own k gains 100 (its
weight vector is the one the loop just wrote: NEURON's arguments are the NetCon's memory) and it
sends a self-event whose NET_RECEIVE (flag 1) adds 1000 to every NetCon's k in a FOR_NETCONS of its own.
ENDCOMMENT

NEURON {
    POINT_PROCESS ev_fnc
    RANGE tau, e, i, g, aplus, tauplus, tpost, npost
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
    aplus = 0.002 (uS)   : potentiation per pair at 0 ms
    tauplus = 10 (ms)
}
ASSIGNED {
    v (mV)
    i (nA)
    tpost (ms)
    npost
}
STATE { g (uS) }
INITIAL {
    g = 0
    tpost = -1e9
    npost = 0
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
NET_RECEIVE(w (uS), A (uS), tpre (ms), k) {
    INITIAL { A = 0  tpre = -1e9  k = 0 }
    if (flag == 1) {
        FOR_NETCONS(ww (uS), AA (uS), tp (ms), kk) {
            kk = kk + 1000
        }
    } else if (w >= 0) {
        g = g + w + A
        tpre = t
    } else {
        tpost = t
        npost = npost + 1
        FOR_NETCONS(ww (uS), AA (uS), tp (ms), kk) {
            LOCAL dw
            if (ww >= 0 && tp > -1e8) {
                dw = aplus*exp(-(t - tp)/tauplus)
                AA = AA + dw
                ww = ww + 0.5*dw
            }
            kk = kk + npost
        }
        k = k + 100
        net_send(0.3, 1)
    }
}
