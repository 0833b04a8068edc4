: bmtk stp2syn.mod's shape (Hennig 2013): NET_RECEIVE reads Pmax = n*p0, set by BREAKPOINT only, and
: depletes n (not a jump: the event path).
NEURON {
    POINT_PROCESS ev_stp
    RANGE e, i, p0, Pmax
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { e = 0 (mV) p0 = 0.3 tau = 5 (ms) taur = 30 (ms) }
ASSIGNED { v (mV) i (nA) Pmax }
STATE { g (uS) n }
INITIAL { g = 0  n = 1 }
BREAKPOINT {
    SOLVE st METHOD cnexp
    i = g*(v - e)
    Pmax = n*p0
}
DERIVATIVE st {
    g' = -g/tau
    n' = (1 - n)/taur
}
NET_RECEIVE(weight (uS)) {
    g = g + weight*Pmax
    n = n - n*p0
}
