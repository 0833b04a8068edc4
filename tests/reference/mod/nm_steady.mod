: excitable NMODL test (issue 18, convergence): a nonlinear KINETIC scheme whose `SOLVE ...
: STEADYSTATE sparse` in INITIAL takes NEURON's loop 9-12 Newton steps for (k1, k2, k3, k4) =
: (0.001, 0.001, 1, 0.001) /ms from C = 1 (A = B = D = 0), 6-8 from A = B = 1: more than the 4
: traced before, within NEURON's 21.
NEURON { SUFFIX nm_steady RANGE k1, k2, k3, k4, a0, b0, c0, d0 }
PARAMETER {
    k1 = 0.001 (/ms) k2 = 0.001 (/ms) k3 = 1 (/ms) k4 = 0.001 (/ms)
    a0 = 0 b0 = 0 c0 = 1 d0 = 0
}
STATE { A B C D }
INITIAL {
    A = a0 B = b0 C = c0 D = d0
    SOLVE scheme STEADYSTATE sparse
}
BREAKPOINT { SOLVE scheme METHOD sparse }
KINETIC scheme {
    ~ A + B <-> C (k1, k2)
    ~ C + B <-> D (k3, k4)
}
