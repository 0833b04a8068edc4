: INITIAL ending with VERBATIM return; ENDVERBATIM, as ModelDB 123815's ichan2.mod does: C that only
: returns from the initializer, so nothing (tests/io/nmodl/test_empty_verbatim.py, beside NEURON).
NEURON {
	SUFFIX nm_initreturn
	NONSPECIFIC_CURRENT i
	RANGE g, e
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) }
PARAMETER { g = 1e-3 (mho/cm2) e = -70 (mV) }
STATE { m }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT {
	SOLVE states METHOD cnexp
	i = g*m*(v - e)
}
INITIAL {
	m = 0.5
	VERBATIM
	return;
	ENDVERBATIM
}
DERIVATIVE states { m' = (1/(1 + exp(-(v + 40)/5)) - m)/2 }
