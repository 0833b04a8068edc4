COMMENT
Test mechanism (issue 18): a calcium pool of Destexhe's cad.mod form (ModelDB 266900 cad2.mod,
108459, 114359), whose ion variables are declared in PARAMETER rather than ASSIGNED: cai (written
from the SOLVE'd block, cai = ca, ca a STATE) and cao (read). nocmodl makes both the ion's ("Default
0.001 of PARAMETER cai will be ignored and set by NEURON"): the defaults below are never used, cai
starts from ca and cao is the ion's 2 mM. cao enters the pool's resting level (cainf cao/2) so that
a run with the PARAMETER's 3 mM would differ. Units: mA/cm2 -> mM/ms is 1e4 / (2 F depth(um)).
ENDCOMMENT

NEURON {
    SUFFIX nm_cadparam
    USEION ca READ ica, cai, cao WRITE cai
    RANGE ca, depth, taur, cainf
}

UNITS {
    (mM) = (milli/liter)
    (mA) = (milliamp)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    depth = 0.1 (um)
    taur = 20 (ms)
    cainf = 1e-4 (mM)
    cai = 0.001 (mM)
    cao = 3 (mM)
}

ASSIGNED { ica (mA/cm2) }

STATE { ca (mM) }

INITIAL {
    ca = cainf * cao / 2
    cai = ca
}

BREAKPOINT { SOLVE state METHOD derivimplicit }

DERIVATIVE state {
    ca' = -(10000) * ica / (2 * FARADAY * depth) + (cainf * cao / 2 - ca) / taur
    cai = ca
}
