: A value NET_RECEIVE reads that BREAKPOINT accumulates only while g > 0.02: NEURON's nrn_cur runs
: BREAKPOINT twice a step, so P grows by 2 p0 a step then and keeps its value otherwise; each event
: reads what the second run left (tests/io/nmodl/test_nrn_cur_values.py).
NEURON { POINT_PROCESS nr_pcond  RANGE P  NONSPECIFIC_CURRENT i }
UNITS { (nA) = (nanoamp) (mV) = (millivolt) }
PARAMETER { p0 = 0.001 }
ASSIGNED { v (mV) i (nA) P }
STATE { g }
INITIAL { g = 0  P = 1 }
BREAKPOINT {
    SOLVE st METHOD cnexp
    i = g*(v - 0)
    if (g > 0.02) { P = P + p0 }
}
DERIVATIVE st { g' = -g }
NET_RECEIVE(weight) { g = g + weight*P }
