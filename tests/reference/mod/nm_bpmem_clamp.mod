: A clamp of a value BREAKPOINT sets first (x = s) in the same run: a second run gives the same
: value, so excitable runs it (breakpoint_memory.py): tests/io/nmodl/test_breakpoint_memory.py
NEURON { SUFFIX nm_bpmem_clamp NONSPECIFIC_CURRENT i RANGE x, g, xmax }
PARAMETER { g = 0.0001 (S/cm2) xmax = 0.5 }
STATE { s }
ASSIGNED { v (mV) i (mA/cm2) x }
INITIAL { s = 0 x = s }
BREAKPOINT {
  SOLVE d METHOD cnexp
  x = s
  if (x > xmax) { x = xmax }
  i = g*x*(v + 65)
}
DERIVATIVE d { s' = (1 - s)/5 }
