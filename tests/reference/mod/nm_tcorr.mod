: A K-like channel whose rate FUNCTION sets a temperature factor (an ASSIGNED, tcorr) and reads it
: at once, called from BREAKPOINT after the SOLVE (alpha_n = alp_n(v)) and inside the cnexp
: DERIVATIVE's expression: ModelDB 112685's Golgi_Na/KV/Ca_HVA.mod pattern (Solinas 2007, the
: D'Angelo lab's). Every call sets tcorr before it reads it: nothing carries over between blocks
: (tests/io/nmodl/test_feeds_from_functions.py).
NEURON {
  SUFFIX nm_tcorr
  NONSPECIFIC_CURRENT i
  RANGE gbar, e, alpha_n, tcorr
}

UNITS {
  (mA) = (milliamp)
  (mV) = (millivolt)
}

PARAMETER {
  gbar = 0.01 (mho/cm2)
  e = -80 (mV)
  Q10 = 3 (1)
}

ASSIGNED {
  v (mV)
  celsius (degC)
  i (mA/cm2)
  alpha_n (/ms)
  tcorr (1)
}

STATE { n }

INITIAL {
  n = alp_n(v)/(alp_n(v) + bet_n(v))
}

BREAKPOINT {
  SOLVE states METHOD cnexp
  i = gbar*n*n*n*n*(v - e)
  alpha_n = alp_n(v)
}

DERIVATIVE states {
  n' = alp_n(v)*(1 - n) - bet_n(v)*n
}

FUNCTION alp_n(v (mV)) (/ms) {
  tcorr = Q10^((celsius - 6.3)/10)
  alp_n = tcorr*0.01*(v + 55)/(1 - exp(-(v + 55)/10))
}

FUNCTION bet_n(v (mV)) (/ms) {
  tcorr = Q10^((celsius - 6.3)/10)
  bet_n = tcorr*0.125*exp(-(v + 65)/80)
}
