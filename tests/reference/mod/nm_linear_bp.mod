: excitable NMODL test: a LINEAR block SOLVE'd in BREAKPOINT (no METHOD), so NEURON solves it at
: every step (nrn_state): a channel whose three states C, O, B sit at their voltage-dependent
: equilibrium at each step (C <-> O at a, b; O <-> B at c, d), with a LOCAL, an assignment between
: the equations that reads a state (its value before the solve) and states on both sides of `=`.
NEURON {
    SUFFIX nm_linear_bp
    NONSPECIFIC_CURRENT i
    RANGE gbar, e
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER {
    gbar = 0.001 (S/cm2)
    e = -30 (mV)
    c = 0.2 (/ms)
    d0 = 0.5 (/ms)
}
ASSIGNED { v (mV) i (mA/cm2) }
STATE { C O B }
BREAKPOINT {
    SOLVE equilibrium
    i = gbar*O*(v - e)
}
LINEAR equilibrium {
    LOCAL a, b, d
    a = 0.4*exp((v + 40)/12)
    b = 0.4*exp(-(v + 40)/12)
    ~ a*C = b*O
    d = d0*(1 + 0.5*O)  : O here is its value before the solve (NEURON's C reads the state)
    ~ c*O - d*B = 0
    ~ C + O + B = 1
}
