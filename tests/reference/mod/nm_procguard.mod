: A SOLVE'd PROCEDURE that returns early from C under an if: n counts the steps whose v is at or above
: vmin (NEURON's nrn_state calls count() once a step; below vmin the C function returns first).
NEURON {
    SUFFIX nm_procguard
    NONSPECIFIC_CURRENT i
    RANGE g, vmin, n
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { g = 0.0001 (S/cm2) vmin = -40 (mV) }
ASSIGNED { v (mV) i (mA/cm2) n }
INITIAL { n = 0 }
BREAKPOINT {
    SOLVE count
    i = g*(v + 65)
}
PROCEDURE count() {
    if (v < vmin) {
    VERBATIM
        return 0;
    ENDVERBATIM
    }
    n = n + 1
}
