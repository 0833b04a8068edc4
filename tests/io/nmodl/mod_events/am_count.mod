: c[] a SOLVE'd PROCEDURE steps from its own last value (once a step); b[] a filter of v that
: BREAKPOINT keeps (NEURON's nrn_cur runs it twice a step: small conductance, as nm_bptwice.mod)
NEURON { SUFFIX am_count NONSPECIFIC_CURRENT i RANGE g, gf, e, c, b }
PARAMETER { g = 0.001 (S/cm2) gf = 0.00002 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) c[2] b[2] (mV) }
INITIAL {
  c[0] = 0
  c[1] = 1
  b[0] = v
  b[1] = 0
}
BREAKPOINT {
  SOLVE tick
  b[0] = b[0] + 0.01*(v - b[0])
  b[1] = b[1] + 1
  i = g*(1 + c[0]/400)*(v - e) + gf*(b[0] - e) + 1e-9*b[1]
}
PROCEDURE tick() {
  c[0] = c[0] + c[1]
  if (v > -40) { c[1] = 2 }
}
