COMMENT
Test mechanism: rates BREAKPOINT computes from v after its SOLVE, which the SOLVE'd KINETIC scheme
(sparse) reads and does not set: NEURON's nrn_state takes a and b as nrn_cur left them, at the
step's OLD V. A two-state K channel, ik = gbar o (v - ek).
ENDCOMMENT

NEURON {
    SUFFIX nm_feedkin
    USEION k READ ek WRITE ik
    RANGE gbar, a, b, ik
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
}

PARAMETER { gbar = 0.0005 (S/cm2) }

ASSIGNED { v (mV) ik (mA/cm2) ek (mV) a (/ms) b (/ms) }

STATE { c o }

INITIAL {
    rates(v)
    o = a / (a + b)
    c = 1 - o
}

BREAKPOINT {
    SOLVE scheme METHOD sparse
    rates(v)
    ik = gbar * o * (v - ek)
}

KINETIC scheme {
    ~ c <-> o (a, b)
    CONSERVE c + o = 1
}

PROCEDURE rates(v (mV)) {
    UNITSOFF
    a = 0.4 * exp((v + 40) / 20)
    b = 0.4 * exp(-(v + 40) / 20)
    UNITSON
}
