COMMENT
excitable's test of a BREAKPOINT reading t (written for the purpose): a current that grows with
time and the time of its run kept in a RANGE variable. NEURON's nrn_cur runs at t + dt/2 in each
step (fadvance moves t by half a step first) and at t = 0 in finitialize, so the first sample of
tb is 0 and of i is g*(v + 65).
ENDCOMMENT

NEURON {
    SUFFIX nm_bptime
    NONSPECIFIC_CURRENT i
    RANGE g, tb
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}
PARAMETER {
    g = 0.0005 (S/cm2)
}
ASSIGNED {
    v (mV)
    i (mA/cm2)
    tb (ms)
}
BREAKPOINT {
    tb = t
    i = g*(v + 60)*(1 + 0.1*t)
}
