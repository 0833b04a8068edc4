COMMENT
excitable's test of a self-event queue deeper than 4 (written for the purpose, in the form of the
transmitter-pulse synapses of Destexhe, Mainen & Sejnowski 1994 that ModelDB's AMPA/NMDA/GABA files
and David et al. 2008's nmdanet.mod use): each spike opens (or keeps open) a pulse of Cdur ms and
sends itself an event Cdur later with its own number; the pulse closes when the event of the latest
spike comes back (flag == nspike). Every spike inside Cdur leaves one more event pending, so a burst
of n spikes inside Cdur holds n at once. R rises towards Rinf while the pulse is on and decays with
Beta after; nback counts the events that came back, nsent the ones sent.
ENDCOMMENT

NEURON {
    POINT_PROCESS pt_cdur
    RANGE g, i, e, Alpha, Beta, Cdur, synon, nback, nsent
    NONSPECIFIC_CURRENT i
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (umho) = (micromho)
}
PARAMETER {
    Cdur = 30 (ms)
    Alpha = 0.35 (/ms)
    Beta = 0.12 (/ms)
    e = 0 (mV)
}
ASSIGNED {
    v (mV)
    i (nA)
    g (umho)
    Rinf
    Rtau (ms)
    synon
    nback
    nsent
}
STATE { R }
INITIAL {
    Rinf = Alpha / (Alpha + Beta)
    Rtau = 1 / (Alpha + Beta)
    R = 0
    synon = 0
    nback = 0
    nsent = 0
}
BREAKPOINT {
    SOLVE release METHOD cnexp
    g = R*1(umho)
    i = g*(v - e)
}
DERIVATIVE release {
    R' = (synon*Rinf - R)/Rtau
}
NET_RECEIVE(weight, on, nspike) {
    if (flag == 0) {
        nspike = nspike + 1
        if (!on) {
            on = 1
            synon = synon + weight
        }
        nsent = nsent + 1
        net_send(Cdur, nspike)
    } else {
        nback = nback + 1
        if (flag == nspike) {
            synon = synon - weight
            on = 0
        }
    }
}
