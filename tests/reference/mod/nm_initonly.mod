: A RANGE value only INITIAL sets, from parameters and the starting V (as ModelDB 267355 cdp5.mod's
: BTC_ca), beside one BREAKPOINT sets (written for excitable's tests): NEURON keeps INITIAL's value.
NEURON {
    SUFFIX nm_initonly
    NONSPECIFIC_CURRENT i
    RANGE g, e, frac, kd, b0, gnow
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
    (mM) = (milli/liter)
}
PARAMETER {
    g = 0.0001 (S/cm2)
    e = -70 (mV)
    kd = 0.2 (mM)
    b0 = 0.05 (mM)
}
ASSIGNED {
    v (mV)
    i (mA/cm2)
    frac (1)
    gnow (S/cm2)
}
INITIAL {
    frac = b0/(kd + b0) + v/1000
}
BREAKPOINT {
    gnow = g*(1 + v/100)
    i = gnow*(v - e)
}
