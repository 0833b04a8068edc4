TITLE A K+ gate whose PARAMETER defaults have more digits than NEURON keeps (excitable's test file)

COMMENT
nocmodl writes PARAMETER defaults with printf's %g, six significant digits: k runs as 0.125 and vh as
-40.1235 in NEURON. A fitted model's parameters often carry all their digits, as these do; the
exact values move the gate by 3e-6 of its range from NEURON's, three times the comparison's tolerance.
The CONSTANT keeps all its digits in NEURON too.
ENDCOMMENT

NEURON {
    SUFFIX nm_digits
    USEION k READ ek WRITE ik
    RANGE gbar, vh
    GLOBAL k
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

CONSTANT { tau = 3.14159265358979 (ms) }

PARAMETER {
    gbar = 0.0123456789 (S/cm2)
    vh = -40.123456789 (mV)
    k = 0.12499989351294442 (/mV)
}

ASSIGNED { v (mV) ek (mV) ik (mA/cm2) ninf }

STATE { n }

INITIAL {
    ninf = 1/(1 + exp(-(v - vh)*k))
    n = ninf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*n*n*(v - ek)
}

DERIVATIVE states {
    ninf = 1/(1 + exp(-(v - vh)*k))
    n' = (ninf - n)/tau
}
