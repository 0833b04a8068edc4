: C arithmetic at its edges (division by 0, overflow, logarithms of 0 and of negative numbers),
: as NEURON's compiled C evaluates it: 1/0 = inf, 0/0 = nan, pow overflow = inf, log(0) = -inf,
: exp beyond +-700 = hoc_Exp's exp(700) or 0. The FUNCTIONs are called by the tests with numbers
: on both sides (tests/io/nmodl/test_c_arithmetic.py). The BREAKPOINT is the form of ModelDB 84589
: kc.mod (Kaiser's KC channel), whose parameters all default to 0 and are set from hoc: a rate
: 1/(1 + 1/(1/tmax + exp(v/10))) with tmax = 0 is 1/inf = 0 deep inside, so r = 1.
NEURON {
	SUFFIX nm_zdiv
	NONSPECIFIC_CURRENT i
	GLOBAL tmax
	RANGE r, g
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER {
	tmax = 0 (/ms)
	g = 0.001 (S/cm2)
}
ASSIGNED { v (mV) i (mA/cm2) r }
BREAKPOINT {
	r = 1.0/(1.0 + 1.0/(1.0/tmax + exp(v/10)))
	i = g*r*(v + 65)
}
FUNCTION fdiv(a, b) { fdiv = a/b }
FUNCTION fpow(a, b) { fpow = a^b }
FUNCTION fpowf(a, b) { fpowf = pow(a, b) }
FUNCTION fexp(x) { fexp = exp(x) }
FUNCTION flog(x) { flog = log(x) }
FUNCTION flog10(x) { flog10 = log10(x) }
FUNCTION fsqrt(x) { fsqrt = sqrt(x) }
FUNCTION ffmod(a, b) { ffmod = fmod(a, b) }
FUNCTION fmul(a, b) { fmul = a*b }
FUNCTION fsub(a, b) { fsub = a - b }
FUNCTION fnested(a) { fnested = 1/(1 + 1/(1/a)) }
