COMMENT
Test mechanism (issue 18): a synapse with events (NET_RECEIVE with a per-connection argument) that
declares a POINTER no block reads, as ModelDB 37819's gababS.mod declares `POINTER pre`. NEURON
never dereferences it; excitable keeps no state or field for it, so nothing needs setting and
nothing of it is compared (NEURON cannot record an unset POINTER).
ENDCOMMENT
NEURON {
	POINT_PROCESS pt_unreadevents
	POINTER pre
	RANGE g, e
	NONSPECIFIC_CURRENT i
}
PARAMETER { tau = 2 (ms) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) pre (mV) }
STATE { g (umho) }
INITIAL { g = 0 }
BREAKPOINT {
	SOLVE s METHOD cnexp
	i = g*(v - e)
}
DERIVATIVE s { g' = -g/tau }
NET_RECEIVE(w, n) { g = g + w  n = n + 1 }
