: excitable NMODL test (issue 18, convergence of point processes): pp_stiff.mod's stiff ODE in a
: point process with a self-event (net_send, flag), so that it takes the event path of
: io/nmodl/artificial.py: its derivimplicit loop is flagged there too.
NEURON {
    POINT_PROCESS pp_stiffsend
    NONSPECIFIC_CURRENT i
    RANGE g, e, amax, k
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { g = 0.001 (uS) e = -70 (mV) amax = 10 (/ms) k = 1000 (/ms) }
ASSIGNED { v (mV) i (nA) }
STATE { w }
BREAKPOINT {
    SOLVE st METHOD derivimplicit
    i = g*w*(v - e)
}
INITIAL { w = 0.001 }
DERIVATIVE st {
    w' = amax*boltz(v)*(1 - w) - k*w*w
}
FUNCTION boltz(v (mV)) {
    boltz = 1/(1 + exp(-(v + 40)/5))
}
NET_RECEIVE(weight) {
    if (flag == 0) {
        net_send(0.5, 1)
    } else {
        w = w + weight
    }
}
