: Exercises RANGE PARAMETERs that the blocks assign (NEURON keeps them in the instance's data):
: c, assigned in INITIAL from V and read by the DERIVATIVE block at every later step (ModelDB 155602
: CaBK.mod's INITIAL { cai = ... }, here per instance); gk, assigned in BREAKPOINT before it is read
: (a conductance declared as a PARAMETER, as many ModelDB files do).
NEURON {
	SUFFIX nm_pinit_range
	USEION k READ ek WRITE ik
	RANGE gbar, c, gk
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER {
	gbar = 0.01 (S/cm2)
	tau = 5 (ms)
	c = 0.1
	gk = 0 (S/cm2)
}
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) }
STATE { o }
INITIAL {
	c = 0.5 + 0.005*(v + 80)
	o = 0
}
BREAKPOINT {
	SOLVE state METHOD cnexp
	gk = gbar*o
	ik = gk*(v - ek)
}
DERIVATIVE state { o' = (c - o)/tau }
