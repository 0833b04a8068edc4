COMMENT
Test mechanism (issue 18): variables that BREAKPOINT sets after its SOLVE and that the SOLVE'd
DERIVATIVE block reads, in the forms where NEURON's nrn_state sees the same values whatever the V
and the ion values of the step:
- oinf = 1/(1 + (km/cai)^4) (0 where cai <= 0, in an if/else), recomputed in BREAKPOINT "for display"
  and set again at the top of the DERIVATIVE, on both branches, before its use (ModelDB 267599
  kcasimple.mod, an SK channel, as written there): nrn_state never sees
  BREAKPOINT's value (computed from the cai of the step's start, which a pool then moves);
- rates(v) sets minf and mtau from v in BREAKPOINT, and the DERIVATIVE calls rates(v) itself before
  reading them (ModelDB 266797 NapIn.mod's trates(v), with its TABLE: the lookup sets both names,
  and the tests run it with usetable_nm_feedrate = 0, exact rates): likewise;
- tadj = 3^((celsius - 22)/10), computed in BREAKPOINT only and read by the DERIVATIVE: free of v
  and of ion values, so recomputing it from the start-of-step states gives nrn_cur's value.
ik = gbar o m (v - ek).
ENDCOMMENT

NEURON {
    SUFFIX nm_feedrate
    USEION ca READ cai
    USEION k READ ek WRITE ik
    RANGE gbar, km, otau, oinf, minf, mtau, tadj
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.002 (S/cm2)
    km = 1e-4 (mM)
    otau = 4 (ms)
}

ASSIGNED { v (mV) celsius (degC) ik (mA/cm2) ek (mV) cai (mM) oinf minf mtau (ms) tadj }

STATE { o m }

INITIAL {
    rates(v)
    oinf = 1 / (1 + pow(km / cai, 4))
    tadj = 3 ^ ((celsius - 22) / 10)
    o = oinf
    m = minf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    if (cai > 0) {
        oinf = 1 / (1 + pow(km / cai, 4))
    } else {
        oinf = 0
    }
    rates(v)
    tadj = 3 ^ ((celsius - 22) / 10)
    ik = gbar * o * m * (v - ek)
}

DERIVATIVE states {
    if (cai > 0) {
        oinf = 1 / (1 + pow(km / cai, 4))
    } else {
        oinf = 0
    }
    rates(v)
    o' = (oinf - o) / otau
    m' = tadj * (minf - m) / mtau
}

PROCEDURE rates(v (mV)) {
    TABLE minf, mtau FROM -100 TO 100 WITH 200
    minf = 1 / (1 + exp(-(v + 30) / 8))
    mtau = 1 + 4 * exp(-(v + 40) * (v + 40) / 400)
}
