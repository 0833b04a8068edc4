: a point process without events: w[] set in INITIAL, read in BREAKPOINT
NEURON { POINT_PROCESS am_pt NONSPECIFIC_CURRENT i RANGE g, e, w }
PARAMETER { g = 0.001 (uS) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) w[3] }
STATE { x }
INITIAL {
  x = 0
  FROM j = 0 TO 2 { w[j] = 0.5*j }
}
BREAKPOINT {
  SOLVE s METHOD cnexp
  i = g*w[2]*x*(v - e)
}
DERIVATIVE s { x' = (0.5 - x)/3 }
