: A density mechanism that sums an array over a range known only in the run
: (tests/io/nmodl/test_runtime_loops.py): lo is set by INITIAL from the PARAMETER first, hi follows V
: (clamped to the array by the file), so NEURON's C loop over (int) lo .. (int) hi runs 0 to 6 trips.
NEURON { SUFFIX rl_sum NONSPECIFIC_CURRENT i RANGE g, e, first, span, lo, hi, s }
PARAMETER { g = 0.0005 (S/cm2) e = -70 (mV) first = 1 span = 0.5 }
ASSIGNED { v (mV) i (mA/cm2) lo hi s x[6] }
INITIAL { lo = first }
BREAKPOINT { LOCAL j
  FROM k = 0 TO 5 { x[k] = 1/(1 + exp(-(v + 60 - 8*k)/6)) }
  hi = lo + span + floor((v + 70)/15)
  if (hi > 5) { hi = 5 }
  s = 0
  FROM j = lo TO hi { s = s + x[j]*(j + 1) }
  i = g*s*(v - e)
}
