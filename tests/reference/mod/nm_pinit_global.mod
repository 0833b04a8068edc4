: Exercises a GLOBAL PARAMETER (a PARAMETER not declared RANGE) that INITIAL assigns and the
: DERIVATIVE block reads afterwards: NEURON keeps the assigned value for every later step. The form
: of ModelDB 155602 CaBK.mod (PARAMETER cai, INITIAL { cai = ncai + lcai + tcai }); here the value
: is the same for every instance (a constant times a GLOBAL), which excitable runs exactly.
NEURON {
	SUFFIX nm_pinit_global
	USEION k READ ek WRITE ik
	RANGE gbar
	GLOBAL cmax
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER {
	gbar = 0.01 (S/cm2)
	tau = 5 (ms)
	cmax = 1
	c = 0.1
}
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) }
STATE { o }
INITIAL {
	c = 0.9*cmax
	o = 0
}
BREAKPOINT {
	SOLVE state METHOD cnexp
	ik = gbar*o*(v - ek)
}
DERIVATIVE state { o' = (c - o)/tau }
