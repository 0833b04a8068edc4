COMMENT
excitable's test of a point process that writes an ion current (nA) with per-NetCon NET_RECEIVE
arguments (written for the purpose): an NMDA-type synapse with the kinetic pulse scheme of ev_pulse
(each connection's on, nspike, r0, t0; NEURON's default 0 for each at finitialize: no INITIAL inside
NET_RECEIVE here), a voltage-dependent Mg2+ block (the form of Jahr & Stevens 1990), and a
fraction fca of its current carried by Ca2+ (USEION ca WRITE ica, nA, which NEURON adds to the
segment's ica as a density: a calcium pool of the same segment integrates it).
ENDCOMMENT

NEURON {
    POINT_PROCESS ev_nmda
    USEION ca WRITE ica
    NONSPECIFIC_CURRENT i
    RANGE g, e, mg, fca, Cdur, Alpha, Beta, B
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
    (mM) = (milli/liter)
}
PARAMETER {
    Cdur = 1 (ms)
    Alpha = 0.072 (/ms)
    Beta = 0.0066 (/ms)
    e = 0 (mV)
    mg = 1 (mM)
    fca = 0.1
}
ASSIGNED {
    v (mV)
    i (nA)
    ica (nA)
    g (uS)
    B
    Rinf
    Rtau (ms)
    synon
}
STATE { Ron Roff }
INITIAL {
    Rinf = Alpha / (Alpha + Beta)
    Rtau = 1 / (Alpha + Beta)
    synon = 0
}
BREAKPOINT {
    SOLVE release METHOD cnexp
    B = 1 / (1 + exp(-0.062 (/mV) * v) * mg / 3.57 (mM))
    g = (Ron + Roff) * B
    ica = fca * g * (v - e)
    i = (1 - fca) * g * (v - e)
}
DERIVATIVE release {
    Ron' = (synon*Rinf - Ron)/Rtau
    Roff' = -Beta*Roff
}
NET_RECEIVE(weight (uS), on, nspike, r0, t0 (ms)) {
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
}
