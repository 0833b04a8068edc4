: A RANGE PARAMETER (x) and a RANGE ASSIGNED variable (y) that INITIAL and a BREAKPOINT with a
: current both assign, nothing else reading them (OpenSourceBrain M1NetworkModel cal_mig.mod's
: ggk = ghk(v, cai, cao)). NEURON's recorded value is what nrn_cur left: BREAKPOINT at the step's
: start V and state s; at t = 0, finitialize's nrn_cur after INITIAL (INITIAL's 0.5*v overwritten).
NEURON {
    SUFFIX nm_bpparam
    NONSPECIFIC_CURRENT i
    RANGE g, x, y
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER {
    g = 0.001 (S/cm2)
    x (mV)
}
ASSIGNED { v (mV) i (mA/cm2) y (mV) }
STATE { s }
INITIAL {
    s = 0
    x = 0.5*v
    y = 0.5*v
}
BREAKPOINT {
    SOLVE st METHOD cnexp
    x = v + 10*s*(1 (mV))
    y = v - 10*s*(1 (mV))
    i = g*s*(v + 65)
}
DERIVATIVE st { s' = (1 - s)/(5 (ms)) }
