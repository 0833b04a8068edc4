: An ELECTRODE_CURRENT point process (injected, inward positive, nA): BREAKPOINT sets on every path a
: target from v, which the SOLVE'd PROCEDURE relaxes x to; the current is x. NEURON generates nrn_cur
: for an ELECTRODE_CURRENT, so BREAKPOINT runs at the step's old V before nrn_state's SOLVE, as for
: any current (nocmodl 9.0.2's C; tests/io/nmodl/test_feeds_from_functions.py).
NEURON {
  POINT_PROCESS pt_ecur2
  ELECTRODE_CURRENT i
  RANGE amp, tau, gv, x, i, target
}

UNITS {
  (nA) = (nanoamp)
  (mV) = (millivolt)
}

PARAMETER {
  amp = 0.15 (nA)
  tau = 2 (ms)
  gv = 0.002 (nA/mV)
}

ASSIGNED {
  v (mV)
  dt (ms)
  i (nA)
  x (nA)
  target (nA)
}

INITIAL {
  i = 0
  x = 0
  target = 0
}

BREAKPOINT {
  SOLVE oup
  target = amp + gv*(v + 65)
  i = x
}

PROCEDURE oup() {
  x = x + (1 - exp(-dt/tau))*(target - x)
}
