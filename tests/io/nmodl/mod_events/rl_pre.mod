: A synapse in the shape of OSB GranCellSolinasEtAl10's GRANULE_Ampa_det_vi.mod: NET_RECEIVE keeps
: each event's release and time at fi = fmod(n, 4) and counts n; BREAKPOINT's FUNCTION sums the last
: three releases FROM j = imax(n - 3, 0) TO n - 1, a range known only in the run
: (tests/io/nmodl/test_runtime_loops.py). Currents in nA.
NEURON { POINT_PROCESS rl_pre NONSPECIFIC_CURRENT i RANGE tau, e, n, g, PRE, tsp }
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { tau = 3 (ms) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) g (uS) n PRE[4] tsp[4] (ms) }
INITIAL {
  n = 0
  FROM k = 0 TO 3 { PRE[k] = 0  tsp[k] = 0 }
}
FUNCTION imax(a, b) { if (a > b) { imax = a } else { imax = b } }
FUNCTION summed() { LOCAL s, lo, j, fi
  s = 0
  lo = imax(n - 3, 0)
  FROM j = lo TO n - 1 {
    fi = fmod(j, 4)
    if (t > tsp[fi]) { s = s + PRE[fi]*exp(-(t - tsp[fi])/tau) }
  }
  summed = s
}
BREAKPOINT {
  g = summed()
  i = g*(v - e)
}
NET_RECEIVE (w (uS)) { LOCAL fi
  fi = fmod(n, 4)
  PRE[fi] = w*(1 + 0.25*fi)
  tsp[fi] = t
  n = n + 1
}
