: A gap junction as one half per cell, in the form of ModelDB's gap.mod (e.g. accession 7400, and
: the NEURON forum's standard half-gap): i = (v - vgap)/r, vgap a POINTER to the partner's V, used
: in pairs with h.setpointer(partner(x)._ref_v, 'vgap', half). Exercises a POINTER read in
: BREAKPOINT (tests/io/nmodl/test_pointer.py).
NEURON {
    POINT_PROCESS pt_gap
    NONSPECIFIC_CURRENT i
    RANGE r, i
    POINTER vgap
}
PARAMETER { r = 1e10 (megohm) }
ASSIGNED { v (millivolt) vgap (millivolt) i (nanoamp) }
BREAKPOINT { i = (v - vgap)/r }
