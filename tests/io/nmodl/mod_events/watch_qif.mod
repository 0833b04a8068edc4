COMMENT
excitable's test of WATCH with a reset (written for the purpose, in the form of Izhikevich's 2007
simple model as NEURON point processes write it, with his regular-spiking numbers): a quadratic
current k (v - vr)(v - vt) drives v up once it passes vt; the recovery current u follows
a (b (v - vr) - u), with b negative (-2 nS: a parameter in nS that is not a conductance).
WATCH (v > vpeak), armed at t = 0 by the INITIAL's self-event, comes back with flag 2 at the start
of the step after v passed vpeak, which sends a spike (net_event), resets v to c (NEURON writes v
back into the node at the end of NET_RECEIVE) and adds d to u.
ENDCOMMENT

NEURON {
    POINT_PROCESS watch_qif
    RANGE k, vr, vt, a, b, vpeak, c, d, count, tlast
    NONSPECIFIC_CURRENT i
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (nS) = (nanosiemens)
}
PARAMETER {
    k = 0.0007 (nA/mV2)
    vr = -60 (mV)
    vt = -40 (mV)
    a = 0.03 (/ms)
    b = -2 (nS)
    vpeak = 35 (mV)
    c = -50 (mV)
    d = 0.1 (nA)
}
ASSIGNED {
    v (mV)
    i (nA)
    count
    tlast (ms)
}
STATE { u (nA) }
INITIAL {
    u = 0
    count = 0
    tlast = -1
    net_send(0, 1)
}
BREAKPOINT {
    SOLVE recovery METHOD cnexp
    i = -k*(v - vr)*(v - vt) + u
}
DERIVATIVE recovery { u' = a*(0.001*b*(v - vr) - u) }
NET_RECEIVE (w) {
    if (flag == 1) {
        WATCH (v > vpeak) 2
    } else if (flag == 2) {
        count = count + 1
        tlast = t
        net_event(t)
        v = c
        u = u + d
    }
}
