COMMENT
Test mechanism (NeuroML import, tests/io/neuroml/test_slope.py): the T-type Ca2+ channel of
test_channel_forms.py's IT_STANDARD (Pospischil et al. 2008's form on OSB: activation s a
gateHHInstantaneous, s_inf a sigmoid of midpoint -57 mV and scale 6.2 mV, squared; inactivation u a
gateHHtauInf of tau 30 ms, u_inf a sigmoid of -81 mV and -4 mV), under a channelDensity of fixed
erev, shaped as jNeuroML's NEURON export writes a channel with an instantaneous gate beside a gate
with a state (org.neuroml.export's NeuronWriter.java; the na_a.mod it wrote for such a channel is
carried, as the C file nrnivmodl made of it, by GitHub's FerreroRoche/Multicompartmental-NeuroML,
LEMSFILES5/x86_64/na_a.c, org.neuroml.export v1.7.0): the gate that is not a state, s_fcond, is
computed in PROCEDURE rates(), called by INITIAL and first in DERIVATIVE states, not by BREAKPOINT
(which SOLVEs states), and the reversal potential is set in INITIAL. NEURON's slope
(i(v + 0.001) - i(v)) / 0.001 in nrn_cur so holds s at its value for the step's V.
Kept from our own reference instead of jNeuroML's text: u integrates u' = (uinf - u) / 30 by cnexp
(jNeuroML's u_q' = rate_u_q, rate_u_q ASSIGNED, is forward Euler under cnexp), its power is taken in
BREAKPOINT, and the conductance is a PARAMETER gbar in S/cm2.
ENDCOMMENT

NEURON { SUFFIX nml_it_jnml  USEION ca WRITE ica VALENCE 2  RANGE gbar }
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.002 (S/cm2) }
ASSIGNED { v (mV) ica (mA/cm2) eca (mV) s_fcond uinf }
STATE { u }
UNITSOFF
BREAKPOINT {
    SOLVE states METHOD cnexp
    ica = gbar * s_fcond * u * (v - eca)
}
INITIAL { eca = 120  rates(v)  u = uinf }
DERIVATIVE states { rates(v)  u' = (uinf - u) / 30 }
PROCEDURE rates(v) { LOCAL s
    s = 1 / (1 + exp(-(v + 57) / 6.2))  s_fcond = s * s
    uinf = 1 / (1 + exp((v + 81) / 4))
}
UNITSON
