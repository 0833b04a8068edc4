COMMENT
Test mechanism (issue 18): a gate x whose SOLVE sits two ifs deep in BREAKPOINT, in an else if,
beside a current that reads it: the form of ModelDB 182134's capr.mod (`if (cai < 0) { cai = 0 }
else { SOLVE ... }`), nested further. nocmodl (NEURON 9.0.2) runs the SOLVE in nrn_state at every
step whatever the conditions, and the if/else with the SOLVE taken out in nrn_cur, where the
guard `x > xmax` holds only where a test lowers xmax (x relaxes toward xinf(v) < 1): then
nrn_cur sets x = xmax, a write that stays, and nrn_state's SOLVE starts from it. x relaxes
toward a sigmoid of v, and the current g*x*(v - e) is an outward K-like current that shapes the
spikes.
ENDCOMMENT

NEURON {
    SUFFIX nm_ifsolve_deep
    NONSPECIFIC_CURRENT i
    RANGE g, e, on
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    g = 0.005 (S/cm2)
    e = -80 (mV)
    tau = 3 (ms)
    on = 1
    xmax = 1  : GLOBAL: at 1 the guard never acts; a test lowers it so that it does
}

ASSIGNED { v (mV) i (mA/cm2) }

STATE { x }

INITIAL { x = xinf(v) }

BREAKPOINT {
    if (on > 0) {
        if (x > xmax) {
            x = xmax
        } else if (on < 2) {
            { SOLVE state METHOD cnexp }
        }
    }
    i = g * x * (v - e)
}

DERIVATIVE state {
    x' = (xinf(v) - x) / tau
}

FUNCTION xinf(v (mV)) {
    xinf = 1 / (1 + exp(-(v + 40) / 5))
}
