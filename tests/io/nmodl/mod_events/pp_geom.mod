COMMENT
A synapse that reads its segment's diam and area and the run's dt in each block the engine calls
without the step (excitable's test of point-process geometry against NEURON): INITIAL turns a leak
density (S/cm2) into this segment's conductance (x area) and starts g from diam and dt; BREAKPOINT
adds a bias current density (mA/cm2) times the area, in nA, scaled by dt; NET_RECEIVE's jump is
scaled by diam and dt. At the run's dt (0.02 ms) the dt factors are 1; at dt = 0 they vanish.
ENDCOMMENT

NEURON {
    POINT_PROCESS pp_geom
    RANGE tau, e, gdens, el, ibias, g0, gleak, i
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
    tau = 2 (ms)
    e = 0 (mV)
    gdens = 5e-5 (S/cm2)
    el = -70 (mV)
    ibias = -2e-4 (mA/cm2)
    g0 = 1e-4 (uS)
}
ASSIGNED {
    v (mV)
    i (nA)
    diam (um)
    area (um2)
    gleak (uS)
}
STATE { g (uS) }
INITIAL {
    gleak = gdens*area*(0.01)
    g = g0*diam/10*dt/0.02
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e) + gleak*(v - el) + ibias*area*(0.01)*dt/0.02
}
DERIVATIVE state {
    g' = -g/tau
}
NET_RECEIVE (w (uS)) {
    g = g + w*diam/10*dt/0.02
}
