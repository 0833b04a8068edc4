TITLE An h current on an ion of its own, USEION h READ eh WRITE ih (excitable's test file)

COMMENT
Thalamic h-current files (Destexhe's and the many copied from them) declare their current on an
ion NEURON does not know, h, with VALENCE 1, and read its reversal potential eh. NEURON then makes
the ion with its defaults for any new ion: eh = 0 mV, hi = ho = 1 mM. The file also declares eh in
PARAMETER with a value, which NEURON ignores for an ion variable that is read, as here.
ENDCOMMENT

NEURON {
    SUFFIX nm_otherion
    USEION h READ eh WRITE ih VALENCE 1
    RANGE ghbar
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    ghbar = 0.002 (S/cm2)
    eh = -43 (mV)
}

ASSIGNED { v (mV) ih (mA/cm2) minf tau (ms) }

STATE { m }

INITIAL {
    rates(v)
    m = minf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    ih = ghbar*m*(v - eh)
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/tau
}

PROCEDURE rates(v (mV)) {
    minf = 1/(1 + exp((v + 75)/5.5))
    tau = 20 + 1000/(exp((v + 71.5)/14.2) + exp(-(v + 89)/11.6))
}
