COMMENT
Test mechanism (issue 18), in the manner of Cutsuridis et al.'s ccanl.mod: a pool of an ion NEURON
does not know (nca, VALENCE 2) that writes both its inside concentration (a STATE, integrating the
total inca, SOLVE'd by derivimplicit) and its reversal potential, computed in BREAKPOINT after the
SOLVE with the file's own R and FARADAY (ion style "e state": NEURON computes no Nernst for it).
nm_ncachan.mod's current reads that enca.
ENDCOMMENT

NEURON {
    SUFFIX nm_ccanl
    USEION nca READ ncai, inca, enca WRITE enca, ncai VALENCE 2
    RANGE caiinf, catau, depth
}

UNITS {
    (mV) = (millivolt)
    (mM) = (milli/liter)
    (mA) = (milliamp)
    FARADAY = 96520 (coul)
    R = 8.3134 (joule/degC)
}

PARAMETER {
    depth = 200 (nm)
    catau = 9 (ms)
    caiinf = 5e-5 (mM)
    cao = 2 (mM)
}

ASSIGNED { inca (mA/cm2) enca (mV) celsius (degC) }

STATE { ncai (mM) }

INITIAL {
    ncai = caiinf
    enca = ktf()*log(cao/ncai)
}

BREAKPOINT {
    SOLVE integrate METHOD derivimplicit
    enca = ktf()*log(cao/ncai)
}

DERIVATIVE integrate {
    ncai' = -inca/depth/FARADAY*(1e7) + (caiinf - ncai)/catau
}

FUNCTION ktf() (mV) {
    ktf = (1000)*R*(celsius + 273.15)/(2*FARADAY)
}
