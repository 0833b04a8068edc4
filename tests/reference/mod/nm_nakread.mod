: excitable NMODL test: a pump-like current that READs the inside concentrations nai and ki (and no
: reversal potential). NEURON's ion style then computes ena and ek by Nernst from the section's
: concentrations (10 / 140 mM, 54.4 / 2.5 mM by default) at finitialize, for every mechanism of the
: section: hh.mod inserted beside it runs on those, not on 50 and -77 mV (tests/io/nmodl/test_ion_style.py).
NEURON {
    SUFFIX nm_nakread
    USEION na READ nai WRITE ina
    USEION k READ ki WRITE ik
    RANGE imax, km_na, km_k, ipump
}
UNITS { (mA) = (milliamp) (mM) = (milli/liter) }
PARAMETER {
    imax = 0.002 (mA/cm2)
    km_na = 10 (mM)
    km_k = 50 (mM)
}
ASSIGNED { nai (mM) ki (mM) ina (mA/cm2) ik (mA/cm2) ipump (mA/cm2) }
BREAKPOINT {
    ipump = imax * nai / (nai + km_na) * km_k / (ki + km_k)
    ina = 3 * ipump
    ik = -2 * ipump
}
