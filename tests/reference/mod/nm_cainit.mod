TITLE A calcium pool whose INITIAL sets cai (excitable's test file)

COMMENT
cai starts at cainf (1e-4 mM), not at NEURON's cai0_ca_ion (5e-5 mM): a mechanism whose INITIAL
reads cai sees which of the two it got, so the order of the INITIAL blocks shows in its traces.
Units: mA/cm2 -> mM/ms is 1e4 / (2 F depth(um)).
ENDCOMMENT

NEURON {
    SUFFIX nm_cainit
    USEION ca READ ica WRITE cai
    RANGE depth, taur, cainf
}

UNITS {
    (mM) = (milli/liter)
    (mA) = (milliamp)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    depth = 0.2 (um)
    taur = 20 (ms)
    cainf = 1e-4 (mM)
}

ASSIGNED { ica (mA/cm2) }

STATE { cai (mM) }

INITIAL { cai = cainf }

BREAKPOINT { SOLVE state METHOD cnexp }

DERIVATIVE state {
    cai' = -ica*(1e4)/(2*FARADAY*depth) - (cai - cainf)/taur
}
