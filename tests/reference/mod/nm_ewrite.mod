COMMENT
Test mechanism (issue 18): a mechanism that WRITEs a reversal potential, in the manner of Cutsuridis
et al.'s ccanl.mod (eca = RT/2F ln(cao/cai) computed by the file, with the file's own R and FARADAY).
Its calcium-like STATE c relaxes from c0 to cinf; BREAKPOINT (no currents: NEURON runs it in
nrn_state, after the SOLVE) sets eca from the new c, and INITIAL sets both. NEURON stores eca in the
ion there (ion style "e state": no Nernst), so every mechanism's current reads it at the next step.
ENDCOMMENT

NEURON {
    SUFFIX nm_ewrite
    USEION ca READ cao WRITE eca
    RANGE c0, cinf, tau
}

UNITS {
    (mV) = (millivolt)
    (mM) = (milli/liter)
    FARADAY = 96520 (coul)
    R = 8.3134 (joule/degC)
}

PARAMETER {
    c0 = 5e-5 (mM)
    cinf = 1e-3 (mM)
    tau = 10 (ms)
}

ASSIGNED { cao (mM) eca (mV) celsius (degC) }

STATE { c (mM) }

INITIAL {
    c = c0
    eca = ktf()*log(cao/c)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    eca = ktf()*log(cao/c)
}

DERIVATIVE states {
    c' = (cinf - c)/tau
}

FUNCTION ktf() (mV) {
    ktf = (1000)*R*(celsius + 273.15)/(2*FARADAY)
}
