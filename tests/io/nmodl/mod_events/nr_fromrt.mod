: A FROM loop in NET_RECEIVE whose upper bound is known only in the run (m = fmod(n, 4), n counting
: the events; test_netreceive_loops.py), beside NEURON.
NEURON {
    POINT_PROCESS nr_fromrt
    RANGE tau, e, i, n, a
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { tau = 3 (ms) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) a[4] n m }
STATE { g (uS) }
INITIAL { g = 0 n = 0 FROM j = 0 TO 3 { a[j] = 0 } }
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
NET_RECEIVE(w (uS)) {
    LOCAL k
    n = n + 1
    m = fmod(n, 4)
    FROM k = 0 TO m {
        a[k] = a[k] + w*(k + 1)
        g = g + w/(k + 1)
    }
}
