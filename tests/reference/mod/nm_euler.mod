: excitable NMODL test: SOLVE by explicit `euler`, a PROCEDURE writing GLOBAL assigned variables,
: LOCAL variables, celsius with a q10 factor, log/pow/sqrt, and else-if chains.
NEURON {
    SUFFIX nm_euler
    USEION na READ ena WRITE ina
    RANGE gbar
    GLOBAL winf, wtau
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { gbar = 0.005 (S/cm2) q10 = 2.5 tref = 22 (degC) }
ASSIGNED { v (mV) ena (mV) ina (mA/cm2) celsius (degC) winf wtau (ms) }
STATE { w }
BREAKPOINT {
    SOLVE st METHOD euler
    ina = gbar*pow(w, 3)*(v - ena)
}
INITIAL { settle(v) w = winf }
DERIVATIVE st {
    settle(v)
    w' = (winf - w)/wtau
}
PROCEDURE settle(v (mV)) { LOCAL phi, s
    phi = q10^((celsius - tref)/10)
    s = sqrt(1 + log(1 + exp(v/10)))
    winf = 1/(1 + exp(-(v + 30)/8))
    if (v < -60) {
        wtau = 4/phi
    } else if (v < 0) {
        wtau = (2 + s)/phi
    } else {
        wtau = 2/phi
    }
}
