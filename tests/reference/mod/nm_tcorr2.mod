: ModelDB 112685's Golgi_KV.mod shape: a derivimplicit DERIVATIVE calls a TABLE'd rate PROCEDURE
: (TABLE n_inf, tau_n: NEURON's lookup skips the body, which sets tcorr through the FUNCTIONs it
: calls), BREAKPOINT sets tcorr through alp_n(v) after the SOLVE. bet_n, called first in both,
: declares its own LOCAL tcorr (ModelDB 112685's files edited so): it leaves the mechanism's tcorr
: alone, which alp_n sets before it reads it. No value carries over
: (tests/io/nmodl/test_feeds_from_functions.py).
NEURON {
  SUFFIX nm_tcorr2
  NONSPECIFIC_CURRENT i
  RANGE gbar, e, alpha_n, beta_n, tcorr
}

UNITS {
  (mA) = (milliamp)
  (mV) = (millivolt)
}

PARAMETER {
  gbar = 0.005 (mho/cm2)
  e = -80 (mV)
  Q10 = 3 (1)
}

ASSIGNED {
  v (mV)
  celsius (degC)
  i (mA/cm2)
  n_inf
  tau_n (ms)
  alpha_n (/ms)
  beta_n (/ms)
  tcorr (1)
}

STATE { n }

INITIAL {
  rate(v)
  n = n_inf
}

BREAKPOINT {
  SOLVE states METHOD derivimplicit
  i = gbar*n*n*n*n*(v - e)
  beta_n = bet_n(v)
  alpha_n = alp_n(v)
}

DERIVATIVE states {
  rate(v)
  n' = (n_inf - n)/tau_n
}

FUNCTION alp_n(v (mV)) (/ms) {
  tcorr = Q10^((celsius - 20)/10)
  alp_n = tcorr*0.1*exp((v + 26)/10)
}

FUNCTION bet_n(v (mV)) (/ms) {
  LOCAL tcorr
  tcorr = Q10^((celsius - 20)/10)
  bet_n = tcorr*0.125*exp(-(v + 36)/80)
}

PROCEDURE rate(v (mV)) {
  LOCAL a_n, b_n
  TABLE n_inf, tau_n DEPEND celsius FROM -100 TO 30 WITH 1300
  b_n = bet_n(v)
  a_n = alp_n(v)
  tau_n = 1/(a_n + b_n)
  n_inf = a_n/(a_n + b_n)
}
