COMMENT
Test mechanism (issue 18): potassium on both sides of the membrane, in the form of the cerebellar
Golgi cell's k_conc (Solinas et al. 2007): ki in a shell of depth `d` under the membrane and ko in
a space of the same depth outside it, both driven by the compartment's total ik and relaxing to
`ki0` and `ko0` at rate `beta`. It reads ik, ki and ko, writes ki and ko (STATEs), by derivimplicit;
INITIAL starts them away from rest (`kistart`, `kostart`), so both move from the start.
Units: mA/cm2 -> mM/ms is 1e4 / (F d(um)).
ENDCOMMENT

NEURON {
    SUFFIX nm_kconc
    USEION k READ ik, ki, ko WRITE ki, ko
    RANGE d, beta, ki0, ko0, kistart, kostart
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (um) = (micron)
    (mM) = (milli/liter)
    FARADAY = (faraday) (coulombs)
}

PARAMETER {
    d = 0.2 (um)
    ko0 = 5 (mM)
    ki0 = 140 (mM)
    kistart = 130 (mM)
    kostart = 7 (mM)
    beta = 0.075 (/ms)
}

ASSIGNED { ik (mA/cm2) }

STATE { ki (mM) ko (mM) }

INITIAL {
    ki = kistart
    ko = kostart
}

BREAKPOINT { SOLVE conc METHOD derivimplicit }

DERIVATIVE conc {
    ki' = -(1e4) * ik / (FARADAY * d) + (ki0 - ki) * beta
    ko' = (1e4) * ik / (FARADAY * d) + (ko0 - ko) * beta
}
