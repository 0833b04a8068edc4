: One draw of each of NEURON's scoplib random functions per evaluation of BREAKPOINT, kept in
: RANGE values (written for excitable's tests); the current uses the exponential draw.
NEURON {
    SUFFIX nm_draws
    NONSPECIFIC_CURRENT i
    RANGE gx, e, u, x, p, z
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}
PARAMETER {
    gx = 0.0001 (S/cm2)
    e = -70 (mV)
}
ASSIGNED {
    v (mV)
    i (mA/cm2)
    u (1)
    x (1)
    p (1)
    z (1)
}
BREAKPOINT {
    u = scop_random()
    x = exprand(2)
    p = poisrand(3)
    z = normrand(1, 0.5)
    i = gx*x*(v - e)
}
