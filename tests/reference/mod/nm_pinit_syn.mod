: Exercises a point process whose INITIAL assigns a RANGE PARAMETER read later: the guard of
: NEURON's exp2syn.mod (if (tau1/tau2 > 0.9999) { tau1 = 0.9999*tau2 }), run with tau1 = tau2,
: so the kept tau1 (9.999 ms, not the 10 ms set) shapes every later step and event.
NEURON {
	POINT_PROCESS nm_pinit_syn
	RANGE tau1, tau2, e, i
	NONSPECIFIC_CURRENT i
	RANGE g
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER {
	tau1 = 0.5 (ms)
	tau2 = 5 (ms)
	e = 0 (mV)
}
ASSIGNED { v (mV) i (nA) g (uS) factor }
STATE { A (uS) B (uS) }
INITIAL {
	LOCAL tp
	if (tau1/tau2 > 0.9999) {
		tau1 = 0.9999*tau2
	}
	A = 0
	B = 0
	tp = (tau1*tau2)/(tau2 - tau1) * log(tau2/tau1)
	factor = -exp(-tp/tau1) + exp(-tp/tau2)
	factor = 1/factor
}
BREAKPOINT {
	SOLVE state METHOD cnexp
	g = B - A
	i = g*(v - e)
}
DERIVATIVE state {
	A' = -A/tau1
	B' = -B/tau2
}
NET_RECEIVE(weight (uS)) {
	A = A + weight*factor
	B = B + weight*factor
}
