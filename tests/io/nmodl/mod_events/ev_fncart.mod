COMMENT
excitable's test of FOR_NETCONS in an ARTIFICIAL_CELL's NET_RECEIVE: an integrate-and-fire cell
(IntFire1-like: m decays with tau between events, analytically) whose inputs each carry an extra
weight A (weight[1]), their last spike time tpre (weight[2]) and a count k (weight[3]). An input
adds w + A to m; when m passes 1 the cell spikes at once (net_event) and, in the same NET_RECEIVE,
loops FOR_NETCONS over every NetCon onto it: each gains in A (and a tenth of it in its weight) an
amount decaying with the time since its own tpre (STDP-like potentiation), and counts the cell's
spikes in k; after the loop the input that made it fire gains 100 in its own k (read through
NET_RECEIVE's argument: the loop's write into the event's own NetCon must be seen there). The spike
starts a refractory period (inputs ignored but their tpre kept) that a self-event (flag 1) ends,
whose NET_RECEIVE loops again, scaling every NetCon's A by 0.75 and adding 1000 to k; then its own k
gains 10 (a self-event's own NetCon is the sender's: the one whose event made the cell fire).
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL ev_fncart
    RANGE tau, refrac, aplus, tauplus, m, nspk
}
PARAMETER {
    tau = 5 (ms)
    refrac = 1.5 (ms)
    aplus = 0.2       : potentiation of A per pair at 0 ms
    tauplus = 4 (ms)
}
ASSIGNED {
    m
    t0 (ms)
    nspk
    refractory
}
INITIAL {
    m = 0
    t0 = 0
    nspk = 0
    refractory = 0
}
NET_RECEIVE(w, A, tpre (ms), k) {
    INITIAL { A = 0  tpre = -1e9  k = 0 }
    if (flag == 1) {
        refractory = 0
        m = 0
        t0 = t
        FOR_NETCONS(ww, AA, tp (ms), kk) {
            AA = 0.75*AA
            kk = kk + 1000
        }
        k = k + 10
    } else {
        tpre = t
        if (refractory == 0) {
            m = m*exp(-(t - t0)/tau) + w + A
            t0 = t
            if (m > 1) {
                nspk = nspk + 1
                net_event(t)
                FOR_NETCONS(ww, AA, tp (ms), kk) {
                    LOCAL dw
                    if (tp > -1e8) {
                        dw = aplus*exp(-(t - tp)/tauplus)
                        AA = AA + dw
                        ww = ww + 0.1*dw
                    }
                    kk = kk + nspk
                }
                k = k + 100
                refractory = 1
                net_send(refrac, 1)
            }
        }
    }
}
