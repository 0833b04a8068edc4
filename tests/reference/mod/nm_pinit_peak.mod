: Exercises RANGE PARAMETERs assigned at every step and read before they are assigned, in a
: mechanism without currents: ModelDB 267088 peak.mod's BREAKPOINT { if (v > vpeak) { vpeak = v
: tpeak = t } } (NEURON runs a current-free BREAKPOINT in nrn_state, at the step's end), and a
: SOLVE'd PROCEDURE that counts the steps in a PARAMETER (n = n + 1).
NEURON {
	SUFFIX nm_pinit_peak
	RANGE vpeak, tpeak, n
}
UNITS { (mV) = (millivolt) }
PARAMETER {
	vpeak = -1000 (mV)
	tpeak = -1000 (ms)
	n = 0
}
BREAKPOINT {
	SOLVE count
	if (v > vpeak) {
		vpeak = v
		tpeak = t
	}
}
PROCEDURE count() { n = n + 1 }
