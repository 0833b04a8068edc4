TITLE nm_kinrate.mod's scheme in a point process (excitable's test file)

COMMENT
The linear KINETIC scheme of nm_kinrate.mod, whose opening rate reads the state P1, as a point
process: NEURON's sparse matrix holds the rates as numbers evaluated at the step's start, in a
point process as in a density mechanism. Compared by `excitable mod compare`
(tests/workflows/test_neuron_compare.py).
ENDCOMMENT

NEURON {
    POINT_PROCESS nm_kinrate_pp
    NONSPECIFIC_CURRENT i
    RANGE gmax, kup, e
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { gmax = 0.01 (uS) e = -80 (mV) a0 = 0.1 (/ms) b0 = 0.2 (/ms) kup = 8 p0 = 0.05 (/ms) }
ASSIGNED { v (mV) i (nA) a (/ms) b (/ms) pf (/ms) pb (/ms) }
STATE { C O P0 P1 }
INITIAL { P0 = 1 C = 1 SOLVE scheme STEADYSTATE sparse }
BREAKPOINT {
    SOLVE scheme METHOD sparse
    i = gmax*O*(v - e)
}
KINETIC scheme {
    rates(v)
    ~ C <-> O (a, b)
    ~ P0 <-> P1 (pf, pb)
    CONSERVE C + O = 1
    CONSERVE P0 + P1 = 1
}
PROCEDURE rates(v (mV)) {
    a = a0*exp(v/25)*(1 + kup*P1)
    b = b0*exp(-v/25)
    pf = p0*exp(v/15)
    pb = p0*exp(-v/15)
}
