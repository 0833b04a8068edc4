: A delayed-rectifier K+ channel written the way many published hippocampal models are (written for
: excitable's tests): BREAKPOINT SOLVEs a PROCEDURE (no METHOD) that advances the gates explicitly
: with exponential factors from dt, kept in file-level LOCALs, and ends with a C `return 0;`.

NEURON {
    SUFFIX nm_procsolve
    USEION k READ ek WRITE ik
    RANGE gbar, ik
    GLOBAL ninf, ntau
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    gbar = 0.02 (mho/cm2)
    vhalf = -25 (mV)
    slope = 9 (mV)
    tmin = 0.4 (ms)
    q10 = 3
    v (mV)
    dt (ms)
    celsius = 20 (degC)
}

ASSIGNED {
    ik (mA/cm2)
    ek (mV)
    ninf
    ntau (ms)
}

STATE { n }

LOCAL nexp

INITIAL {
    rates(v)
    n = ninf
}

BREAKPOINT {
    SOLVE states
    ik = gbar * n * n * (v - ek)
}

PROCEDURE states() {
    rates(v)
    n = n + nexp * (ninf - n)
    VERBATIM
    return 0;
    ENDVERBATIM
}

PROCEDURE rates(vm (mV)) {
    LOCAL a, b, qt
    qt = q10 ^ ((celsius - 24) / 10)
    a = lin(vm, vhalf, 0.05, slope)
    b = 0.1 * exp(-(vm - vhalf) / 40)
    ntau = 1 / (a + b) / qt
    if (ntau < tmin) { ntau = tmin }
    ninf = a / (a + b)
    nexp = 1 - exp(-dt / ntau)
}

FUNCTION lin(x, th, r, q) {
    if (fabs(x - th) > 1e-6) {
        lin = r * (x - th) / (1 - exp(-(x - th) / q))
    } else {
        lin = r * q
    }
}
