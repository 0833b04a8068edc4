COMMENT
Accumulation of nai and ki from the total ina and ik of the segment, over the whole cross-section
(volume per membrane area = diam / 4), as excitable.engine.ions.advance_pools does:
    d[X]i/dt = -iX / (z F) * 4 / diam
Units: mA/cm2 -> mM/ms is 1e4 * 4 / (diam(um) * FARADAY).
ENDCOMMENT

NEURON {
    SUFFIX accum_ex
    USEION na READ ina WRITE nai
    USEION k READ ik WRITE ki
}

UNITS {
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
}

ASSIGNED {
    ina (mA/cm2)
    ik (mA/cm2)
    diam (um)
}

STATE {
    nai (mM)
    ki (mM)
}

BREAKPOINT {
    SOLVE conc METHOD cnexp
}

DERIVATIVE conc {
    nai' = -ina * (1e4) * 4 / (diam * FARADAY)
    ki' = -ik * (1e4) * 4 / (diam * FARADAY)
}
