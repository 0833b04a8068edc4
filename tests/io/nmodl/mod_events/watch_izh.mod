COMMENT
excitable's test of a point process in the form of Izhikevich's 2007 simple model as netpyne's
izhi2007b.mod writes it (written for the purpose; the thalamocortical cell's numbers are set by the
test): the recovery u is an ASSIGNED stepped in BREAKPOINT by the time since its last run
(delta = t - t0, so nrn_cur's second run adds nothing), the PARAMETER b is set in BREAKPOINT for
cell type 6 only (0 above -65 mV, 15 below) and read as given for the others, and the self-event
INITIAL sends at t = 0 arms the WATCHes and sets v = vr (NEURON delivers it in finitialize: the
first sample shows vr). WATCH (v > vpeak) resets v and u; for cell type 6, WATCHes at -65 mV also
set b, as the published file does.
ENDCOMMENT

NEURON {
    POINT_PROCESS watch_izh
    RANGE C, k, vr, vt, vpeak, a, b, c, d, Iin, celltype, u, delta, t0, nspk
    NONSPECIFIC_CURRENT i
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
}
PARAMETER {
    C = 1
    k = 0.7
    vr = -60 (mV)
    vt = -40 (mV)
    vpeak = 35 (mV)
    a = 0.03
    b = -2
    c = -50 (mV)
    d = 100
    Iin = 0
    celltype = 1
}
ASSIGNED {
    v (mV)
    i (nA)
    u
    delta (ms)
    t0 (ms)
    nspk
}
INITIAL {
    u = 0
    nspk = 0
    net_send(0, 1)
}
BREAKPOINT {
    delta = t - t0
    if (celltype == 6) {
        if (v > -65) {
            b = 0
        } else {
            b = 15
        }
    }
    u = u + delta*a*(b*(v - vr) - u)
    t0 = t
    i = -(k*(v - vr)*(v - vt) - u + Iin)/C/1000
}
NET_RECEIVE (w) {
    if (flag == 1) {
        WATCH (v > vpeak) 2
        if (celltype == 6) {
            WATCH (v > -65) 3
            WATCH (v < -65) 4
        }
        v = vr
    } else if (flag == 2) {
        net_event(t)
        nspk = nspk + 1
        v = c
        u = u + d
    } else if (flag == 3) {
        b = 0
    } else if (flag == 4) {
        b = 15
    }
}
