COMMENT
GLOBALs the SOLVE'd block sets and BREAKPOINT reads, each one number for all instances: qfac from the
GLOBAL PARAMETER temp through a FUNCTION and a LOCAL, and tw from t alone (every instance runs a step's
block at the same t). NEURON's "last instance's value" is each instance's own
(tests/io/nmodl/test_uniform_globals.py, beside NEURON on a soma and a dendrite).
ENDCOMMENT
NEURON {
    SUFFIX nm_tadjfn
    NONSPECIFIC_CURRENT i
    RANGE gbar
    GLOBAL qfac, tw, q10, temp
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER {
    gbar = 0.0005 (S/cm2)
    e = -90 (mV)
    q10 = 3
    temp = 30 (degC)
}
ASSIGNED { v (mV) i (mA/cm2) celsius (degC) qfac tw }
STATE { q }
INITIAL {
    settle()
    q = 1/(1 + exp(-(v + 50)/6))
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*qfac*tw*q*(v - e)
}
DERIVATIVE states {
    settle()
    q' = (1/(1 + exp(-(v + 50)/6)) - q)*qfac/3
}
PROCEDURE settle() {
    LOCAL k
    k = qt(temp)
    if (k > 1) {
        qfac = k
    } else {
        qfac = 1
    }
    tw = 1 + 0.5*exp(-t/4)
}
FUNCTION qt(tt (degC)) {
    qt = q10^((celsius - tt)/10)
}
