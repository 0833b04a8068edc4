: a BREAKPOINT without currents (NEURON runs it in nrn_state, after the SOLVE) keeps a running peak
: of v and a step count in m[], each from its own last value
NEURON { SUFFIX am_peak RANGE m }
ASSIGNED { v (mV) m[2] (mV) }
INITIAL { m[0] = -100  m[1] = 0 }
BREAKPOINT {
  if (v > m[0]) { m[0] = v }
  m[1] = m[1] + 1
}
