: NET_RECEIVE's arguments tz, k and its LOCAL f hide the mechanism's ASSIGNED of those names (OSB
: GranCellSolinasEtAl10 GRANULE_Ampa_det_vi.mod's tzero, written for excitable's tests). BREAKPOINT
: sets the ASSIGNED tz and f under a condition on v (NEURON's second nrn_cur run wins) and reads the
: ASSIGNED k, which INITIAL sets; each event facilitates by its own connection's last time tz and
: counts in its own k.
NEURON {
    POINT_PROCESS nr_shadow
    RANGE tau, tfac, e, i, tz, f, k
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { tau = 3 (ms) tfac = 8 (ms) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) tz (ms) f k }
STATE { g (uS) }
INITIAL { g = 0 tz = 0 f = 0 k = 1 }
BREAKPOINT {
    SOLVE st METHOD cnexp
    if (v > -60) { tz = t  f = 2 }
    i = k*g*(v - e)
}
DERIVATIVE st { g' = -g/tau }
NET_RECEIVE(weight (uS), tz (ms), k) {
    LOCAL f
    INITIAL { tz = -1e9  k = 0 }
    f = 1 + exp(-(t - tz)/tfac)
    k = k + 1
    g = g + weight*f/k
    tz = t
}
