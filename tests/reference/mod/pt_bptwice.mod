: nm_bptwice.mod's constructs in a point process: a gate n stepped in BREAKPOINT (no SOLVE, as ModelDB
: 120910 gkcadend.mod), an ASSIGNED counter cnt and an ASSIGNED low-pass filter y of v that BREAKPOINT
: keeps. NEURON's nrn_cur runs a point process's BREAKPOINT twice a step too (at v + 0.001 mV, then at
: v, the second from what the first left) and finitialize once more after INITIAL, so n and y move
: twice a step and cnt is 2 + 2k after k steps (tests/io/nmodl/test_point_breakpoint_twice.py).
: Currents in nA; small conductances (the slope from the two runs is mostly the second update).
NEURON {
	POINT_PROCESS pt_bptwice
	NONSPECIFIC_CURRENT i
	RANGE gbar, ek, gf, ef, cnt, y
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER {
	gbar = 0.005 (uS)
	ek = -77 (mV)
	gf = 0.0002 (uS)
	ef = -60 (mV)
}
STATE { n }
ASSIGNED {
	v (mV) dt (ms) i (nA)
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
	i = gbar*n*n*n*n*(v - ek) + gf*(y - ef)
}
PROCEDURE rates(v (mV)) {
	ninf = 1/(1 + exp(-(v + 50)/8))
	ntau = 10 + 20/(1 + exp((v + 40)/10))
}
