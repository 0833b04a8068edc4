COMMENT
Test mechanism (NeuroML import, tests/io/neuroml/test_q10_scaling.py): test_q10_scaling.py's RATESCALE
channel written by hand with the same equations: each time constant is the q10-scaled one, raised to a
floor where below it, which NeuroML writes through the gate's rateScale (its q10 factor), as Hemond et
al. (2008)'s na3.channel.nml on OpenSourceBrain does (t = floor x rateScale where t / rateScale < floor).
n: n_inf a sigmoid (midpoint -30 mV, scale 10 mV), raw time course 1 + 9 / (1 + exp((v + 40) / 8)) ms
   divided by 3^((celsius - 24) / 10), floored at 2 ms;
h: HH rates a = 0.02 exp(-(v + 60) / 15), b = 0.5 / (1 + exp(-(v + 30) / 6)) (1/ms), h_inf = a / (a + b),
   tau = 1 / ((a + b) 2) (a fixed q10 of 2), floored at 1.5 ms.
ENDCOMMENT

NEURON { SUFFIX nml_ratescale  USEION k WRITE ik  RANGE gbar, erev }
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.001 (S/cm2)  erev = -90 (mV) }
ASSIGNED { v (mV) celsius (degC) ik (mA/cm2) ninf ntau (ms) hinf htau (ms) }
STATE { n h }
UNITSOFF
BREAKPOINT { SOLVE states METHOD cnexp  ik = gbar * n * n * h * (v - erev) }
INITIAL { rates(v)  n = ninf  h = hinf }
DERIVATIVE states { rates(v)  n' = (ninf - n) / ntau  h' = (hinf - h) / htau }
PROCEDURE rates(v) { LOCAL a, b
    ninf = 1 / (1 + exp(-(v + 30) / 10))
    ntau = (1 + 9 / (1 + exp((v + 40) / 8))) / 3 ^ ((celsius - 24) / 10)
    if (ntau < 2) { ntau = 2 }
    a = 0.02 * exp(-(v + 60) / 15)
    b = 0.5 / (1 + exp(-(v + 30) / 6))
    hinf = a / (a + b)
    htau = 1 / ((a + b) * 2)
    if (htau < 1.5) { htau = 1.5 }
}
UNITSON
