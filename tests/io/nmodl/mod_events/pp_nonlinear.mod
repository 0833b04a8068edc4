: excitable NMODL test (issue 18): a NONLINEAR block in a POINT_PROCESS with events, SOLVE'd in
: INITIAL and in BREAKPOINT (NEURON's nrn_state: scopmath's Newton loop from the last step's
: values), with a `~+` equation. A synapse whose transmitter T = T0 exp(-(t - t0)/tau) is
: computed in the block (a LOCAL: NEURON runs the block's code at every Newton evaluation); each
: event adds its weight to T0, and sends itself a second release of half its weight delay ms later
: (net_send, flag, t: the event path of artificial.py). The open fraction O and a cooperative term B solve
:     O + c O B = T / (K + T),   B - 0.1 B exp(v/50) = O^2
: at every step (the second equation over two lines: `~+` adds to the equation before it).
NEURON {
    POINT_PROCESS pp_nonlinear
    NONSPECIFIC_CURRENT i
    RANGE gmax, e, tau, K, c, delay, g
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER {
    gmax = 0.02 (uS)
    e = 0 (mV)
    tau = 2 (ms)
    K = 2
    c = 2
    delay = 1.5 (ms)
}
ASSIGNED { v (mV) i (nA) g (uS) T0 t0 (ms) }
STATE { O B }
INITIAL {
    T0 = 0
    t0 = 0
    O = 0.1
    B = 0.01
    SOLVE hill
}
BREAKPOINT {
    SOLVE hill
    g = gmax*O
    i = g*(v - e)
}
NONLINEAR hill SOLVEFOR O, B {
    LOCAL T
    T = T0*exp(-(t - t0)/tau)
    ~ O + c*O*B = T/(K + T)
    ~ B = O*O
    ~+ -0.1*B*exp(v/50) = 0
}
NET_RECEIVE(weight) {
    T0 = T0*exp(-(t - t0)/tau)
    t0 = t
    if (flag == 0) {
        T0 = T0 + weight
        net_send(delay, 1)
    } else {
        T0 = T0 + 0.5*weight
    }
}
