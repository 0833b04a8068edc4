: A value BREAKPOINT sets through a FUNCTION that the SOLVE'd block reads before it sets it: the
: cnexp DERIVATIVE reads tcorr directly, BREAKPOINT sets it in alp_m(v) (from celsius alone, not
: from v: the V the FUNCTION is called with reaches only its value). NEURON's nrn_state reads what
: nrn_cur left (tests/io/nmodl/test_feeds_from_functions.py).
NEURON {
  SUFFIX nm_tcorr3
  NONSPECIFIC_CURRENT i
  RANGE gbar, e, alpha_m, tcorr
}

UNITS {
  (mA) = (milliamp)
  (mV) = (millivolt)
}

PARAMETER {
  gbar = 0.0005 (mho/cm2)
  e = -90 (mV)
  Q10 = 2.5 (1)
}

ASSIGNED {
  v (mV)
  celsius (degC)
  i (mA/cm2)
  alpha_m (/ms)
  tcorr (1)
}

STATE { m }

INITIAL {
  alpha_m = alp_m(v)
  m = alpha_m/(alpha_m + 0.05)
}

BREAKPOINT {
  SOLVE states METHOD cnexp
  alpha_m = alp_m(v)
  i = gbar*m*(v - e)
}

DERIVATIVE states {
  m' = alpha_m*(1 - m) - 0.05*tcorr*m
}

FUNCTION alp_m(v (mV)) (/ms) {
  tcorr = Q10^((celsius - 22)/10)
  alp_m = tcorr*0.02/(1 + exp(-(v + 40)/5))
}
