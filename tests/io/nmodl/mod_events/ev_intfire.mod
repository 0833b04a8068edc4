COMMENT
An integrate-and-fire artificial cell in the IntFire1 style (excitable's test of ARTIFICIAL_CELL,
net_event and a refractory self-event): m decays to 0 with tau; an input adds w; at m > 1 the cell
fires (net_event), m is held at 0 and inputs are ignored until a flag-1 self-event refrac ms later.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL ev_intfire
    RANGE tau, refrac, m
}
PARAMETER {
    tau = 10 (ms)
    refrac = 2 (ms)
}
ASSIGNED {
    m
    t0 (ms)
    refractory
}
INITIAL {
    m = 0
    t0 = t
    refractory = 0
}
NET_RECEIVE (w) {
    if (refractory == 0) {
        m = m*exp(-(t - t0)/tau)
        t0 = t
        m = m + w
        if (m > 1) {
            refractory = 1
            m = 0
            net_event(t)
            net_send(refrac, 1)
        }
    } else if (flag == 1) {
        refractory = 0
        m = 0
        t0 = t
    }
}
