COMMENT
Test mechanism (issue 18): INCLUDE "file" (NEURON's nocmodl reads the named file's text as part of
the mechanism). The synapse's PARAMETERs and its NET_RECEIVE live in inc/inc_syn_common.inc, as
published models keep shared event code in .inc files (ModelDB 168874's netcon.inc, 52034's
sns.inc); that file INCLUDEs a second one (nested), which holds a FUNCTION.
ENDCOMMENT
NEURON {
	POINT_PROCESS inc_syn
	RANGE g, e, tau
	NONSPECIFIC_CURRENT i
}
INCLUDE "inc/inc_syn_common.inc"
STATE { g (umho) }
ASSIGNED { v (mV) i (nA) }
INITIAL { g = 0 }
BREAKPOINT {
	SOLVE s METHOD cnexp
	i = g*(v - e)
}
DERIVATIVE s { g' = -g/decay(tau) }
