: Traub & Miles (1991) fast Na+ with threshold shift vt, as excitable's NaTraub (Pospischil et al. 2008):
: i = gnabar m^3 h (v - ena), rates at 36 degC times q10^((celsius - 36)/10), vtrap as hh.mod's.
: A nonspecific current with its own reversal, so no ion style has to be set per section.
NEURON {
    SUFFIX xs_natraub
    NONSPECIFIC_CURRENT i
    RANGE gnabar, ena, vt
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER {
    gnabar = 0.056 (S/cm2)
    ena = 50 (mV)
    vt = -56.2 (mV)
}
ASSIGNED { v (mV) celsius (degC) i (mA/cm2) minf hinf mtau (ms) htau (ms) }
STATE { m h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gnabar * m * m * m * h * (v - ena)
}
INITIAL { rates(v) m = minf h = hinf }
DERIVATIVE states {
    rates(v)
    m' = (minf - m) / mtau
    h' = (hinf - h) / htau
}
PROCEDURE rates(v (mV)) {
    LOCAL v2, am, bm, ah, bh, phi
    UNITSOFF
    phi = 3 ^ ((celsius - 36) / 10)
    v2 = v - vt
    am = 0.32 * vtrap(13 - v2, 4)
    bm = 0.28 * vtrap(v2 - 40, 5)
    ah = 0.128 * exp((17 - v2) / 18)
    bh = 4 / (1 + exp((40 - v2) / 5))
    minf = am / (am + bm)
    mtau = 1 / (phi * (am + bm))
    hinf = ah / (ah + bh)
    htau = 1 / (phi * (ah + bh))
    UNITSON
}
FUNCTION vtrap(x, y) {
    if (fabs(x / y) < 1e-6) {
        vtrap = y * (1 - x / y / 2)
    } else {
        vtrap = x / (exp(x / y) - 1)
    }
}
