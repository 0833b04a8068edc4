COMMENT
excitable's test of an INITIAL inside NET_RECEIVE that sets the weight (issue 18): at finitialize
NEURON runs it once per NetCon, on that NetCon's weight[0] (which it keeps: NetCon.weight[0] reads
the new value after finitialize). Here it keeps the weight as given in w0 (weight[1]) and scales
it by wscale; each event opens the conductance by the scaled weight, then moves the weight a step
back towards w0 (a second write in the body: the weight is per-NetCon state).
ENDCOMMENT

NEURON {
    POINT_PROCESS ev_winit
    RANGE tau, e, i, g, wscale, back
    NONSPECIFIC_CURRENT i
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}
PARAMETER {
    tau = 2 (ms)
    e = 0 (mV)
    wscale = 2.5
    back = 0.5
}
ASSIGNED {
    v (mV)
    i (nA)
}
STATE { g (uS) }
INITIAL { g = 0 }
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
NET_RECEIVE(weight (uS), w0 (uS)) {
    INITIAL {
        w0 = weight
        weight = weight*wscale
    }
    g = g + weight
    weight = weight + back*(w0 - weight)
}
