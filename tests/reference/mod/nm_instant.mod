: excitable NMODL test: an instantaneous gate. BREAKPOINT reads minf, which only the SOLVE'd
: DERIVATIVE block (through a PROCEDURE) and INITIAL set: NEURON keeps its last value between
: blocks, and so must the import. USEION ca READ eca (NEURON's default eca, 132.458 mV).
NEURON {
    SUFFIX nm_instant
    USEION ca READ eca WRITE ica
    RANGE gbar, minf
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { gbar = 0.0005 (S/cm2) }
ASSIGNED { v (mV) eca (mV) ica (mA/cm2) minf hinf htau (ms) }
STATE { h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ica = gbar*minf*minf*h*(v - eca)
}
INITIAL { rates(v) h = hinf }
DERIVATIVE states {
    rates(v)
    h' = (hinf - h)/htau
}
PROCEDURE rates(v (mV)) {
    minf = 1/(1 + exp(-(v + 50)/7.4))
    hinf = 1/(1 + exp((v + 78)/5))
    htau = 20 + 50/(1 + exp((v + 60)/10))
}
