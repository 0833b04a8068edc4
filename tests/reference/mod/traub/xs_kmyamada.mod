: Slow non-inactivating K+ (M-current) of Yamada, Koch & Adams (1989), as excitable's KMYamada
: (Pospischil et al. 2008): i = gkbar p (v - ek), p_inf = 1/(1 + exp(-(v+35)/10)),
: tau_p = tau_max / (3.3 exp((v+35)/20) + exp(-(v+35)/20)) / 2.3^((celsius - 36)/10).
NEURON {
    SUFFIX xs_kmyamada
    NONSPECIFIC_CURRENT i
    RANGE gkbar, ek, tau_max
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER {
    gkbar = 7.5e-5 (S/cm2)
    ek = -90 (mV)
    tau_max = 608 (ms)
}
ASSIGNED { v (mV) celsius (degC) i (mA/cm2) pinf ptau (ms) }
STATE { p }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gkbar * p * (v - ek)
}
INITIAL { rates(v) p = pinf }
DERIVATIVE states {
    rates(v)
    p' = (pinf - p) / ptau
}
PROCEDURE rates(v (mV)) {
    LOCAL x
    UNITSOFF
    x = (v + 35) / 20
    pinf = 1 / (1 + exp(-(v + 35) / 10))
    ptau = tau_max / (3.3 * exp(x) + exp(-x)) / 2.3 ^ ((celsius - 36) / 10)
    UNITSON
}
