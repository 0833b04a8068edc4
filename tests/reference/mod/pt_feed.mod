: A point process shaped like ModelDB 93326 shunt.mod (Calin-Jageman's shunt current): BREAKPOINT
: sets, from v, the values its SOLVE'd block relaxes to (mmax, hmax: PARAMETERs that RANGE names,
: as there), and from a PARAMETER alone the time constant it reads (htau). NEURON's nrn_state reads
: what nrn_cur left, at the step's old V (tests/io/nmodl/test_point_feeds.py).
NEURON {
  POINT_PROCESS pt_feed
  NONSPECIFIC_CURRENT i
  RANGE G, erev, Bm, Cm, Tm, Bh, Ch, Th, mmax, hmax, vstart
}

UNITS {
  (mV) = (millivolt)
  (nA) = (nanoamp)
  (uS) = (microsiemens)
}

PARAMETER {
  G = 0.05 (uS)
  erev = -80 (mV)
  Bm = 40 (mV)
  Cm = -5.5 (mV)
  Tm = 2 (ms)
  Bh = 50 (mV)
  Ch = 6.7 (mV)
  Th = 5 (ms)
  mmax (1)
  hmax (1)
  vstart = -65 (mV)
}

ASSIGNED {
  v (mV)
  i (nA)
  htau (ms)
}

STATE { m h }

INITIAL {
  m = 1/(1 + exp((vstart + Bm)/Cm))
  h = 1/(1 + exp((vstart + Bh)/Ch))
}

BREAKPOINT {
  mmax = 1/(1 + exp((v + Bm)/Cm))
  hmax = 1/(1 + exp((v + Bh)/Ch))
  htau = 2*Th
  SOLVE state METHOD cnexp
  i = G*m*h*(v - erev)
}

DERIVATIVE state {
  m' = (mmax - m)/Tm
  h' = (hmax - h)/htau
}
