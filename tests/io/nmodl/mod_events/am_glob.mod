: am_stat.mod's shape with w[] GLOBAL: one array for all instances in NEURON, set in INITIAL only
: and from constants, so every instance holds the same numbers and one copy per instance is exact
NEURON { SUFFIX am_glob NONSPECIFIC_CURRENT i RANGE g, e, k GLOBAL w }
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
