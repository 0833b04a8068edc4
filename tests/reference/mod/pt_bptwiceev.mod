: pt_bptwice.mod's constructs on the event path: the same gate n stepped in BREAKPOINT, counter cnt and
: filter y, beside a synaptic conductance g (cnexp SOLVE) whose NET_RECEIVE jumps it by the weight and
: sends itself an event 0.5 ms later (net_send, flag 1) that adds half as much again and counts nev.
: NEURON delivers the step's events, then nrn_cur runs BREAKPOINT twice at the old V and t + dt/2,
: then nrn_state at the new V (tests/io/nmodl/test_point_breakpoint_twice.py).
NEURON {
	POINT_PROCESS pt_bptwiceev
	NONSPECIFIC_CURRENT i
	RANGE gbar, ek, e, tau, cnt, y, nev
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER {
	gbar = 0.005 (uS)
	ek = -77 (mV)
	e = 0 (mV)
	tau = 2 (ms)
}
STATE { n g (uS) }
ASSIGNED {
	v (mV) dt (ms) i (nA)
	ninf ntau (ms) cnt y (mV) nev
}
INITIAL {
	rates(v)
	n = ninf
	g = 0
	cnt = 0
	y = v
	nev = 0
}
BREAKPOINT {
	SOLVE decay METHOD cnexp
	rates(v)
	n = n + (1 - exp(-dt/ntau))*(ninf - n)
	cnt = cnt + 1
	y = y + 0.01*(v - y)
	i = gbar*n*n*n*n*(v - ek) + g*(v - e) + 0.0002*(y + 60)
}
DERIVATIVE decay { g' = -g/tau }
PROCEDURE rates(v (mV)) {
	ninf = 1/(1 + exp(-(v + 50)/8))
	ntau = 10 + 20/(1 + exp((v + 40)/10))
}
NET_RECEIVE (w (uS)) {
	if (flag == 0) {
		g = g + w
		net_send(0.5, 1)
	} else {
		g = g + 0.5*w
		nev = nev + 1
	}
}
