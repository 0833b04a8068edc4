: A calcium pool that starts empty: INITIAL cai = -phi*ica/beta, and ica = 0 when INITIAL runs, so
: cai = 0 at t = 0 and NEURON's eca (Nernst from cai, ion style) is nrn_nernst's +1e6 mV until the
: pool fills. The form of ModelDB 182134 capr.mod (a Ca2+ pool of a CA3 pyramidal cell model).
: Read beside nm_zero_leak.mod (tests/physics/test_reversal_limits.py).
NEURON { SUFFIX nm_zpool USEION ca READ ica WRITE cai RANGE phi, beta }
UNITS { (mM) = (milli/liter) (mA) = (milliamp) }
PARAMETER { phi = 130 (mM cm2/mA/ms) beta = 0.075 (/ms) }
ASSIGNED { ica (mA/cm2) }
STATE { cai (mM) }
INITIAL { cai = -phi*ica/beta }
BREAKPOINT { SOLVE state METHOD cnexp }
DERIVATIVE state { cai' = -phi*ica - beta*cai }
