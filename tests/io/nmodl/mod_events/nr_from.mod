: A FROM loop in NET_RECEIVE (test_netreceive_loops.py): constant bounds and a PARAMETER bound
: (nmax), adding to an array and to the conductance once per element, beside NEURON.
NEURON {
    POINT_PROCESS nr_from
    RANGE tau, e, i, n, a, nmax
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { tau = 3 (ms) e = 0 (mV) nmax = 3 }
ASSIGNED { v (mV) i (nA) a[3] n }
STATE { g (uS) }
INITIAL { g = 0 n = 0 FROM j = 0 TO 2 { a[j] = 0 } }
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
NET_RECEIVE(w (uS)) {
    LOCAL k
    FROM k = 0 TO nmax - 1 {
        a[k] = a[k] + w*(k + 1)
        g = g + w/(k + 1)
    }
    n = n + 1
}
