COMMENT
Test mechanism (NeuroML import, tests/io/neuroml/test_slope.py): a persistent Na+ channel of one
gateHHInstantaneous and no gate with a state (test_slope.py's NAPI: m_inf a sigmoid of midpoint
-50 mV and scale 5 mV), under a channelDensity of fixed erev, shaped as jNeuroML's NEURON export
writes a channel without a state (org.neuroml.export's NeuronWriter.java: no DERIVATIVE block, so
rates() heads BREAKPOINT; its cacc.mod for a lone gateHHInstantaneous, carried by GitHub's
FerreroRoche/Multicompartmental-NeuroML as LEMSFILES0/x86_64/cacc.c, v1.7.0, reads so). NEURON's
slope (i(v + 0.001) - i(v)) / 0.001 in nrn_cur so sees m move with V.
Kept from our own reference: the conductance is a PARAMETER gbar in S/cm2, the rate written out.
ENDCOMMENT

NEURON { SUFFIX nml_napi_jnml  USEION na WRITE ina  RANGE gbar }
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.0005 (S/cm2) }
ASSIGNED { v (mV) ina (mA/cm2) ena (mV) m_fcond }
UNITSOFF
BREAKPOINT {
    rates(v)
    ina = gbar * m_fcond * (v - ena)
}
INITIAL { ena = 50  rates(v) }
PROCEDURE rates(v) { m_fcond = 1 / (1 + exp(-(v + 50) / 5)) }
UNITSON
