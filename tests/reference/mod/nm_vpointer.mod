: A density mechanism that reads the membrane potential of another compartment through a POINTER
: (written for excitable's tests; NEURON: h.setpointer(other(0.5)._ref_v, 'vpre', sec(0.5).nm_vpointer)).
: vpre is read in all three places NEURON's generated code reads it: INITIAL (s at its steady state
: for the other V), the SOLVE'd block (nrn_state: the other V after the step's update) and
: BREAKPOINT (nrn_cur: the other V at the start of the step, a coupling term k (v - vpre)).
NEURON {
    SUFFIX nm_vpointer
    NONSPECIFIC_CURRENT i
    RANGE g, e, k
    POINTER vpre
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { g = 0.002 (S/cm2) e = 0 (mV) k = 0.0001 (S/cm2) }
ASSIGNED { v (mV) vpre (mV) i (mA/cm2) sinf tau (ms) }
STATE { s }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = g*s*(v - e) + k*(v - vpre)
}
INITIAL {
    rates(vpre)
    s = sinf
}
DERIVATIVE states {
    rates(vpre)
    s' = (sinf - s)/tau
}
PROCEDURE rates(u (mV)) {
    sinf = 1/(1 + exp(-(u + 40)/5))
    tau = 1 + 2*exp(-(u + 60)*(u + 60)/400)
}
