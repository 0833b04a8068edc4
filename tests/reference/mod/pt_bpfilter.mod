: nm_bpfilter.mod's BREAKPOINT in a point process (current in nA, g in uS): NEURON's nrn_cur runs it
: twice a step as for a density mechanism (tests/io/nmodl/test_point_breakpoint_twice.py). At
: g = 0.001 uS on the 20 x 20 um hh compartment NEURON's own run is round-off-determined (g changed
: by 1e-15 of itself moves V by 6.8 times its largest magnitude and its spikes from 19.4 ms to 5.0 ms); the test runs
: it at g = 1e-6 uS.
NEURON { POINT_PROCESS pt_bpfilter NONSPECIFIC_CURRENT i RANGE g, e, b0, b1 }
PARAMETER { g = 0.001 (uS) e = -70 (mV) }
ASSIGNED { v (mV) i (nA) b0 b1 }
INITIAL {
  b0 = 0
  b1 = 0
}
BREAKPOINT {
  b0 = 0.9*b0 + 0.1*(v + 65)
  b1 = b0
  i = g*(1 + b1/10)*(v - e)
}
