: a synapse: w[] set in INITIAL, p[] in BREAKPOINT, both read by NET_RECEIVE
NEURON { POINT_PROCESS am_ev NONSPECIFIC_CURRENT i RANGE e, w, p }
PARAMETER { e = 0 (mV) }
ASSIGNED { v (mV) i (nA) w[2] p[2] }
STATE { g }
INITIAL {
  g = 0
  w[0] = 2
  w[1] = 3
}
BREAKPOINT {
  SOLVE s METHOD cnexp
  p[0] = (v + 70)/20
  i = g*(v - e)
}
DERIVATIVE s { g' = -g/2 }
NET_RECEIVE(weight (uS)) { g = g + weight*w[1]*(1 + p[0]) }
