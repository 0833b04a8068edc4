: excitable NMODL test (issue 18): a LINEAR block in a POINT_PROCESS, SOLVE'd in INITIAL and in
: BREAKPOINT (NEURON's nrn_state, at the new V), with a `~+` equation. A synapse whose transmitter T
: (a STATE, raised by each event: a jump linear in the weight, the on_events path of point.py)
: decays by exp(-dt/tau) per step in the block's own code (nocmodl 9.0.2 cannot compile a cnexp
: DERIVATIVE beside a LINEAR block in one file: its C lacks _ode_map); the receptor's closed, open
: and desensitized fractions C, O, D sit at their equilibrium with T at every step, solved from a
: LINEAR system (SOLVEFOR: T is a value there): binding a = kf T exp(v/40) (voltage-dependent, kf a
: rate INITIAL sets), the conservation law over two lines (`~+` adds to the line before: C + O + D = 1).
NEURON {
    POINT_PROCESS pp_linear
    NONSPECIFIC_CURRENT i
    RANGE gmax, e, tau, kb, kd, kr, g
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER {
    gmax = 0.02 (uS)
    e = 0 (mV)
    tau = 3 (ms)
    kb = 0.5 (/ms)
    kd = 0.2 (/ms)
    kr = 0.1 (/ms)
}
ASSIGNED { v (mV) i (nA) g (uS) kf (/ms) }
STATE { T C O D }
INITIAL {
    kf = 2*kb
    T = 0
    SOLVE bind
}
BREAKPOINT {
    SOLVE bind
    g = gmax*O
    i = g*(v - e)
}
LINEAR bind SOLVEFOR C, O, D {
    LOCAL a
    T = T*exp(-dt/tau)
    a = kf*T*exp(v/40)
    ~ a*C = kb*O
    ~ kd*O = kr*D
    ~ C + O = 1
    ~+ D = 0
}
NET_RECEIVE(weight) {
    T = T + weight
}
