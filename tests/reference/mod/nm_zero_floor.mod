: A calcium pool that floors its own state inside the DERIVATIVE block it integrates with
: derivimplicit, "if (cai < cai0) { cai = cai0 }": the form of ModelDB 266797 cacumm.mod (SUFFIX
: cacum). NEURON's Newton iteration for it does not converge ("Convergence not achieved in maximum
: number of iterations", then hoc's "scopmath library error") at the first clamp step, so
: `excitable mod compare` must say in one line that NEURON cannot run it (exit 2), not print a
: traceback (tests/workflows/test_neuron_compare_failures.py).
NEURON { SUFFIX nm_zfloor USEION ca READ ica WRITE cai RANGE cai0, tau }
UNITS { (mM) = (milli/liter) (mA) = (milliamp) F = (faraday) (coulombs) }
PARAMETER { depth = 0.1 (um) tau = 100 (ms) cai0 = 50e-6 (mM) }
ASSIGNED { ica (mA/cm2) }
STATE { cai (mM) }
INITIAL { cai = cai0 }
BREAKPOINT { SOLVE integrate METHOD derivimplicit }
DERIVATIVE integrate {
	cai' = -ica/depth/F/2 * (1e4) + (cai0 - cai)/tau
	if (cai < cai0) { cai = cai0 }
}
