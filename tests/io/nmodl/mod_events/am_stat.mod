: w[] set in INITIAL only, read in BREAKPOINT (fixed index), in a FUNCTION it calls (index known
: only in the run) and in the DERIVATIVE (fixed index): NEURON reads INITIAL's values every step
NEURON { SUFFIX am_stat NONSPECIFIC_CURRENT i RANGE g, e, k, w }
PARAMETER { g = 0.002 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) w[4] k }
STATE { x }
INITIAL {
  x = 0
  k = 0
  FROM j = 0 TO 3 { w[j] = 1 + j }
}
BREAKPOINT {
  SOLVE s METHOD cnexp
  k = fmod(floor(t/2), 4)
  i = g*(w[1] + pick(k))*x*(v - e)
}
DERIVATIVE s { x' = (w[2]/4 - x)/5 }
FUNCTION pick(kk) { pick = w[kk]/10 }
