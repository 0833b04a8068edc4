: NET_RECEIVE reads an ASSIGNED only a current-carrying BREAKPOINT sets, from v (bmtk stp2syn.mod's Pmax
: shape, jumps only: the jump class). NEURON's events read what the previous step's nrn_cur left.
NEURON {
    POINT_PROCESS ev_nrbp
    RANGE e, i, P, p0
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { e = 0 (mV) p0 = 0.5 tau = 5 (ms) vh = 100 (mV) }
ASSIGNED { v (mV) i (nA) P }
STATE { g (uS) }
INITIAL { g = 0 }
BREAKPOINT {
    SOLVE st METHOD cnexp
    i = g*(v - e)
    P = p0*exp((v + 65)/vh)
}
DERIVATIVE st { g' = -g/tau }
NET_RECEIVE(weight (uS)) { g = g + weight*P }
