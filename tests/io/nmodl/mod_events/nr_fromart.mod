: A FROM loop in an ARTIFICIAL_CELL's NET_RECEIVE (test_netreceive_loops.py): three accumulators, a
: spike when the third passes thr, then a loop resetting them, beside NEURON.
NEURON {
    ARTIFICIAL_CELL nr_fromart
    RANGE n, a, thr
}
PARAMETER { thr = 0.02 }
ASSIGNED { a[3] n }
INITIAL { n = 0 FROM j = 0 TO 2 { a[j] = 0 } }
NET_RECEIVE(w) {
    LOCAL k
    FROM k = 0 TO 2 {
        a[k] = a[k] + w*(k + 1)
    }
    n = n + 1
    if (a[2] > thr) {
        net_event(t)
        FROM k = 0 TO 2 { a[k] = 0 }
    }
}
