: A stochastic Tsodyks-Markram synapse in the shape of Blue Brain's ProbAMPANMDA_EMS.mod (written
: for excitable's tests): release with probability u when recovered, recovery as a Poisson process
: of time constant Dep, an AMPA-like dual exponential. Its draws come from urand(), whose C takes a
: hoc Random through POINTER rng when setRNG has attached one, else scop_random(). Nothing here
: attaches one, so urand() is scop_random() in NEURON as in excitable. nrel counts releases.
NEURON {
    THREADSAFE
    POINT_PROCESS pt_probsyn
    RANGE tau_r, tau_d, Use, Dep, Fac, u0, e, gmax
    RANGE u, Rstate, tsyn_fac, g, nrel
    NONSPECIFIC_CURRENT i
    POINTER rng
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
#include <stdlib.h>
#include <math.h>
/* NEURON's own declaration of the hoc Random pick */
double nrn_random_pick(void* r);
static int probsyn_unused(int k) { return k + 1; }
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
        void** pv = (void**)(&_p_rng);
        if (ifarg(1)) {
            *pv = (void*)nrn_random_arg(1);
        } else {
            *pv = (void*)0;
        }
    }
ENDVERBATIM
}
FUNCTION urand() {
VERBATIM
    double value;
    if (_p_rng) {
        value = nrn_random_pick(_p_rng); /* the hoc Random's uniform draw */
        return value;
    } else {
ENDVERBATIM
        value = scop_random()
VERBATIM
    }
ENDVERBATIM
    urand = value
}
