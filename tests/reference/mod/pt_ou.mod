: A point-process Ornstein-Uhlenbeck conductance in the form of Destexhe et al. 2001's Gfluct2.mod
: (written for excitable's tests): stepped by normrand in a SOLVE'd PROCEDURE; its draw in BREAKPOINT
: when tau = 0 is overwritten, as in the published file; new_seed is for hoc only (C code): nothing in the file calls it.
NEURON {
    POINT_PROCESS pt_ou
    NONSPECIFIC_CURRENT i
    RANGE g0, sd, tau, e, g, g1
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}
PARAMETER {
    g0 = 0.01 (uS)
    sd = 0.003 (uS)
    tau = 2 (ms)
    e = 0 (mV)
}
ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
    g1 (uS)
    a (1)
    amp (uS)
    dt (ms)
}
INITIAL {
    g1 = 0
    if (tau != 0) {
        a = exp(-dt/tau)
        amp = sd*sqrt(1 - exp(-2*dt/tau))
    }
}
BREAKPOINT {
    SOLVE oup
    if (tau == 0) {
        g = sd*normrand(0, 1)  : as Gfluct2.mod: overwritten below (a draw that has no effect)
    }
    g = g0 + g1
    i = g*(v - e)
}
PROCEDURE oup() {
    if (tau != 0) {
        g1 = a*g1 + amp*normrand(0, 1)
    }
}
PROCEDURE new_seed(seed) {
    set_seed(seed)
    VERBATIM
      printf("seed %g\n", _lseed);
    ENDVERBATIM
}
