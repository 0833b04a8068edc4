: A max tracker BREAKPOINT reads before it sets (NEURON: the largest V, +0.001 mV, of all runs); it
: feeds no current, so excitable runs it (breakpoint_memory.py): tests/io/nmodl/test_breakpoint_memory.py
NEURON { SUFFIX nm_bpmem_max NONSPECIFIC_CURRENT i RANGE vmax, g }
PARAMETER { g = 0.0001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) vmax (mV) }
INITIAL { vmax = -100 }
BREAKPOINT {
  if (v > vmax) { vmax = v }
  i = g*(v + 65)
}
