COMMENT
Test mechanism (NeuroML import, tests/io/neuroml/test_q10_scaling.py): test_q10_scaling.py's Q10COND
channel written by hand with the same equations: a K+ conductance of one HH gate n (instances 4; rates
a = 0.1 x / (1 - exp(-x)), x = (v + 30) / 10, b = 0.125 exp(-(v + 40) / 80), 1/ms, their tau divided by
2.3^((T - 23 degC) / 10)) whose conductance is scaled by 2.3^((T - 23 degC) / 10) as NeuroML's
q10ConductanceScaling defines it (NeuroML2CoreTypes Channels.xml: fopen = conductanceScale x fopen0,
the temperatures in kelvin, as Bahl et al. (2012)'s nat and kca on OpenSourceBrain use it).
ENDCOMMENT

NEURON { SUFFIX nml_q10cond  USEION k WRITE ik  RANGE gbar, erev }
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.001 (S/cm2)  erev = -90 (mV) }
ASSIGNED { v (mV) celsius (degC) ik (mA/cm2) ninf ntau (ms) scale }
STATE { n }
UNITSOFF
BREAKPOINT {
    SOLVE states METHOD cnexp
    scale = 2.3 ^ ((celsius + 273.15 - (23 + 273.15)) / 10)
    ik = gbar * scale * n * n * n * n * (v - erev)
}
INITIAL { rates(v)  n = ninf }
DERIVATIVE states { rates(v)  n' = (ninf - n) / ntau }
PROCEDURE rates(v) { LOCAL a, b, x
    x = (v + 30) / 10
    if (fabs(x) < 1e-6) { a = 0.1 * (1 + x / 2) } else { a = 0.1 * x / (1 - exp(-x)) }
    b = 0.125 * exp(-(v + 40) / 80)
    ninf = a / (a + b)
    ntau = 1 / (a + b) / 2.3 ^ ((celsius - 23) / 10)
}
UNITSON
