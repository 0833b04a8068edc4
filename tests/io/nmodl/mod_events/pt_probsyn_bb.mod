: pt_probsyn.mod in the shape of the CoreNEURON-ready Blue Brain files (ProbGABAAB_EMS.mod with a
: BBCOREPOINTER; written for excitable's tests): rng is a Random123 stream that only hoc's setRNG or
: CoreNEURON's bbcore_read attaches; without one, INITIAL sets no sequence and urand() is 0, so the
: first event releases (u > 0) and the synapse never recovers (0 > Psurv is false).
NEURON {
    THREADSAFE
    POINT_PROCESS pt_probsyn_bb
    RANGE tau_r, tau_d, Use, Dep, Fac, u0, e, gmax
    RANGE u, Rstate, tsyn_fac, g, nrel
    NONSPECIFIC_CURRENT i
    BBCOREPOINTER rng
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER {
    tau_r = 0.2 (ms)
    tau_d = 1.7 (ms)
    Use = 0.5 (1)
    Dep = 100 (ms)
    Fac = 10 (ms)
    u0 = 0
    e = 0 (mV)
    gmax = 0.001 (uS)
}
VERBATIM
#include "nrnran123.h"
ENDVERBATIM
ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
    factor
    rng
    Rstate (1)
    tsyn_fac (ms)
    u (1)
    nrel
}
STATE { A B }
INITIAL {
    LOCAL tp
    VERBATIM
    if (_p_rng) {
        nrnran123_setseq((nrnran123_State*)_p_rng, 0, 0);
    }
    ENDVERBATIM
    Rstate = 1
    tsyn_fac = 0
    u = u0
    nrel = 0
    A = 0
    B = 0
    tp = (tau_r*tau_d)/(tau_d - tau_r)*log(tau_d/tau_r)
    factor = 1/(-exp(-tp/tau_r) + exp(-tp/tau_d))
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    g = gmax*(B - A)
    i = g*(v - e)
}
DERIVATIVE state {
    A' = -A/tau_r
    B' = -B/tau_d
}
NET_RECEIVE (weight, Psurv, tsyn (ms)) {
    LOCAL result
    INITIAL { tsyn = t }
    if (!(weight > 0)) {
VERBATIM
        return;
ENDVERBATIM
    }
    if (Fac > 0) {
        u = u*exp(-(t - tsyn_fac)/Fac)
    } else {
        u = Use
    }
    if (Fac > 0) {
        u = u + Use*(1 - u)
    }
    tsyn_fac = t
    if (Rstate == 0) {
        Psurv = exp(-(t - tsyn)/Dep)
        result = urand()
        if (result > Psurv) {
            Rstate = 1
        } else {
            tsyn = t
        }
    }
    if (Rstate == 1) {
        result = urand()
        if (result < u) {
            tsyn = t
            Rstate = 0
            nrel = nrel + 1
            A = A + weight*factor
            B = B + weight*factor
        }
    }
}
PROCEDURE setRNG() {
VERBATIM
    {
        nrnran123_State** pv = (nrnran123_State**)(&_p_rng);
        if (*pv) {
            nrnran123_deletestream(*pv);
            *pv = (nrnran123_State*)0;
        }
        if (ifarg(2)) {
            *pv = nrnran123_newstream((uint32_t)*getarg(1), (uint32_t)*getarg(2));
        }
    }
ENDVERBATIM
}
FUNCTION urand() {
VERBATIM
    double value;
    if (_p_rng) {
        value = nrnran123_dblpick((nrnran123_State*)_p_rng);
        return value;
    } else {
        value = 0.0; // no stream: NEURON's urand() is 0
    }
    _lurand = value;
ENDVERBATIM
}
VERBATIM
static void bbcore_write(double* x, int* d, int* xx, int* offset, _threadargsproto_) {
    if (d) {
        uint32_t* di = ((uint32_t*)d) + *offset;
        nrnran123_getids((nrnran123_State*)_p_rng, di, di + 1);
    }
    *offset += 2;
}
static void bbcore_read(double* x, int* d, int* xx, int* offset, _threadargsproto_) {
    uint32_t* di = ((uint32_t*)d) + *offset;
    nrnran123_State** pv = (nrnran123_State**)(&_p_rng);
    *pv = nrnran123_newstream(di[0], di[1]);
    *offset += 2;
}
ENDVERBATIM
