COMMENT
Test mechanism (see bs_na.mod): the delayed-rectifier K+ current of the ball-and-stick cell (Traub &
Miles 1991 rates), n^4, q10 temperature factor, cnexp.
ENDCOMMENT

NEURON {
    SUFFIX bs_kdr
    USEION k READ ek WRITE ik
    RANGE gbar, ik
    GLOBAL q10
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.03 (S/cm2)
    q10 = 3
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    celsius (degC)
    ninf
    ntau (ms)
}

STATE { n }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar * n * n * n * n * (v - ek)
}

INITIAL {
    rates(v)
    n = ninf
}

DERIVATIVE states {
    rates(v)
    n' = (ninf - n) / ntau
}

PROCEDURE rates(vm (mV)) {
    LOCAL an, bn, qt
    qt = q10 ^ ((celsius - 23) / 10)
    an = 0.032 * vtrap(-(vm + 52), 5)
    bn = 0.5 * exp(-(vm + 57) / 40)
    ninf = an / (an + bn)
    ntau = 1 / ((an + bn) * qt)
}

FUNCTION vtrap(x, y) {
    if (fabs(x / y) < 1e-6) {
        vtrap = y * (1 - x / y / 2)
    } else {
        vtrap = x / (exp(x / y) - 1)
    }
}
