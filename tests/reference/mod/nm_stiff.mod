: excitable NMODL test (issue 18, convergence): a stiff nonlinear ODE solved by `derivimplicit`,
: w' = a(v) (1 - w) - k w^2. After a step from -80 to +40 mV NEURON's Newton loop takes 8
: iterations at dt = 0.025 ms (excitable traces 6: refused) and at most 4 at dt = 0.001 ms (run).
: (The state is not named y: nocmodl would declare a y0, which the C library already has.)
NEURON {
    SUFFIX nm_stiff
    NONSPECIFIC_CURRENT i
    RANGE g, e, amax, k
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) amax = 10 (/ms) k = 1000 (/ms) }
ASSIGNED { v (mV) i (mA/cm2) }
STATE { w }
BREAKPOINT {
    SOLVE st METHOD derivimplicit
    i = g*w*(v - e)
}
INITIAL { w = 0.001 }
DERIVATIVE st {
    w' = amax*boltz(v)*(1 - w) - k*w*w
}
FUNCTION boltz(v (mV)) {
    boltz = 1/(1 + exp(-(v + 40)/5))
}
