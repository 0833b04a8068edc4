: A PARAMETER that INITIAL and a current-carrying BREAKPOINT both set, in a point process (the density
: version: tests/reference/mod/nm_bpparam.mod): recorded as nrn_cur leaves it.
NEURON {
    POINT_PROCESS ev_bpparam
    NONSPECIFIC_CURRENT i
    RANGE g, x
}
UNITS { (mV) = (millivolt) (nA) = (nanoamp) (uS) = (microsiemens) }
PARAMETER {
    g = 0.001 (uS)
    x (mV)
}
ASSIGNED { v (mV) i (nA) }
STATE { s }
INITIAL {
    s = 0
    x = 0.5*v
}
BREAKPOINT {
    SOLVE st METHOD cnexp
    x = v + 10*s*(1 (mV))
    i = g*s*(v + 65)
}
DERIVATIVE st { s' = (1 - s)/(5 (ms)) }
NET_RECEIVE(w) { s = s + w }
