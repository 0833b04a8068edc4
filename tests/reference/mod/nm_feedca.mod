COMMENT
Test mechanism: values BREAKPOINT computes from ion values after its SOLVE, which the DERIVATIVE
block (derivimplicit) reads and does not set (ModelDB 267140 ican.mod's form: a Ca-activated cation
gate m_inf, tau_m from cai, and ican from v and eca driving a private pool can). NEURON's nrn_state
sees what nrn_cur left: from the cai and eca of the step's start (before a pool's nrn_state moved
cai) and the old V. The current itself reads v and m only.
ENDCOMMENT

NEURON {
    SUFFIX nm_feedca
    USEION ca READ cai, eca
    NONSPECIFIC_CURRENT i
    RANGE gbar, erev, frac, cac, beta, taumin, taur, m_inf, tau_m, ican
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.0005 (S/cm2)
    erev = -20 (mV)
    frac = 0.2
    cac = 1e-4 (mM)
    beta = 0.05 (/ms)
    taumin = 0.5 (ms)
    taur = 20 (ms)
    kn = 500 (cm2-mM/mA-ms)
}

ASSIGNED { v (mV) i (mA/cm2) cai (mM) eca (mV) m_inf tau_m (ms) ican (mA/cm2) }

STATE { m can (mM) }

INITIAL {
    can = cai
    evaluate(cai)
    m = m_inf
}

BREAKPOINT {
    SOLVE states METHOD derivimplicit
    evaluate(cai)
    ican = gbar * frac * m * (v - eca)
    i = gbar * m * (v - erev)
}

DERIVATIVE states {
    m' = (m_inf - m) / tau_m
    can' = -kn * ican - (can - cai) / taur
}

PROCEDURE evaluate(c (mM)) {
    LOCAL a2
    a2 = beta * (c / cac) ^ 2
    tau_m = 1 / (a2 + beta)
    if (tau_m < taumin) {
        tau_m = taumin
    }
    m_inf = a2 / (a2 + beta)
}
