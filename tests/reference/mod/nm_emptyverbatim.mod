COMMENT
Test mechanism (issue 18): VERBATIM blocks with no C in them, which NEURON compiles to nothing: one
empty in BREAKPOINT (as ModelDB 3511 gapvdep.mod has), one holding only C comments inside an if of a
PROCEDURE. excitable skips them; a VERBATIM with any C in it is still refused.
ENDCOMMENT
NEURON {
	SUFFIX nm_emptyverbatim
	NONSPECIFIC_CURRENT i
	RANGE g, e
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) winf }
STATE { w }
INITIAL { rates(v) w = winf }
BREAKPOINT {
	SOLVE states METHOD cnexp
VERBATIM
ENDVERBATIM
	i = g*w*(v - e)
}
DERIVATIVE states { rates(v) w' = (winf - w)/2 }
PROCEDURE rates(v (mV)) {
	if (v > -200) {
VERBATIM
	/* nothing to do in C here */
	// nor here
ENDVERBATIM
		winf = 1/(1 + exp(-(v + 40)/10))
	}
}
