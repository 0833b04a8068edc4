: A filter of v that BREAKPOINT keeps in an ASSIGNED b0, and b1 set from it after its update (a chain
: of kept values; no SOLVE). NEURON's nrn_cur runs BREAKPOINT twice a step (at v + 0.001 mV, then at
: v, the second from what the first left) and finitialize once more after INITIAL, so b0 moves twice
: a step and b1 and the current take the second run's b0 (tests/io/nmodl/test_breakpoint_twice.py).
: At g = 0.001 S/cm2 NEURON's own run is round-off-determined: the slope (i1 - i2)/0.001 from two runs
: that move b0 in between reaches -1.6 mA/cm2/mV against cm/dt = 0.04 (with hh beside it), the
: matrix's diagonal goes through 0, and NEURON with g changed by 1e-15 of itself differs from NEURON
: by 11 times V's largest magnitude under mod compare's current clamp (and fires where it did not);
: the test runs it at g = 1e-6 S/cm2, where it is well conditioned.
NEURON { SUFFIX nm_bpfilter NONSPECIFIC_CURRENT i RANGE g, e, b0, b1 }
PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) b0 b1 }
INITIAL {
  b0 = 0
  b1 = 0
}
BREAKPOINT {
  b0 = 0.9*b0 + 0.1*(v + 65)
  b1 = b0
  i = g*(1 + b1/10)*(v - e)
}
