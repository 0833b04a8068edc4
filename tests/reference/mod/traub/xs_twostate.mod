: Two-state receptor C <-> O (Destexhe et al. 1994: AMPA, GABA_A) driven by transmitter T (mM) in the
: cleft, as excitable's AbstractTwoState with its cleft: each event raises T by tmax * weight, T stays
: there for `dur` ms (the cleft's pulse), then decays with tau_clear ms. dr/dt = alpha T (1 - r) - beta r,
: i = gmax r (v - e). After the pulse T decays by exp(-dt/tau_clear) before each step (BEFORE STEP);
: r by cnexp with that T.
NEURON {
    POINT_PROCESS XsTwoState
    RANGE gmax, alpha, beta, e, tmax, dur, tau_clear, T, i
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) (mM) = (milli/liter) }
PARAMETER {
    gmax = 0.001 (uS)
    alpha = 0.94 (/mM /ms)
    beta = 0.18 (/ms)
    e = 0 (mV)
    tmax = 1 (mM)
    dur = 0.1 (ms)
    tau_clear = 1.2 (ms)
}
ASSIGNED { v (mV) i (nA) on T (mM) }
STATE { r }
INITIAL { r = 0 T = 0 on = 0 }
BEFORE STEP { if (on == 0) { T = T * exp(-dt / tau_clear) } }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gmax * r * (v - e)
}
DERIVATIVE states {
    r' = alpha * T * (1 - r) - beta * r
}
NET_RECEIVE(weight) {
    if (flag == 0) {
        T = T + tmax * weight
        on = 1
        net_send(dur, 1)
    } else {
        : The pulse ends: this step already sees T decayed, as excitable's cleft does (NEURON ran this
        : step's BEFORE STEP, at the end of the last step, while the pulse was still on).
        on = 0
        T = T * exp(-dt / tau_clear)
    }
}
