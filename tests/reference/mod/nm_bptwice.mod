: An old-style channel that steps its gate in BREAKPOINT (no SOLVE, as ModelDB 120910 gkcadend.mod),
: with an ASSIGNED counter and an ASSIGNED low-pass filter of v that BREAKPOINT keeps. NEURON's nrn_cur
: runs BREAKPOINT twice a step (at v + 0.001 mV, then at v, the second from what the first left) and
: finitialize once more after INITIAL, so n and y move twice a step and cnt is 2 + 2k after k steps
: (test_breakpoint_twice.py). Small conductances: the slope NEURON takes from the two runs,
: (i1 - i2)/0.001, is mostly the second update, negative, and a large one makes V run away (in NEURON too).
NEURON {
	SUFFIX nm_bptwice
	USEION k READ ek WRITE ik
	NONSPECIFIC_CURRENT il
	RANGE gbar, gf, ef, cnt, y
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER {
	gbar = 0.0005 (S/cm2)
	gf = 0.00002 (S/cm2)
	ef = -60 (mV)
}
STATE { n }
ASSIGNED {
	v (mV) ek (mV) dt (ms) ik (mA/cm2) il (mA/cm2)
	ninf ntau (ms) cnt y (mV)
}
INITIAL {
	rates(v)
	n = ninf
	cnt = 0
	y = v
}
BREAKPOINT {
	rates(v)
	n = n + (1 - exp(-dt/ntau))*(ninf - n)
	cnt = cnt + 1
	y = y + 0.01*(v - y)
	ik = gbar*n*n*n*n*(v - ek)
	il = gf*(y - ef)
}
PROCEDURE rates(v (mV)) {
	ninf = 1/(1 + exp(-(v + 50)/8))
	ntau = 10 + 20/(1 + exp((v + 40)/10))
}
