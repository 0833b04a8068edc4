COMMENT
Test mechanism (issue 18): a POINTER that no block reads, as ModelDB 267599's ican.mod declares
`POINTER jip3p` and never uses it. NEURON never dereferences it, so it runs unset there; excitable
makes no field of it, so nothing asks for it to be set. The rest is a gated leak (cnexp).
ENDCOMMENT
NEURON {
	SUFFIX nm_unreadpointer
	NONSPECIFIC_CURRENT i
	RANGE g, e
	POINTER unused
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) winf unused (mM/ms) }
STATE { w }
INITIAL { rates(v) w = winf }
BREAKPOINT {
	SOLVE states METHOD cnexp
	i = g*w*(v - e)
}
DERIVATIVE states { rates(v) w' = (winf - w)/2 }
PROCEDURE rates(v (mV)) { winf = 1/(1 + exp(-(v + 40)/10)) }
