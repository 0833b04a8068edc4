: The smallest point process in the shape of OpenSourceBrain destexhe_jcns_2009's IF_BG4.mod (an
: adaptive integrate-and-fire of Brette-Gerstner-Izhikevich with "fake conductances"): its BREAKPOINT
: calls fire(), which counts reset down by dt, and above Vtr adds b to the adaptation STATE w (also
: SOLVE'd) and raises the spike flag that the next run turns into a reset. NEURON's nrn_cur runs it
: twice a step (at v + 0.001 mV, then v), so reset falls by 2 dt a step and the flag is taken on the
: second run (tests/io/nmodl/test_point_breakpoint_twice.py). Currents in nA.
NEURON {
	POINT_PROCESS pt_adif
	NONSPECIFIC_CURRENT i
	RANGE a, b, tau_w, EL, Vtr, Ref, Vtop, Vbot, gna, gkd, w, spike, reset, nspike
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER {
	a = 0.0004 (uS)
	b = 0.01 (nA)
	tau_w = 30 (ms)
	EL = -65 (mV)
	Vtr = -45 (mV)
	Ref = 1 (ms)
	Vtop = 40 (mV)
	Vbot = -75 (mV)
	gna = 0.02 (uS)
	gkd = 0.02 (uS)
}
STATE { w (nA) }
ASSIGNED { v (mV) i (nA) dt (ms) reset (ms) spike nspike }
INITIAL {
	spike = 0
	reset = -1
	w = 0
	nspike = 0
}
BREAKPOINT {
	SOLVE states METHOD euler
	i = w
	fire()
}
DERIVATIVE states { w' = (a*(v - EL) - w)/tau_w }
PROCEDURE fire() {
	reset = reset - dt
	if (reset > 0) {
		i = gkd*(v - Vbot)
	} else if (spike) {
		i = gna*(v - Vtop)
		spike = 0
		reset = Ref
	} else if (v > Vtr) {
		w = w + b
		i = gna*(v - Vtop)
		spike = 1
		nspike = nspike + 1
	}
}
