COMMENT
Test mechanism (NeuroML import, tests/io/neuroml/test_fixed_erev_pool.py): a Ca2+ channel under
NeuroML's channelDensity, whose erev is a fixed parameter even beside a calcium pool (the NeuroML2
example pyr_4_sym: Traub's Ca channel with erev 80 mV and a fixedFactorConcentrationModel). It writes
ica, which the pool integrates, and reads no eca: its reversal potential is its own PARAMETER, so
NEURON's ion style (eca by Nernst once cai is written) does not touch it. Gates as
test_neuron_side.py's nml_cachan (m: given steady state and time course, q10 2.5; h: HH rates, q10 3,
both from 22 degC).
ENDCOMMENT

NEURON {
    SUFFIX nml_cafixerev
    USEION ca WRITE ica
    RANGE gbar, erev
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.001 (S/cm2)  erev = 80 (mV) }
ASSIGNED { v (mV) celsius (degC) ica (mA/cm2) minf mtau (ms) hinf htau (ms) }
STATE { m h }
UNITSOFF
BREAKPOINT {
    SOLVE states METHOD cnexp
    ica = gbar * m * m * h * (v - erev)
}
INITIAL { rates(v) m = minf h = hinf }
DERIVATIVE states { rates(v) m' = (minf - m) / mtau h' = (hinf - h) / htau }
PROCEDURE rates(v) { LOCAL a, b
    minf = 1 / (1 + exp(-(v + 20) / 5))
    mtau = 1.5 / 2.5 ^ ((celsius - 22) / 10)
    a = 0.02 * exp((v + 60) / -20)
    b = 0.5 / (1 + exp(-(v + 25) / 8))
    hinf = a / (a + b)
    htau = 1 / (a + b) / 3 ^ ((celsius - 22) / 10)
}
UNITSON
