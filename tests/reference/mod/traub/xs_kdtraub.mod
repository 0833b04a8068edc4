: Traub & Miles (1991) delayed-rectifier K+ with threshold shift vt, as excitable's KdTraub
: (Pospischil et al. 2008): i = gkbar n^4 (v - ek), rates at 36 degC times q10^((celsius - 36)/10).
NEURON {
    SUFFIX xs_kdtraub
    NONSPECIFIC_CURRENT i
    RANGE gkbar, ek, vt
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER {
    gkbar = 0.006 (S/cm2)
    ek = -90 (mV)
    vt = -56.2 (mV)
}
ASSIGNED { v (mV) celsius (degC) i (mA/cm2) ninf ntau (ms) }
STATE { n }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gkbar * n * n * n * n * (v - ek)
}
INITIAL { rates(v) n = ninf }
DERIVATIVE states {
    rates(v)
    n' = (ninf - n) / ntau
}
PROCEDURE rates(v (mV)) {
    LOCAL v2, an, bn, phi
    UNITSOFF
    phi = 3 ^ ((celsius - 36) / 10)
    v2 = v - vt
    an = 0.032 * vtrap(15 - v2, 5)
    bn = 0.5 * exp((10 - v2) / 40)
    ninf = an / (an + bn)
    ntau = 1 / (phi * (an + bn))
    UNITSON
}
FUNCTION vtrap(x, y) {
    if (fabs(x / y) < 1e-6) {
        vtrap = y * (1 - x / y / 2)
    } else {
        vtrap = x / (exp(x / y) - 1)
    }
}
