COMMENT
A synapse with a delayed second jump and a refractory period (excitable's test of net_send, flag
and t against NEURON): an event accepted at time t raises g by w and sends itself an event that
raises g by frac*w delay ms later; events within refrac ms of the last accepted one are ignored.
ENDCOMMENT

NEURON {
    POINT_PROCESS ev_twostep
    RANGE tau, e, i, delay, frac, refrac, tlast
    NONSPECIFIC_CURRENT i
}
PARAMETER {
    tau = 2 (ms)
    e = 0 (mV)
    delay = 3.01 (ms)
    frac = 0.5
    refrac = 3.5 (ms)
}
ASSIGNED { v (mV) i (nA) tlast (ms) }
STATE { g (uS) }
INITIAL {
    g = 0
    tlast = -1e9
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state {
    g' = -g/tau
}
NET_RECEIVE (w (uS)) {
    if (flag == 0) {
        if (t - tlast >= refrac) {
            g = g + w
            tlast = t
            net_send(delay, 1)
        }
    } else {
        g = g + frac*w
    }
}
