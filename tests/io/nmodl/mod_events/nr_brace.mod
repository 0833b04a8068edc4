: NET_RECEIVE's opening brace on the line after its header (ModelDB 2014822 ltpltd.mod's layout,
: written for excitable's tests), with state_discontinuity and a self-event from net_send: the
: event raises g by its weight, and dur later by half of it again.
NEURON {
    POINT_PROCESS nr_brace
    RANGE tau, dur, e, i
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { tau = 3 (ms) dur = 1 (ms) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) }
STATE { g (uS) }
INITIAL { g = 0 }
BREAKPOINT {
    SOLVE st METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE st { g' = -g/tau }
:NET_RECEIVE(weight (uS)) {
NET_RECEIVE(weight (uS))
{
    if (flag == 0) {
        state_discontinuity(g, g + weight)
        net_send(dur, 1)
    } else {
        state_discontinuity(g, g + 0.5*weight)
    }
}
