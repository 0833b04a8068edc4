: A calcium-gated potassium conductance whose INITIAL copies cai from the ion in C, as Destexhe's
: files do (M1NetworkModel Ican.mod, Allen's iahp.mod): NEURON has copied it in before INITIAL runs.
NEURON {
    SUFFIX nm_ioncopy
    USEION ca READ cai
    USEION k READ ek WRITE ik
    RANGE gbar, kd
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (mM) = (milli/liter) }
PARAMETER {
    gbar = 0.002 (mho/cm2)
    cai = 5e-5 (mM)
    kd = 1e-4 (mM)
}
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) minf }
STATE { m }
INITIAL {
    VERBATIM
    cai = _ion_cai;
    ENDVERBATIM
    minf = cai/(cai + kd)
    m = minf
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*m*(v - ek)
}
DERIVATIVE states {
    minf = cai/(cai + kd)
    m' = (minf - m)/(10 (ms))
}
