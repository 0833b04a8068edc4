: A current ramp whose elapsed time is a PARAMETER assigned and then read inside one if-branch of
: BREAKPOINT, in the form of ModelDB 105385 iramp.mod (`if (t < del + dur && t >= del) { t_eff = t
: - del  i = amp0 + ((amp1 - amp0)/dur)*t_eff } else { i = 0 }`, t_eff declared in PARAMETER):
: the read comes after this run's assignment, so the previous step's value is never seen.
: Exercises parameter_writes / flow.unset_reads (tests/io/nmodl/test_published_refusals.py).
NEURON {
    POINT_PROCESS pp_branchparam
    ELECTRODE_CURRENT i
    RANGE del, dur, amp0, amp1, i
}
PARAMETER {
    del = 5 (ms)
    dur = 20 (ms)
    amp0 = 0 (nA)
    amp1 = 0.3 (nA)
    teff (ms)
}
ASSIGNED { i (nA) }
BREAKPOINT {
    if (t >= del && t < del + dur) {
        teff = t - del
        i = amp0 + (amp1 - amp0)*teff/dur
    } else {
        i = 0
    }
}
