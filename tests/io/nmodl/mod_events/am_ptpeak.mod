: am_peak.mod's BREAKPOINT in a point process without currents or events (nrn_state runs it)
NEURON { POINT_PROCESS am_ptpeak RANGE m }
ASSIGNED { v (mV) m[2] (mV) }
INITIAL { m[0] = -100  m[1] = 0 }
BREAKPOINT {
  if (v > m[0]) { m[0] = v }
  m[1] = m[1] + 1
}
