: excitable NMODL test: a four-state Markov K channel advanced by a KINETIC scheme (sparse) and
: initialized at its exact equilibrium by a LINEAR block (INITIAL { rates(v) SOLVE seqinit }), the
: way Khaliq & Raman's resurgent Na channel starts its 13 states. The equations are written as a
: published file writes them: the balance of each of three states and the conservation law.
NEURON {
    SUFFIX nm_linear_init
    USEION k READ ek WRITE ik
    RANGE gbar
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER {
    gbar = 0.02 (S/cm2)
    a0 = 0.3 (/ms)
    b0 = 0.08 (/ms)
    kin = 0.04 (/ms)
    kout = 0.015 (/ms)
}
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) a (/ms) b (/ms) }
STATE { C1 C2 O I }
BREAKPOINT {
    SOLVE scheme METHOD sparse
    ik = gbar*O*(v - ek)
}
INITIAL {
    rates(v)
    SOLVE seqinit
}
KINETIC scheme {
    rates(v)
    ~ C1 <-> C2 (2*a, b)
    ~ C2 <-> O (a, 2*b)
    ~ O <-> I (kin, kout)
    CONSERVE C1 + C2 + O + I = 1
}
LINEAR seqinit {
    ~ C2*b - C1*2*a = 0
    ~ C1*2*a + O*2*b - C2*(b + a) = 0
    ~ I*kout + C2*a - O*(2*b + kin) = 0
    ~ C1 + C2 + O + I = 1
}
PROCEDURE rates(v (mV)) {
    a = a0*exp(v/25)
    b = b0*exp(-v/30)
}
