: A synapse in the shape of OpenSourceBrain IF_BG4.mod (spike times kept in an array at the count
: nspike) and GRANULE_Ampa_det_vi.mod (its release PRE[fi] read and rewritten at fi = fmod(count, 3)),
: both indices known only in the run (tests/io/nmodl/test_runtime_index.py). Currents in nA.
NEURON { POINT_PROCESS rt_rec NONSPECIFIC_CURRENT i RANGE tau, e, nspike, spiketimes, PRE }
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { tau = 3 (ms) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) spiketimes[4] (ms) PRE[3] nspike }
STATE { g (uS) }
INITIAL {
  g = 0
  nspike = 0
  PRE[0] = 1  PRE[1] = 0.6  PRE[2] = 1.4
}
BREAKPOINT {
  SOLVE d METHOD cnexp
  i = g*(v - e)
}
DERIVATIVE d { g' = -g/tau }
NET_RECEIVE (w (uS)) { LOCAL fi
  fi = fmod(nspike, 3)
  g = g + w*PRE[fi]
  PRE[fi] = PRE[fi]*0.8 + 0.3
  spiketimes[nspike] = t
  nspike = nspike + 1
}
