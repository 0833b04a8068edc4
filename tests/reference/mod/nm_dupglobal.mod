COMMENT
Test mechanism (issue 18): names declared GLOBAL more than once, in one statement and across two,
as ModelDB 267140's cal4.mod writes `GLOBAL vrat, TBufs, KDs, TBufs, TBufm, KDm` and 105385's
bk_gp.mod repeats `ztau`. nrnivmodl accepts it (the repeat adds nothing); NEURON's NMODL
framework's symbol table refuses it, so excitable drops the repeats before building it.
ENDCOMMENT
NEURON {
	SUFFIX nm_dupglobal
	NONSPECIFIC_CURRENT i
	GLOBAL g, tau, g
	GLOBAL e, tau
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) tau = 2 (ms) }
ASSIGNED { v (mV) i (mA/cm2) winf }
STATE { w }
INITIAL { winf = 1/(1 + exp(-(v + 40)/10)) w = winf }
BREAKPOINT {
	SOLVE states METHOD cnexp
	i = g*w*(v - e)
}
DERIVATIVE states { winf = 1/(1 + exp(-(v + 40)/10)) w' = (winf - w)/tau }
