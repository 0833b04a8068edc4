COMMENT
Test mechanism (issue 18): a density mechanism's SOLVE of a PROCEDURE whose ASSIGNED variable is
memory: y relaxes toward a sigmoid of v by y = y + k*(yinf - y) (read before it is set), and the
current g*y*(v - e) reads it. NEURON keeps y from step to step (the instance's data); excitable carries it
as a state. The form of Migliore's `m = m + mexp*(minf - m)` with an ASSIGNED in place of the STATE,
and of ModelDB 52034's holt_alphasyn.mod (its filter's state_t1, state_t2).
ENDCOMMENT

NEURON {
    SUFFIX nm_procmem
    NONSPECIFIC_CURRENT i
    RANGE g, e, y
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    g = 0.0005 (S/cm2)
    e = -80 (mV)
    k = 0.02
}

ASSIGNED { v (mV) i (mA/cm2) y }

INITIAL { y = 1 / (1 + exp(-(v + 40) / 5)) }

BREAKPOINT {
    SOLVE relax
    i = g * y * (v - e)
}

PROCEDURE relax() {
    y = y + k * (1 / (1 + exp(-(v + 40) / 5)) - y)
}
