: One half of a gap junction: i = g (v - vgap), vgap a POINTER to the partner's v (a pair of these,
: one in each cell, is the junction; the same splitting as excitable's Network.gap_junction).
NEURON {
    POINT_PROCESS XsHalfGap
    POINTER vgap
    RANGE g, i
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { g = 0.001 (uS) }
ASSIGNED { v (mV) vgap (mV) i (nA) }
BREAKPOINT { i = g * (v - vgap) }
