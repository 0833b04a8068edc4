COMMENT
Test mechanism (issue 18): a current switched on by time in BREAKPOINT, with the `at_time()`
statements of NEURON's older examples (nacur.mod: two on one line; svclmp.mod: inside an if), and
a parameter named `del` (a Python keyword: the field `delay`, as IClamp's). In NEURON's fixed step at_time only
returns a value, which a statement drops (the variable step stops at that time): the current must be
the same as without them. A density of `amp` (mA/cm2, outward positive) from `del` for `dur` ms.
ENDCOMMENT

NEURON {
    SUFFIX nm_attime
    NONSPECIFIC_CURRENT i
    RANGE del, dur, amp
}

UNITS { (mA) = (milliamp) }

PARAMETER {
    del = 2 (ms)
    dur = 5 (ms)
    amp = -0.02 (mA/cm2)
}

ASSIGNED { i (mA/cm2) }

BREAKPOINT {
    at_time(del)  at_time(del + dur)
    if (dur > 0) { at_time(del + dur) }
    if (t > del && t < del + dur) {
        i = amp
    } else {
        i = 0
    }
}
