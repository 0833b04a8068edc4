: STATEs that BREAKPOINT computes from other sums it has just set, in the form of ModelDB 105385
: na6_gp.mod (Gunay, Edgerton and Jaeger's GP neuron: `isot = iso01 + ...`, `ist = isot + isit +
: isbt`, `it = ift + ist`, `avail = o + ct` after its KINETIC SOLVE): here s1 from the kinetic
: states, s2 from s1, s3 from s1 or s2 by an if/else on s1, and the current from s3. NEURON's
: nrn_cur runs BREAKPOINT twice a step; both runs write the same values, so one run is exact.
: INITIAL sets the sums as BREAKPOINT does, so the first sample is theirs on both sides.
: Exercises describe.rewritten_states / flow.state_sites (tests/io/nmodl/test_published_refusals.py).
NEURON {
    SUFFIX nm_bpchain
    NONSPECIFIC_CURRENT i
    RANGE g, e
}
PARAMETER {
    g = 0.004 (S/cm2)
    e = -80 (mV)
}
ASSIGNED { v (mV) i (mA/cm2) }
STATE { a b c s1 s2 s3 }
INITIAL {
    a = 0.7
    b = 0.2
    c = 0.1
    s1 = a + 2*b
    s2 = s1*c + a
    if (s1 > 1) { s3 = s1 - 1 } else { s3 = s2 - 0.5 }
}
BREAKPOINT {
    SOLVE kin METHOD sparse
    s1 = a + 2*b
    s2 = s1*c + a
    if (s1 > 1) {
        s3 = s1 - 1
    } else {
        s3 = s2 - 0.5
    }
    i = g*s3*(v - e)
}
KINETIC kin {
    ~ a <-> b (0.2*exp((v + 40)/15), 0.1)
    ~ b <-> c (0.05, 0.02)
}
