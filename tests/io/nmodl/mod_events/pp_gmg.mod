COMMENT
excitable's test of recording a point process's RANGE ASSIGNED values (written for the purpose):
an NMDA-style synapse whose conductance g = A*B depends on V through a Mg2+ block B (Jahr and
Stevens' form), so it is neither a state nor a V-free conductance. NEURON records g and B as
its nrn_cur left them, BREAKPOINT at the step's start V.
ENDCOMMENT

NEURON {
    POINT_PROCESS pp_gmg
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
INITIAL { A = 0 }
BREAKPOINT {
    SOLVE state METHOD cnexp
    B = 1/(1 + exp(-0.062*v)*mg/3.57)
    g = A*B
    i = g*(v - e)
}
DERIVATIVE state { A' = -A/tau }
NET_RECEIVE (weight (uS)) { A = A + weight }
