COMMENT
A Na channel in Mainen & Sejnowski's style (their na.mod's rate shape and figures, 1996): GLOBAL tadj,
q10^((celsius - temp)/10), set in the PROCEDURE the SOLVE'd block calls and read in BREAKPOINT, here
with trap0() called from it on v (its values are each instance's, tadj is not). The spiking partner
of nm_tadjg.mod in tests/io/nmodl/test_uniform_globals.py (hh is heat-blocked at 36 degC).
ENDCOMMENT
NEURON {
    SUFFIX nm_tadjna
    USEION na READ ena WRITE ina
    RANGE gbar
    GLOBAL tadj, q10, temp
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER {
    gbar = 0.12 (S/cm2)
    tha = -35 (mV)
    qa = 9 (mV)
    Ra = 0.182 (/ms)
    Rb = 0.124 (/ms)
    thi1 = -50 (mV)
    thi2 = -75 (mV)
    qi = 5 (mV)
    thinf = -65 (mV)
    qinf = 6.2 (mV)
    Rg = 0.0091 (/ms)
    Rd = 0.024 (/ms)
    temp = 23 (degC)
    q10 = 2.3
}
ASSIGNED { v (mV) ena (mV) ina (mA/cm2) celsius (degC) minf hinf mtau (ms) htau (ms) tadj }
STATE { m h }
INITIAL {
    rates(v)
    m = minf
    h = hinf
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    ina = tadj*gbar*m*m*m*h*(v - ena)
}
DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}
PROCEDURE rates(vm (mV)) {
    LOCAL a, b
    tadj = q10^((celsius - temp)/10)
    a = trap0(vm, tha, Ra, qa)
    b = trap0(-vm, -tha, Rb, qa)
    mtau = 1/tadj/(a + b)
    minf = a/(a + b)
    a = trap0(vm, thi1, Rd, qi)
    b = trap0(-vm, -thi2, Rg, qi)
    htau = 1/tadj/(a + b)
    hinf = 1/(1 + exp((vm - thinf)/qinf))
}
FUNCTION trap0(x (mV), th (mV), a (/ms), q (mV)) (/ms) {
    if (fabs(x - th) > 1e-6) {
        trap0 = a*(x - th)/(1 - exp(-(x - th)/q))
    } else {
        trap0 = a*q
    }
}
