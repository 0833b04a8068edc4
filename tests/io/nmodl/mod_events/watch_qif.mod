COMMENT
excitable's test of WATCH with a reset (written for the purpose, in the style of the quadratic
integrate-and-fire and Izhikevich point processes of ModelDB): a quadratic current
i = -a (v - vr)(v - vt) drives v up once it passes vt; WATCH (v > vpeak), armed at t = 0 by the
INITIAL's self-event, comes back with flag 2 at the start of the step after v passed vpeak, which
sends a spike (net_event), resets v to vreset (NEURON writes v back into the node at the end of
NET_RECEIVE) and adds d to the adaptation current u, a STATE that decays between spikes.
ENDCOMMENT

NEURON {
    POINT_PROCESS watch_qif
    RANGE vpeak, vreset, a, vr, vt, d, tau_u, count, tlast
    NONSPECIFIC_CURRENT i
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
}
PARAMETER {
    vpeak = 0 (mV)
    vreset = -70 (mV)
    a = 0.001 (nA/mV2)
    vr = -65 (mV)
    vt = -50 (mV)
    d = 0.02 (nA)
    tau_u = 20 (ms)
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
    SOLVE adapt METHOD cnexp
    i = -a*(v - vr)*(v - vt) + u
}
DERIVATIVE adapt { u' = -u/tau_u }
NET_RECEIVE (w) {
    if (flag == 1) {
        WATCH (v > vpeak) 2
    } else if (flag == 2) {
        count = count + 1
        tlast = t
        net_event(t)
        v = vreset
        u = u + d
    }
}
