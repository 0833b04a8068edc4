: am_peak.mod's BREAKPOINT in a point process without currents whose NET_RECEIVE reads m[]
NEURON { POINT_PROCESS am_evpeak RANGE m, n }
ASSIGNED { v (mV) m[2] (mV) n }
INITIAL {
  m[0] = -100
  m[1] = 0
  n = 0
}
BREAKPOINT {
  if (v > m[0]) { m[0] = v }
  m[1] = m[1] + 1
}
NET_RECEIVE(weight) { n = n + m[0] + m[1] }
