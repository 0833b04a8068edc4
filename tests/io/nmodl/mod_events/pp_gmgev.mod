COMMENT
excitable's test of recording a point process's RANGE ASSIGNED values (written for the purpose):
an NMDA-style synapse whose conductance g = A*B depends on V through a Mg2+ block B (Jahr and
Stevens' form), so it is neither a state nor a V-free conductance. NEURON records g and B as
its nrn_cur left them, BREAKPOINT at the step's start V. (pp_gmgev: the same on the event path, a
self-event at 1 ms that does nothing.)
ENDCOMMENT

NEURON {
    POINT_PROCESS pp_gmgev
    RANGE tau, e, mg, g, B
    NONSPECIFIC_CURRENT i
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
    (mM) = (milli/liter)
}
PARAMETER {
    tau = 5 (ms)
    e = 0 (mV)
    mg = 1 (mM)
}
ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
    B
}
STATE { A (uS) }
INITIAL {
    A = 0
    net_send(1, 1)
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    B = 1/(1 + exp(-0.062*v)*mg/3.57)
    g = A*B
    i = g*(v - e)
}
DERIVATIVE state { A' = -A/tau }
NET_RECEIVE (weight (uS)) {
    if (flag == 0) {
        A = A + weight
    }
}
