COMMENT
Test mechanism (issue 18): a PARAMETER named like a time constant whose default is 0 ms, an offset
added to one, as ModelDB 2017006's ks.mod declares `tau_noff = 0.0 (ms)`; NEURON runs it as
published. `taub` is a real time constant (default > 0): 0 there is still refused at insert.
ENDCOMMENT
NEURON {
	SUFFIX nm_tauoffset
	USEION k READ ek WRITE ik
	RANGE gbar, taub, tau_off
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER {
	gbar = 0.01 (S/cm2)
	taub = 3 (ms)
	tau_off = 0 (ms)
}
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) ninf tau (ms) }
STATE { n }
INITIAL { rates(v) n = ninf }
BREAKPOINT {
	SOLVE states METHOD cnexp
	ik = gbar*n*(v - ek)
}
DERIVATIVE states { rates(v) n' = (ninf - n)/tau }
PROCEDURE rates(v (mV)) {
	ninf = 1/(1 + exp(-(v + 30)/8))
	tau = taub/(1 + exp(-(v + 40)/15)) + tau_off
}
