: A density mechanism that reads and writes a STATE array at indices known only in the run
: (tests/io/nmodl/test_runtime_index.py): its SOLVE'd PROCEDURE steps one element a step, the one a
: counter n names; BREAKPOINT's current reads the element a clock k names. NEURON's C takes h[(int) n].
NEURON { SUFFIX rt_dens NONSPECIFIC_CURRENT i RANGE g, e, n, k }
PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) n k }
STATE { h[3] }
INITIAL {
  n = 0
  h[0] = 0.2  h[1] = 0.5  h[2] = 0.8
}
BREAKPOINT {
  SOLVE bump
  k = fmod(floor(t/1.3), 3)
  i = g*h[k]*(v - e)
}
PROCEDURE bump() {
  n = fmod(n + 1, 3)
  h[n] = h[n] + 3*dt*(1/(1 + exp(-(v + 40)/8)) - h[n])/2
}
