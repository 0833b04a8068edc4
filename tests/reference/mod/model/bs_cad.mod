COMMENT
Test mechanism for the ball-and-stick cell's calcium pool (the Allen models' CaDynamics.mod form): a
submembrane shell of depth `depth` that Ca2+ enters by ica (the fraction `gamma` left free by the
buffers) and leaves with time constant `decay` toward minCai. It writes cai, so NEURON computes eca
from it (Nernst) at every step, which drives bs_cahva.mod's current
(tests/io/test_model_parameters.py compares the cell's spike times with NEURON's).
ENDCOMMENT

NEURON {
    SUFFIX bs_cad
    USEION ca READ ica WRITE cai
    RANGE decay, gamma, depth, minCai
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    FARADAY = (faraday) (coulombs)
    (molar) = (1/liter)
    (mM) = (millimolar)
    (um) = (micron)
}

PARAMETER {
    gamma = 0.05
    decay = 80 (ms)
    depth = 0.1 (um)
    minCai = 1e-4 (mM)
}

ASSIGNED { ica (mA/cm2) }

STATE { cai (mM) }

BREAKPOINT { SOLVE states METHOD cnexp }

DERIVATIVE states {
    cai' = -(10000) * (ica * gamma / (2 * FARADAY * depth)) - (cai - minCai) / decay
}
