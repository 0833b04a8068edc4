COMMENT
Test mechanism (NeuroML import, tests/io/neuroml/test_channel_forms.py): Wang & Buzsaki's (1996)
interneuron as that test's WB_CELL writes it (Na+ with an instantaneous activation m = am/(am + bm),
h and n with phi = 5, leak), in one mechanism, with m where jNeuroML's NEURON export puts an
instantaneous gate of a channel that also has a gate with a state. The source: org.neuroml.export's
NeuronWriter (src/main/java/org/neuroml/export/neuron/NeuronWriter.java) computes every gate variable
that is not a state in PROCEDURE rates(), calls rates() from INITIAL and first thing in DERIVATIVE
states, and puts rates() at the head of BREAKPOINT only when the channel has no DERIVATIVE block;
the na_a.mod it generated for a gateHHInstantaneous beside a gateHHtauInf (org.neuroml.export
v1.7.0; its text is carried by the C file nrnivmodl made of it in GitHub's
FerreroRoche/Multicompartmental-NeuroML, LEMSFILES5/x86_64/na_a.c) reads so: its BREAKPOINT SOLVEs
states and multiplies m_fcond by h_fcond, both set in rates(). So here m_fcond (= m^3) is an
ASSIGNED variable set by rates(v) in nrn_state at the step's new V; nrn_cur reads it unchanged at v
and at v + 0.001, and NEURON's slope (i(v + 0.001) - i(v)) / 0.001 holds m fixed.
Kept from our own reference instead of jNeuroML's text: h and n integrate h' = (hinf - h) / htau by
cnexp (jNeuroML writes h_q' = rate_h_q with rate_h_q ASSIGNED, which cnexp takes for a constant:
forward Euler, and its h_fcond is computed in rates() before the update); the three channels are one
mechanism, the reversal potentials constants of BREAKPOINT (jNeuroML: one .mod per channel, its
reversal potential set in INITIAL), the rates written out by hand.
ENDCOMMENT

NEURON { SUFFIX nml_wb_jnml  NONSPECIFIC_CURRENT i }
UNITS { (mV) = (millivolt) (mA) = (milliamp) }
ASSIGNED { v (mV) i (mA/cm2) m_fcond hinf htau ninf ntau }
STATE { h n }
UNITSOFF
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = 0.035 * m_fcond * h * (v - 55) + 0.009 * n * n * n * n * (v + 90) + 0.0001 * (v + 65)
}
INITIAL { rates(v)  h = hinf  n = ninf }
DERIVATIVE states { rates(v)  h' = (hinf - h) / htau  n' = (ninf - n) / ntau }
FUNCTION xlin(x) { if (x == 0) { xlin = 1 } else { xlin = x / (1 - exp(-x)) } }
PROCEDURE rates(v) { LOCAL a, b, m
    a = xlin((v + 35) / 10)  b = 4 * exp((v + 60) / -18)  m = a / (a + b)  m_fcond = m * m * m
    a = 0.07 * exp((v + 58) / -20)  b = 1 / (1 + exp(-(v + 28) / 10))  hinf = a / (a + b)  htau = 1 / ((a + b) * 5)
    a = 0.1 * xlin((v + 34) / 10)  b = 0.125 * exp((v + 44) / -80)  ninf = a / (a + b)  ntau = 1 / ((a + b) * 5)
}
UNITSON
