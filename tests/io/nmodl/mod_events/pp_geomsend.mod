COMMENT
A synapse with a delayed second jump (net_send, flag: the event path) that reads its segment's diam
and area and the run's dt (excitable's test of point-process geometry against NEURON): INITIAL sets
the jump size per weight from the area and dt; BREAKPOINT adds a bias current density (mA/cm2)
times the area, in nA, scaled by diam and dt; the second jump, delay ms after an event, is scaled
by the diameter and dt.
ENDCOMMENT

NEURON {
    POINT_PROCESS pp_geomsend
    RANGE tau, e, delay, ibias, gscale, i
    NONSPECIFIC_CURRENT i
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
    (mA) = (milliamp)
    (um) = (micron)
}
PARAMETER {
    tau = 3 (ms)
    e = -80 (mV)
    delay = 1.013 (ms)
    ibias = 3e-4 (mA/cm2)
}
ASSIGNED {
    v (mV)
    i (nA)
    diam (um)
    area (um2)
    gscale (1)
}
STATE { g (uS) }
INITIAL {
    g = 0
    gscale = area/1000*dt/0.02
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e) + ibias*area*(0.01)*diam/20*dt/0.02
}
DERIVATIVE state {
    g' = -g/tau
}
NET_RECEIVE (w (uS)) {
    if (flag == 0) {
        g = g + w*gscale
        net_send(delay, 1)
    } else {
        g = g + w*diam/10*dt/0.02
    }
}
