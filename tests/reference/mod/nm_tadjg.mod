COMMENT
A K channel in Mainen & Sejnowski's style (their ca.mod, kca.mod, km.mod, kv.mod, na.mod): GLOBAL tadj,
q10^((celsius - temp)/10), set in the PROCEDURE the SOLVE'd block calls and read in BREAKPOINT. Every
instance writes the same number, so NEURON's "last instance's value" is each instance's own
(tests/io/nmodl/test_uniform_globals.py, beside NEURON on a soma and a dendrite).
ENDCOMMENT
NEURON {
    SUFFIX nm_tadjg
    USEION k READ ek WRITE ik
    RANGE gbar, ninf, ntau
    GLOBAL tadj, q10, temp
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER {
    gbar = 0.005 (S/cm2)
    q10 = 2.3
    temp = 23 (degC)
}
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) celsius (degC) ninf ntau (ms) tadj }
STATE { n }
INITIAL {
    rates(v)
    n = ninf
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = tadj*gbar*n*(v - ek)
}
DERIVATIVE states {
    rates(v)
    n' = (ninf - n)/ntau
}
PROCEDURE rates(v (mV)) {
    ninf = 1/(1 + exp(-(v + 30)/9))
    tadj = q10^((celsius - temp)/10)
    ntau = (1 + 4*exp(-((v + 40)/20)^2))/tadj
}
