COMMENT
excitable's test of a point process whose current uses a FUNCTION with a TABLE statement (written for
the purpose): an exponential synapse with a voltage-dependent Mg2+ block of the Jahr & Stevens (1990)
form, tabulated as ModelDB 244416 nmdanet.mod tabulates its mgblock(). The table is coarse (31
points over 150 mV) so that NEURON's linear interpolation, when left on, moves V and i by 1e-1 of their
scale (the bound is 1e-6): the comparison
must turn it off (usetable_pp_table = 0), as for density mechanisms, since excitable computes the
FUNCTION exactly.
ENDCOMMENT
NEURON {
	POINT_PROCESS pp_table
	RANGE g, e, mg
	NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) (mM) = (milli/liter) }
PARAMETER { tau = 8 (ms) e = 0 (mV) mg = 1.2 (mM) }
ASSIGNED { v (mV) i (nA) g (uS) }
STATE { G (uS) }
INITIAL { G = 0 }
BREAKPOINT {
	SOLVE st METHOD cnexp
	g = block(v)*G
	i = g*(v - e)
}
DERIVATIVE st { G' = -G/tau }
FUNCTION block(v (mV)) {
	TABLE DEPEND mg FROM -100 TO 50 WITH 31
	block = 1 / (1 + exp(-0.062 (/mV) * v) * (mg / 3.57))
}
NET_RECEIVE(weight (uS)) { G = G + weight }
