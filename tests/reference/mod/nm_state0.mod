COMMENT
Test mechanism (issue 18): a STATE array without an INITIAL block whose start value is NEURON's
implicit GLOBAL b0 (every STATE x has one, x0, 0 unless hoc sets it: NEURON's nrn_init sets x, each
element of an array, to it), named in the NEURON block as the NEURON Book's cadifus.mod names
Buffer0. A KINETIC scheme moves b[0] into b[1], which gate a leak-like current (a DERIVATIVE of
array elements, b'[0] = ..., does not compile in nocmodl 9.0.2: its CVODE code is malformed).
ENDCOMMENT

NEURON {
    SUFFIX nm_state0
    NONSPECIFIC_CURRENT i
    GLOBAL b0
    RANGE g, e
}

UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }

PARAMETER {
    g = 0.001 (S/cm2)
    e = -70 (mV)
}

ASSIGNED { v (mV) i (mA/cm2) }

STATE { b[2] }

BREAKPOINT {
    SOLVE states METHOD sparse
    i = g * (b[0] + 2 * b[1]) * (v - e)
}

KINETIC states { ~ b[0] <-> b[1] (0.3, 0.1) }
