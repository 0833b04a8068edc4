TITLE A leak that declares the ttx ion's valence (excitable's test file)

COMMENT
Blue Brain's TTXDynamicsSwitch.mod and NaV.mod declare USEION ttx READ ttxo, ttxi VALENCE 1: one
such file in a library gives the ion its valence for every file using it (nm_ttxchan.mod). Its
leak conductance scales with ttxo/(ttxo + ttxi): 1/2 with NEURON's 1 mM defaults.
ENDCOMMENT

NEURON {
    SUFFIX nm_ttxvalence
    USEION ttx READ ttxo, ttxi VALENCE 1
    NONSPECIFIC_CURRENT i
    RANGE g, e
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
}

PARAMETER {
    g = 0.0002 (S/cm2)
    e = -70 (mV)
}

ASSIGNED { v (mV) i (mA/cm2) ttxo (mM) ttxi (mM) }

BREAKPOINT {
    i = g*(v - e)*ttxo/(ttxo + ttxi)
}
