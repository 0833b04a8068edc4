: ModelDB 118631's Isinunoisy.mod (Giugliano) without its random numbers: an ELECTRODE_CURRENT point
: process whose BREAKPOINT sets x only when tau <= 0; otherwise x is what the SOLVE'd PROCEDURE left.
: It runs: BREAKPOINT twice a step, as NEURON's nrn_cur (tests/io/nmodl/test_point_breakpoint_twice.py).
NEURON {
  POINT_PROCESS pt_ecur
  ELECTRODE_CURRENT i
  RANGE amp, tau, x, i
}

UNITS {
  (nA) = (nanoamp)
}

PARAMETER {
  amp = 0.1 (nA)
  tau = 2 (ms)
}

ASSIGNED {
  dt (ms)
  i (nA)
  x (nA)
}

INITIAL {
  i = 0
  x = 0
}

BREAKPOINT {
  SOLVE oup
  if (tau <= 0) { x = amp }
  i = x
}

PROCEDURE oup() {
  if (tau > 0) { x = x + (1 - exp(-dt/tau))*(amp - x) }
}
