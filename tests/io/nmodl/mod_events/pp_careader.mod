: excitable NMODL test (issue 18, NEURON's ion style with a point process): a POINT_PROCESS that
: READs cai and cao (a leak scaled by cai). NEURON promotes the ca ion's style in the section it sits
: in, so every mechanism there reads eca = Nernst(cai, cao) at the run's celsius (not 132.458 mV).
NEURON {
    POINT_PROCESS pp_careader
    USEION ca READ cai, cao
    NONSPECIFIC_CURRENT i
    RANGE g, e, kd
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) (mM) = (milli/liter) }
PARAMETER { g = 0.0002 (uS) e = -65 (mV) kd = 0.0001 (mM) }
ASSIGNED { v (mV) i (nA) cai (mM) cao (mM) }
BREAKPOINT {
    i = g*cai/(cai + kd)*(v - e)
}
