COMMENT
Test mechanism for tests/io/test_model_parameters.py and tests/experiments/cables/test_model.py: the
fast Na+ current of the ball-and-stick cell (Traub & Miles 1991 rates, the form ModelDB's cortical
cells use), q10 temperature factor, the rates through a vtrap() the file defines, cnexp.
ENDCOMMENT

NEURON {
    SUFFIX bs_na
    USEION na READ ena WRITE ina
    RANGE gbar, ina
    GLOBAL q10
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.1 (S/cm2)
    q10 = 3
}

ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    celsius (degC)
    minf
    hinf
    mtau (ms)
    htau (ms)
}

STATE { m h }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ina = gbar * m * m * m * h * (v - ena)
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m) / mtau
    h' = (hinf - h) / htau
}

PROCEDURE rates(vm (mV)) {
    LOCAL am, bm, ah, bh, qt
    qt = q10 ^ ((celsius - 23) / 10)
    am = 0.32 * vtrap(-(vm + 54), 4)
    bm = 0.28 * vtrap(vm + 27, 5)
    ah = 0.128 * exp(-(vm + 50) / 18)
    bh = 4 / (1 + exp(-(vm + 27) / 5))
    minf = am / (am + bm)
    mtau = 1 / ((am + bm) * qt)
    hinf = ah / (ah + bh)
    htau = 1 / ((ah + bh) * qt)
}

FUNCTION vtrap(x, y) {
    : x / (exp(x / y) - 1), its limit y (1 - x / (2 y)) near x = 0 (0/0 otherwise)
    if (fabs(x / y) < 1e-6) {
        vtrap = y * (1 - x / y / 2)
    } else {
        vtrap = x / (exp(x / y) - 1)
    }
}
