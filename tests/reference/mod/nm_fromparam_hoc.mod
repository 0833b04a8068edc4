TITLE A FROM loop bounded by an ASSIGNED GLOBAL that only hoc sets (excitable's test file)

COMMENT
ModelDB 84589's kahp.mod declares its powers exp_n and exp_ca ASSIGNED and GLOBAL, never assigns
them, and passes them to FUNCTION do_exp(var, gexp) { FROM i = 1 TO gexp {...} }; the model's hoc
sets exp_n_kahp = 2. Here the conductance is m^pw the same way, pw 0 (NEURON's start for an
ASSIGNED) unless set.
ENDCOMMENT

NEURON {
    SUFFIX nm_fromparam_hoc
    USEION k READ ek WRITE ik
    RANGE gbar
    GLOBAL pw
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.01 (S/cm2)
    tau = 2 (ms)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    minf
    pw
}

STATE { m }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar * do_exp(m, pw) * (v - ek)
}

INITIAL {
    minf = 1 / (1 + exp(-(v + 40) / 10))
    m = minf
}

DERIVATIVE states {
    minf = 1 / (1 + exp(-(v + 40) / 10))
    m' = (minf - m) / tau
}

FUNCTION do_exp(x, k) {
    do_exp = 1
    FROM i = 1 TO k {
        do_exp = do_exp * x
    }
}
