: An exponential synapse whose NET_RECEIVE and PROCEDURE return early from C under an if, as Blue
: Brain's DetAMPANMDA.mod does (`if (t < 0)`): events before tcut are counted in nall only, and add()
: leaves g alone once n has passed nmax.
NEURON {
    POINT_PROCESS ev_vret
    RANGE tau, e, i, tcut, nmax, n, nall
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER {
    tau = 2 (ms)
    e = 0 (mV)
    tcut = 5 (ms)
    nmax = 2
}
ASSIGNED { v (mV) i (nA) n nall }
STATE { g (uS) }
INITIAL {
    g = 0
    n = 0
    nall = 0
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
NET_RECEIVE(weight (uS)) {
    nall = nall + 1
    if (t < tcut) {
    VERBATIM
        return; /* before tcut: nothing else */
    ENDVERBATIM
    }
    n = n + 1
    add(weight)
}
PROCEDURE add(w (uS)) {
    if (n > nmax) {
    VERBATIM
        return 0;
    ENDVERBATIM
    }
    g = g + w
}
