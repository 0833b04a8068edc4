TITLE FROM loops bounded by PARAMETERs (excitable's test file)

COMMENT
As ModelDB 84589's kahp.mod raises a value to an integer power with FUNCTION do_exp(var, gexp)
{ FROM i = 1 TO gexp {...} }, the conductance here is m^p by such a loop, p a PARAMETER passed as
the argument; the state s relaxes to the sum lo + ... + n of a loop bounded by PARAMETERs directly.
NEURON runs both as C loops over the values at run time (int bounds, truncated toward zero).
ENDCOMMENT

NEURON {
    SUFFIX nm_fromparam
    USEION k READ ek WRITE ik
    RANGE gbar, p, n, lo, tau
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.01 (S/cm2)
    p = 3
    n = 4
    lo = 1
    tau = 2 (ms)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    minf
    total
}

STATE { m s }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar * power(m, p) * (v - ek)
}

INITIAL {
    rates(v)
    m = minf
    s = 0
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m) / tau
    s' = (total * m - s) / tau
}

PROCEDURE rates(v (mV)) {
    minf = 1 / (1 + exp(-(v + 40) / 10))
    total = 0
    FROM i = lo TO n {
        total = total + i
    }
}

FUNCTION power(x, k) {
    power = 1
    FROM j = 1 TO k {
        power = power * x
    }
}
