: GLOBALs that INITIAL sets through a PROCEDURE's argument and the DERIVATIVE reads before it sets
: them (none of its statements does): NEURON keeps one value for all instances, the last INITIAL's.
: mh(celsius, diam) and nh(-65) pass values the same in every instance for minf and ninf, so each
: compartment's own value is NEURON's; d, from diam, goes into the RANGE mk only. The tests swap in
: mh(v, ...) or nh(v): minf or ninf then differs between instances and the file is refused.
NEURON {
    SUFFIX nm_garg
    NONSPECIFIC_CURRENT i
    RANGE gbar, mk
    GLOBAL minf, ninf
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) (um) = (micron) }
PARAMETER { gbar = 0.002 (S/cm2) e = -80 (mV) }
ASSIGNED { v (mV) i (mA/cm2) diam (um) minf ninf mk }
STATE { m n }
INITIAL {
    mh(celsius, diam)
    nh(-65)
    m = mk*minf
    n = 0
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*m*n*(v - e)
}
DERIVATIVE states {
    m' = (minf - m)/(3 (ms))
    n' = (ninf - n)/(2 (ms))
}
PROCEDURE mh(x, d (um)) {
    minf = 0.2 + 0.6/(1 + exp(-(x - 10)/4))
    mk = d/(20 (um))
}
PROCEDURE nh(y (mV)) {
    ninf = 1/(1 + exp(-(y + 60)/(5 (mV))))
}
