COMMENT
Test mechanism (issue 18): a calcium pool of NEURON's cadecay / CaDynamics form. Ca2+ enters a
submembrane shell of depth `depth` by the compartment's total ica (the fraction `gamma` left free by
buffers) and leaves with time constant `decay` toward `cainf`. It reads ica and writes cai, a STATE:
NEURON then gives every mechanism of the section this cai, and eca by Nernst from it. No INITIAL:
cai starts at NEURON's cai0_ca_ion (5e-5 mM), away from cainf, so the pool moves from the start.
Units: mA/cm2 -> mM/ms is 1e4 / (2 F depth(um)).
ENDCOMMENT

NEURON {
    SUFFIX nm_cadecay
    USEION ca READ ica WRITE cai
    RANGE gamma, decay, depth, cainf
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulombs)
}

PARAMETER {
    gamma = 0.05
    decay = 20 (ms)
    depth = 0.1 (um)
    cainf = 1e-4 (mM)
}

ASSIGNED { ica (mA/cm2) }

STATE { cai (mM) }

BREAKPOINT { SOLVE states METHOD cnexp }

DERIVATIVE states {
    cai' = -(10000) * (ica * gamma / (2 * FARADAY * depth)) - (cai - cainf) / decay
}
