: printf in INITIAL and in a rarely taken branch of BREAKPOINT, as ModelDB 113997 ipulse3.mod
: (printf in INITIAL) and 83319 if3.mod (printf in an error branch) use it: NEURON prints, and
: nothing else in the statement has an effect (its arguments read values, one through a FUNCTION
: that assigns nothing), so excitable runs the rest and prints nothing.
: Exercises printf.py (tests/io/nmodl/test_published_refusals.py).
NEURON {
    SUFFIX nm_printf
    NONSPECIFIC_CURRENT i
    RANGE g, e
}
PARAMETER {
    g = 0.002 (S/cm2)
    e = -70 (mV)
}
ASSIGNED { v (mV) i (mA/cm2) }
STATE { m }
INITIAL {
    m = minf(v)
    printf("nm_printf: m starts at %g (minf %g)\n", m, minf(v))
}
BREAKPOINT {
    SOLVE gate METHOD cnexp
    if (m > 0.5) {
        printf("nm_printf: m = %g at v = %g mV\n", m, v)
    }
    i = g*m*(v - e)
}
DERIVATIVE gate { m' = (minf(v) - m)/2 }
FUNCTION minf(v (mV)) { minf = 1/(1 + exp(-(v + 40)/5)) }
