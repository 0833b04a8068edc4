: FUNCTION_TABLE (written for excitable's tests): an HH-like Na/K channel whose m time constant is
: a measured table of v (tau1, one argument) and whose h steady state is a table of v and celsius
: (hinf2, two arguments). NEURON fills both from hoc/Python after loading
: (h.table_tau1_nm_functable, h.table_hinf2_nm_functable); excitable from load_mod(tables=...).
: Everything else is hh.mod's, so the tables' values are the only thing that can differ.

NEURON {
    SUFFIX nm_functable
    USEION na READ ena WRITE ina
    USEION k READ ek WRITE ik
    NONSPECIFIC_CURRENT il
    RANGE gnabar, gkbar, gl, el
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gnabar = .12 (S/cm2)
    gkbar = .036 (S/cm2)
    gl = .0003 (S/cm2)
    el = -54.3 (mV)
}

STATE {
    m h n
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ena (mV)
    ek (mV)
    ina (mA/cm2)
    ik (mA/cm2)
    il (mA/cm2)
    minf
    hinf
    ninf
    mtau (ms)
    htau (ms)
    ntau (ms)
}

FUNCTION_TABLE tau1(v(mV)) (ms)
FUNCTION_TABLE hinf2(v(mV), celsius(degC))

BREAKPOINT {
    SOLVE states METHOD cnexp
    ina = gnabar*m*m*m*h*(v - ena)
    ik = gkbar*n*n*n*n*(v - ek)
    il = gl*(v - el)
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
    n = ninf
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
    n' = (ninf - n)/ntau
}

PROCEDURE rates(v(mV)) {
    LOCAL alpha, beta, sum, q10
    q10 = 3^((celsius - 6.3)/10)
    alpha = .1*vtrap(-(v + 40), 10)
    beta = 4*exp(-(v + 65)/18)
    minf = alpha/(alpha + beta)
    mtau = tau1(v)/q10
    alpha = .07*exp(-(v + 65)/20)
    beta = 1/(exp(-(v + 35)/10) + 1)
    htau = 1/(q10*(alpha + beta))
    hinf = hinf2(v, celsius)
    alpha = .01*vtrap(-(v + 55), 10)
    beta = .125*exp(-(v + 65)/80)
    ntau = 1/(q10*(alpha + beta))
    ninf = alpha/(alpha + beta)
}

FUNCTION vtrap(x, y) {
    if (fabs(x/y) < 1e-6) {
        vtrap = y*(1 - x/y/2)
    } else {
        vtrap = x/(exp(x/y) - 1)
    }
}
