COMMENT
Test mechanism: values BREAKPOINT computes from v after its SOLVE, which the DERIVATIVE block
reads and does not set (ModelDB 84589 kahp.mod's rates(v) after the SOLVE; 267140 ican.mod's
ican = gbar*frac*m*m*(v - eca), read by its DERIVATIVE). NEURON's nrn_state sees what nrn_cur
left: minf, mtau and ix at the step's OLD V (and the old m), not at the new one.
An inward rectifier (minf falls with v, kir-like), i = gbar m (v - e); c integrates ix.
ENDCOMMENT

NEURON {
    SUFFIX nm_feedv
    NONSPECIFIC_CURRENT i
    RANGE gbar, e, minf, mtau, ix
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.001 (S/cm2)
    e = -90 (mV)
    kc = 20 (cm2/mA-ms)
    tauc = 4 (ms)
}

ASSIGNED { v (mV) i (mA/cm2) minf mtau (ms) ix (mA/cm2) }

STATE { m c }

INITIAL {
    rates(v)
    m = minf
    c = 0
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    rates(v)
    i = gbar * m * (v - e)
    ix = i
}

DERIVATIVE states {
    m' = (minf - m) / mtau
    c' = -kc * ix - c / tauc
}

PROCEDURE rates(v (mV)) {
    minf = 1 / (1 + exp((v + 70) / 8))
    mtau = 0.5 + 3 / (1 + exp((v + 60) / 15))
}
