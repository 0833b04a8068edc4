COMMENT
excitable's test of WATCH on a STATE and of two watches in one statement (written for the purpose):
x follows v with time constant tau (cnexp). One WATCH statement arms x > thresh (flag 2: counted,
spike) and x < lo (flag 3, written as b < a: NEURON's condition is then lo - x). The STATE is
tested after the step's SOLVE, at its new value, as NEURON's check at the next step's start.
ENDCOMMENT

NEURON {
    POINT_PROCESS watch_state
    RANGE thresh, lo, tau, count, tlast, n_low, n_armed
}
PARAMETER {
    thresh = -40 (mV)
    lo = -68 (mV)
    tau = 2 (ms)
}
ASSIGNED {
    v (mV)
    count
    tlast (ms)
    n_low
    n_armed
}
STATE { x (mV) }
INITIAL {
    x = v
    count = 0
    tlast = -1
    n_low = 0
    n_armed = 0
    net_send(0, 1)
}
BREAKPOINT { SOLVE follow METHOD cnexp }
DERIVATIVE follow { x' = (v - x)/tau }
NET_RECEIVE (w) {
    if (flag == 1) {
        n_armed = n_armed + 1
        WATCH (x > thresh) 2, (x < lo) 3
    } else if (flag == 2) {
        count = count + 1
        tlast = t
        net_event(t)
    } else if (flag == 3) {
        n_low = n_low + 1
    }
}
