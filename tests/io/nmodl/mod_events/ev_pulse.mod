COMMENT
excitable's test of per-NetCon NET_RECEIVE arguments (written for the purpose, in the style of
Destexhe, Mainen & Sejnowski 1994's kinetic synapses): each event opens a square transmitter pulse
of Cdur ms; R rises towards Rinf while it is on and decays with Beta after. The pulse is per NetCon:
its arguments on, nspike, r0 and t0 are that connection's (NEURON keeps them in the NetCon's weight
vector), the pulse ends when the self-event sent by the connection's latest spike returns
(flag == nspike), and a spike during the pulse extends it. Ron and Roff jump by
state_discontinuity. The INITIAL inside NET_RECEIVE runs once per NetCon at finitialize, after the
mechanism's INITIAL (it reads Rinf): each connection starts with a residual r0 of its own weight, as
if it had been released 5 ms before.
ENDCOMMENT

NEURON {
    POINT_PROCESS ev_pulse
    RANGE g, i, e, Alpha, Beta, Cdur, synon, last_w
    NONSPECIFIC_CURRENT i
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (umho) = (micromho)
}
PARAMETER {
    Cdur = 1.1 (ms)
    Alpha = 1.1 (/ms)
    Beta = 0.19 (/ms)
    e = 0 (mV)
}
ASSIGNED {
    v (mV)
    i (nA)
    g (umho)
    Rinf
    Rtau (ms)
    synon
    last_w
}
STATE { Ron Roff }
INITIAL {
    Rinf = Alpha / (Alpha + Beta)
    Rtau = 1 / (Alpha + Beta)
    synon = 0
    last_w = 0
}
BREAKPOINT {
    SOLVE release METHOD cnexp
    g = (Ron + Roff)*1(umho)
    i = g*(v - e)
}
DERIVATIVE release {
    Ron' = (synon*Rinf - Ron)/Rtau
    Roff' = -Beta*Roff
}
NET_RECEIVE(weight, on, nspike, r0, t0 (ms)) {
    INITIAL {
        nspike = 1
        r0 = 0.1*weight*Rinf
        t0 = -5
    }
    if (flag == 0) {
        nspike = nspike + 1
        if (!on) {
            r0 = r0*exp(-Beta*(t - t0))
            t0 = t
            on = 1
            synon = synon + weight
            state_discontinuity(Ron, Ron + r0)
            state_discontinuity(Roff, Roff - r0)
        }
        net_send(Cdur, nspike)
    }
    if (flag == nspike) {
        r0 = weight*Rinf + (r0 - weight*Rinf)*exp(-(t - t0)/Rtau)
        t0 = t
        synon = synon - weight
        state_discontinuity(Ron, Ron - r0)
        state_discontinuity(Roff, Roff + r0)
        on = 0
    }
    last_w = weight
}
