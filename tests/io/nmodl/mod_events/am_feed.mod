: w[] set in BREAKPOINT from v, read in the DERIVATIVE (NEURON: what nrn_cur left, at the step's start V)
NEURON { SUFFIX am_feed NONSPECIFIC_CURRENT i RANGE g, e, w }
PARAMETER { g = 0.002 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) w[2] }
STATE { x }
INITIAL {
  x = 0
}
BREAKPOINT {
  SOLVE s METHOD cnexp
  w[0] = 1/(1 + exp(-(v + 40)/5))
  i = g*x*(v - e)
}
DERIVATIVE s { x' = (w[0] - x)/5 }
