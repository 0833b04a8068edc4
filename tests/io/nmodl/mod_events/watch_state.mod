COMMENT
excitable's test of WATCH on a STATE and of three watches in one statement (written for the purpose):
x follows v with time constant tau (cnexp). One WATCH statement arms x > thresh (flag 2: counted,
spike), x < lo (flag 3, written as b < a: NEURON's condition is then lo - x) and x > near (flag 4),
near just above thresh so that both rise in one step: NEURON delivers them in the order they were
armed (seq appends each flag 2 and 4: 24 per spike). The STATE is tested after the step's SOLVE, at
its new value, as NEURON's check at the next step's start.
ENDCOMMENT

NEURON {
    POINT_PROCESS watch_state
    RANGE thresh, lo, near, tau, count, tlast, n_low, n_armed, seq
}
PARAMETER {
    thresh = -40 (mV)
    lo = -68 (mV)
    near = -39.9 (mV)
    tau = 2 (ms)
}
ASSIGNED {
    v (mV)
    count
    tlast (ms)
    n_low
    n_armed
    seq
}
STATE { x (mV) }
INITIAL {
    x = v
    count = 0
    tlast = -1
    n_low = 0
    n_armed = 0
    seq = 0
    net_send(0, 1)
}
BREAKPOINT { SOLVE follow METHOD cnexp }
DERIVATIVE follow { x' = (v - x)/tau }
NET_RECEIVE (w) {
    if (flag == 1) {
        n_armed = n_armed + 1
        WATCH (x > thresh) 2, (x < lo) 3, (x > near) 4
    } else if (flag == 2) {
        count = count + 1
        tlast = t
        seq = seq*10 + flag
        net_event(t)
    } else if (flag == 3) {
        n_low = n_low + 1
    } else if (flag == 4) {
        seq = seq*10 + flag
    }
}
