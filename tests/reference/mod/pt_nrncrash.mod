: A synapse that counts its events in a GLOBAL written in NET_RECEIVE, THREADSAFE: nocmodl 9.0.2
: reads that GLOBAL through a null pointer there, so NEURON itself crashes at the first event
: (the form of ModelDB 139421's MyExp2SynBB.mod). excitable runs it (one instance).
NEURON {
    THREADSAFE
    POINT_PROCESS pt_nrncrash
    RANGE tau, e, i
    NONSPECIFIC_CURRENT i
    GLOBAL count
}
PARAMETER { tau = 2 (ms) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) count }
STATE { g (uS) }
INITIAL { g = 0 count = 0 }
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g * (v - e)
}
DERIVATIVE state { g' = -g / tau }
NET_RECEIVE (w (uS)) {
    g = g + w
    count = count + 1
}
