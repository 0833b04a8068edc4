COMMENT
Test mechanism (issue 18): two BREAKPOINT blocks and two INITIAL blocks, which nocmodl runs one
after the other in the order it reads them, one BREAKPOINT from an INCLUDEd file (ModelDB 168874's
NMDA.mod: netcon.inc's BREAKPOINT, then its own). The order matters: the first computes the
current, the second scales it, and the second INITIAL doubles what the first set.
ENDCOMMENT
NEURON {
	SUFFIX nm_twoblocks
	NONSPECIFIC_CURRENT i
	RANGE g, e, B, a, b
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) B a b }
STATE { w }
INITIAL { w = 0.2  a = 1 }
INCLUDE "inc/nm_twoblocks_first.inc"
BREAKPOINT {
	B = 0.5 + 0.5*w
	i = i*B
}
INITIAL { b = a + 1  w = w*2 }
DERIVATIVE states { w' = (1/(1 + exp(-(v + 40)/10)) - w)/3 }
