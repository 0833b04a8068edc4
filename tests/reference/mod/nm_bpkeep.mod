: BREAKPOINT keeping values from run to run (tests/io/nmodl/test_breakpoint_memory.py): a running
: maximum of V and the time it was reached (a "measure V" helper's form, Katz et al. 2009's
: dv_yael.mod), and a time set on some paths only (kept otherwise: it stayed at 0 before). With a
: current, so NEURON's nrn_cur runs BREAKPOINT twice a step (at v + 0.001 mV, then at v).
NEURON { SUFFIX nm_bpkeep NONSPECIFIC_CURRENT i RANGE g, vmax, vmaxt, tlast }
PARAMETER { g = 0.0001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) vmax (mV) vmaxt (ms) tlast (ms) }
INITIAL {
    vmax = -64
    vmaxt = 0
    tlast = 0
}
BREAKPOINT {
    if (v > vmax) {
        vmax = v
        vmaxt = t
    }
    if (v > -60) { tlast = t }
    i = g*(v + 65)
}
