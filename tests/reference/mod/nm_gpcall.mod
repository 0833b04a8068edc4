: GLOBAL PARAMETERs that INITIAL sets through a PROCEDURE's argument or from a FUNCTION of shared
: values only, as ModelDB 258643's SNc channels do (setVhalf(Vhalf), setTauMod(taumod), tadj =
: tadj_ca_l()): every instance writes the same number, so NEURON's one value is each compartment's
: own. An HH-like sodium and potassium current: the sodium activation's half point vh from
: setvh(Vhalf) (passed on to a second PROCEDURE), the inactivation's time scale tk from
: setk(celsius), tadj from qfac() of q10, temp and celsius. The tests swap in v, a STATE, diam or
: a RANGE value (or a FUNCTION reading v): the file is then refused.
NEURON {
    SUFFIX nm_gpcall
    NONSPECIFIC_CURRENT i
    RANGE gna, gk
    GLOBAL Vhalf, vh, tk, q10, temp, tadj
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER {
    gna = 0.12 (S/cm2)
    gk = 0.036 (S/cm2)
    ena = 50 (mV)
    ek = -77 (mV)
    Vhalf = -40 (mV)
    vh = -20 (mV)
    tk = 10 (degC)
    q10 = 2
    temp = 15 (degC)
    tadj = 1
}
ASSIGNED { v (mV) i (mA/cm2) celsius (degC) }
STATE { m h n }
INITIAL {
    setvh(Vhalf)
    setk(celsius)
    tadj = qfac()
    m = 1/(1 + exp(-(v - vh)/(7 (mV))))
    h = 1/(1 + exp((v + 62 (mV))/(7 (mV))))
    n = 1/(1 + exp(-(v + 45 (mV))/(10 (mV))))
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gna*m*m*m*h*(v - ena) + gk*n*n*n*n*(v - ek)
}
DERIVATIVE states {
    m' = tadj*(1/(1 + exp(-(v - vh)/(7 (mV)))) - m)/(0.1 (ms))
    h' = tadj*(1/(1 + exp((v + 62 (mV))/(7 (mV)))) - h)/(0.05 (ms/degC)*tk)
    n' = tadj*(1/(1 + exp(-(v + 45 (mV))/(10 (mV)))) - n)/(3 (ms))
}
PROCEDURE setvh(w (mV)) {
    sethalf(w)
}
PROCEDURE sethalf(y (mV)) {
    vh = y
}
PROCEDURE setk(c (degC)) {
    tk = c
}
FUNCTION qfac() {
    qfac = q10^((celsius - temp)/(10 (degC)))
}
