COMMENT
Test point process (issue 18): BREAKPOINT's SOLVE of a PROCEDURE (no METHOD), which NEURON's
nrn_state calls once per step, in a point process: the form of ModelDB 52034's holt_alphasyn.mod
(`SOLVE dum`, a discrete-time second-order filter whose coefficients INITIAL computes from dt) and
114355's spike.mod (`SOLVE check`). Here the filter's output y, which rises and decays as an alpha
function, and a step counter n are ASSIGNED variables the PROCEDURE reads before it sets them:
instance memory NEURON keeps from step to step. The current g*y*(v - e) reads them.
ENDCOMMENT

NEURON {
    POINT_PROCESS pp_procsolve
    NONSPECIFIC_CURRENT i
    RANGE gmax, e, tau, y, y1, n
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    gmax = 0.01 (uS)
    e = 0 (mV)
    tau = 2 (ms)
}

ASSIGNED { v (mV) i (nA) dt (ms) y y1 n a1 a2 }

INITIAL {
    a1 = 2 * exp(-dt / tau)
    a2 = exp(-2 * dt / tau)
    y = 0
    y1 = 0
    n = 0
}

BREAKPOINT {
    SOLVE filt
    i = gmax * y * (v - e)
}

PROCEDURE filt() {
    LOCAL ynew
    n = n + 1
    ynew = a1 * y - a2 * y1
    if (n == 600) {  : t = 15 ms
        ynew = ynew + exp(1) * dt / tau  : peak 1 at tau after the pulse (holt_alphasyn.mod's scale_factor)
    }
    y1 = y
    y = ynew
}
