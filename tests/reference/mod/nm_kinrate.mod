TITLE A linear KINETIC scheme whose rate depends on a state (excitable's test file)

COMMENT
As in Destexhe's Ca-upregulated h current (iar.mod: k3p = k4*(p1/Pc)^nexp, set by a PROCEDURE the
scheme calls), the opening rate here grows with the state P1 of a second, voltage-driven pair.
Every reaction is first order, so NEURON's sparse solver takes one step per dt with the rates as
numbers evaluated at the step's start: the rate's dependence on P1 is not in its matrix. The
INITIAL's STEADYSTATE is one such step of 1e9 ms from the states' values there.
ENDCOMMENT

NEURON {
    SUFFIX nm_kinrate
    USEION k READ ek WRITE ik
    RANGE gbar, kup
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.02 (S/cm2)
    a0 = 0.1 (/ms)
    b0 = 0.2 (/ms)
    kup = 8
    p0 = 0.05 (/ms)
}

ASSIGNED { v (mV) ek (mV) ik (mA/cm2) a (/ms) b (/ms) pf (/ms) pb (/ms) }

STATE { C O P0 P1 }

INITIAL {
    P0 = 1
    C = 1
    SOLVE scheme STEADYSTATE sparse
}

BREAKPOINT {
    SOLVE scheme METHOD sparse
    ik = gbar*O*(v - ek)
}

KINETIC scheme {
    rates(v)
    ~ C <-> O (a, b)
    ~ P0 <-> P1 (pf, pb)
    CONSERVE C + O = 1
    CONSERVE P0 + P1 = 1
}

PROCEDURE rates(v (mV)) {
    a = a0*exp(v/25)*(1 + kup*P1)
    b = b0*exp(-v/25)
    pf = p0*exp(v/15)
    pb = p0*exp(-v/15)
}
