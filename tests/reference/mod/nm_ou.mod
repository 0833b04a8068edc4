: An Ornstein-Uhlenbeck conductance stepped exactly (Gillespie 1996) by normrand in a SOLVE'd
: PROCEDURE, in the form of Destexhe et al. 2001's Gfluct.mod (written for excitable's tests):
: g1(t + dt) = a g1(t) + amp N(0, 1), a = exp(-dt/tau), amp = sd sqrt(1 - a^2), so g1 is stationary
: with standard deviation sd. new_seed is for hoc only (C code): nothing in the file calls it.
NEURON {
    SUFFIX nm_ou
    NONSPECIFIC_CURRENT i
    RANGE g0, sd, tau, e, g, g1
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}
PARAMETER {
    g0 = 0.0001 (S/cm2)
    sd = 0.00003 (S/cm2)
    tau = 2 (ms)
    e = 0 (mV)
}
ASSIGNED {
    v (mV)
    i (mA/cm2)
    g (S/cm2)
    g1 (S/cm2)
    a (1)
    amp (S/cm2)
    dt (ms)
}
INITIAL {
    g1 = 0
    a = exp(-dt/tau)
    amp = sd*sqrt(1 - exp(-2*dt/tau))
}
BREAKPOINT {
    SOLVE oup
    g = g0 + g1
    i = g*(v - e)
}
PROCEDURE oup() {
    g1 = a*g1 + amp*normrand(0, 1)
}
PROCEDURE new_seed(seed) {
    set_seed(seed)
    VERBATIM
      printf("seed %g\n", _lseed);
    ENDVERBATIM
}
