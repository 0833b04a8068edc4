: excitable NMODL test: a nonlinear ODE solved by `derivimplicit` (Newton's method on backward
: Euler), a NONSPECIFIC_CURRENT, a FUNCTION with if/else, an INITIAL that is not a steady state.
NEURON {
    SUFFIX nm_implicit
    NONSPECIFIC_CURRENT i
    RANGE g, e, k
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) k = 0.3 (/ms) }
ASSIGNED { v (mV) i (mA/cm2) }
STATE { p q }
BREAKPOINT {
    SOLVE st METHOD derivimplicit
    i = g*p*q*(v - e)
}
INITIAL { p = 0.5 q = 0.2 }
DERIVATIVE st {
    p' = (boltz(v) - p)/(1 + p*p) - k*p*p
    q' = 0.1*(p - q*q)
}
FUNCTION boltz(v (mV)) {
    if (v > 0) {
        boltz = 1/(1 + exp(-(v + 40)/5))
    } else {
        boltz = exp((v + 40)/5)/(1 + exp((v + 40)/5))
    }
}
