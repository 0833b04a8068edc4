COMMENT
excitable's test of spikes of one train that share a time step (written for the purpose): a
Tsodyks-Markram synapse whose resources x and utilization u belong to the synapse (not to each
NetCon), as in the usual single-input form. At each event, x recovers towards 1 with tau_rec and u
decays towards 0 with tau_facil over the time since the last event (t - tsyn, the events' own
times), u jumps by U (1 - u), the conductance opens by weight u x, and x loses u x. Two events in
one step give two smaller jumps, the second depending on the first and on how far apart they are:
summed into one event of twice the weight, or delivered at the step's start, they miss.
ENDCOMMENT

NEURON {
    POINT_PROCESS ev_tm
    RANGE tau, e, i, g, U, tau_rec, tau_facil, x, u, tsyn, nev
    NONSPECIFIC_CURRENT i
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}
PARAMETER {
    tau = 3 (ms)
    e = 0 (mV)
    U = 0.3
    tau_rec = 100 (ms)
    tau_facil = 20 (ms)
}
ASSIGNED {
    v (mV)
    i (nA)
    x
    u
    tsyn (ms)
    nev
}
STATE { g (uS) }
INITIAL {
    g = 0
    x = 1
    u = 0
    tsyn = 0
    nev = 0
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state {
    g' = -g/tau
}
NET_RECEIVE(weight (uS)) {
    x = 1 - (1 - x)*exp(-(t - tsyn)/tau_rec)
    u = u*exp(-(t - tsyn)/tau_facil)
    u = u + U*(1 - u)
    g = g + weight*u*x
    x = x - u*x
    tsyn = t
    nev = nev + 1
}
