TITLE A Na channel blocked by TTX, reading the ttx ion without VALENCE (excitable's test file)

COMMENT
The shape of Blue Brain's neocortex Na channels (NaTg.mod: USEION ttx READ ttxo, ttxi): the ion
ttx, which NEURON does not know, is used without VALENCE. NEURON compiles it, and runs it only
where another file of the same library declares the valence (nm_ttxvalence.mod, VALENCE 1); then
ttxo = ttxi = 1 mM (NEURON's defaults for a new ion), so the block b is 1/(1 + 2/0.5) = 0.2 here.
ENDCOMMENT

NEURON {
    SUFFIX nm_ttxchan
    USEION na READ ena WRITE ina
    USEION ttx READ ttxo, ttxi
    RANGE gbar, kd
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
}

PARAMETER {
    gbar = 0.02 (S/cm2)
    kd = 0.5 (mM)
}

ASSIGNED { v (mV) ena (mV) ina (mA/cm2) ttxo (mM) ttxi (mM) minf tau (ms) }

STATE { m }

INITIAL {
    rates(v)
    m = minf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    ina = gbar*m*(v - ena)/(1 + (ttxo + ttxi)/kd)
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/tau
}

PROCEDURE rates(v (mV)) {
    minf = 1/(1 + exp(-(v + 40)/6))
    tau = 0.5 + 2/(1 + exp((v + 50)/10))
}
