: NET_RECEIVE assigns a PARAMETER (netpyne thalamus gap_net_receive.mod's g = g * weight): NEURON keeps
: the new value in the instance.
NEURON {
    POINT_PROCESS ev_nrparam
    RANGE g, e, i
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { g = 0.001 (uS) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) }
BREAKPOINT { i = g*(v - e) }
NET_RECEIVE(weight (uS)) { g = g + weight }
