: excitable NMODL test (issue 18, convergence): `SOLVE ... STEADYSTATE derivimplicit` in INITIAL,
: which NEURON makes one derivimplicit step of 1e-9 ms. From y0 = 0.001 its Newton loop stops; from
: y0 = 0.5 it never meets its residual tolerance of 1e-8 /ms (round-off in (y - y0) / 1e-9 ms) and
: NEURON aborts finitialize. (NEURON 9.0.2 crashes when a section with this mechanism is created
: after a run: tests/io/nmodl/test_convergence.py runs NEURON on it in a process of its own.)
NEURON { SUFFIX nm_ssimplicit RANGE y0, k }
PARAMETER { y0 = 0.001 k = 1000 (/ms) }
ASSIGNED { v (mV) }
STATE { y }
INITIAL {
    y = y0
    SOLVE st STEADYSTATE derivimplicit
}
BREAKPOINT { SOLVE st METHOD derivimplicit }
DERIVATIVE st {
    y' = 10*(1 - y)/(1 + exp(-(v + 40)/5)) - k*y*y
}
