: pt_feed.mod's shape (ModelDB 93326 shunt.mod: BREAKPOINT sets from v what its SOLVE'd block relaxes
: to) in a point process on the event path: it reads t (the current switches on at ton) and its
: NET_RECEIVE jumps m by the weight. NEURON's nrn_cur runs BREAKPOINT after the step's events, at the
: old V and t + dt/2; nrn_state reads what it left (tests/io/nmodl/test_point_feeds.py).
NEURON {
  POINT_PROCESS pt_feedev
  NONSPECIFIC_CURRENT i
  RANGE G, erev, Bm, Cm, Tm, ton, mmax
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
  ton = 3 (ms)
}

ASSIGNED {
  v (mV)
  i (nA)
  mmax (1)
  mtau (ms)
}

STATE { m }

INITIAL {
  m = 1/(1 + exp((v + Bm)/Cm))
}

BREAKPOINT {
  mmax = 1/(1 + exp((v + Bm)/Cm))
  mtau = Tm
  if (t > ton) { mtau = 0.5*Tm }
  SOLVE state METHOD cnexp
  i = G*m*(v - erev)
}

DERIVATIVE state {
  m' = (mmax - m)/mtau
}

NET_RECEIVE (w) {
  m = m + w
}
