: excitable NMODL test (issue 18, convergence of point processes): nm_stiff.mod's stiff nonlinear ODE
: in a POINT_PROCESS, solved by `derivimplicit`: w' = a(v) (1 - w) - k w^2, i = g w (v - e) in nA.
: After a step from -80 to +40 mV NEURON's Newton loop takes 8 iterations at dt = 0.025 ms (excitable
: traces 6: refused) and at most 4 at dt = 0.001 ms (run). NET_RECEIVE: a jump linear in the weight.
NEURON {
    POINT_PROCESS pp_stiff
    NONSPECIFIC_CURRENT i
    RANGE g, e, amax, k
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { g = 0.001 (uS) e = -70 (mV) amax = 10 (/ms) k = 1000 (/ms) }
ASSIGNED { v (mV) i (nA) }
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
NET_RECEIVE(weight) {
    w = w + weight
}
