COMMENT
Test mechanism (issue 18): the same sum as nm_bpsum.mod (`tot = a + b`, a STATE assigned in
BREAKPOINT, the form of ModelDB 105385's na6_gp.mod), in a file that writes no current. Such a file
has no nrn_cur: NEURON runs its BREAKPOINT in nrn_state, after the SOLVE, and finitialize does not
run it, so tot at t = 0 is INITIAL's (5 here), and from the first step on the sum of the new states.
ENDCOMMENT

NEURON {
    SUFFIX nm_bpsum_free
    RANGE tau
}

PARAMETER {
    tau = 4 (ms)
}

ASSIGNED { v (mV) }

STATE { a b tot }

INITIAL {
    a = 0.3
    b = 0.7
    tot = 5
}

BREAKPOINT {
    SOLVE s METHOD cnexp
    tot = a + b
}

DERIVATIVE s {
    a' = (1 / (1 + exp(-(v + 50) / 5)) - a) / tau
    b' = -b / (2 * tau)
}
