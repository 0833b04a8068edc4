COMMENT
Test mechanism (issue 18): potassium accumulating outside the membrane, in a Frankenhaeuser-Hodgkin
space of thickness `fhspace` (the form of NEURON's classic kext.mod): K+ leaving the cell by the
compartment's total ik fills the space, and the space relaxes toward the bath's `kbath` with time
constant `txfer`. It reads ik and writes ko, a STATE: NEURON then gives every mechanism of the
section this ko, and ek by Nernst from ki and it. INITIAL starts ko at `ko0`, away from kbath and from
NEURON's 2.5 mM, so the space moves from the start even without current.
Units: mA/cm2 -> mM/ms is 1e8 / (F fhspace(angstrom)).
ENDCOMMENT

NEURON {
    SUFFIX nm_kext
    USEION k READ ik WRITE ko
    RANGE fhspace, txfer, kbath, ko0
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
    FARADAY = (faraday) (coulombs)
}

PARAMETER {
    kbath = 3 (mM)
    ko0 = 3.5 (mM)
    fhspace = 1000 (angstrom)
    txfer = 20 (ms)
}

ASSIGNED { ik (mA/cm2) }

STATE { ko (mM) }

INITIAL { ko = ko0 }

BREAKPOINT { SOLVE state METHOD cnexp }

DERIVATIVE state {
    ko' = (1e8) * ik / (fhspace * FARADAY) + (kbath - ko) / txfer
}
