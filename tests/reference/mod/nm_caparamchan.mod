COMMENT
Test mechanism (issue 18): a calcium current whose ion variables are declared in PARAMETER, as
ModelDB 267599 ican.mod declares ica and ModelDB 2015953 HH2.mod its reversal potentials: ica
(written) and eca (read), with defaults nocmodl ignores ("Default 50 of PARAMETER eca will be
ignored and set by NEURON"). Beside a pool that writes cai (nm_cadparam.mod), eca is NEURON's
Nernst value from the pool's cai at every step, never the 50 mV written here.
ica = gbar m (v - eca), one gate with a fixed time constant.
ENDCOMMENT

NEURON {
    SUFFIX nm_caparamchan
    USEION ca READ eca WRITE ica
    RANGE gbar
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.0005 (S/cm2)
    ica = 1 (mA/cm2)
    eca = 50 (mV)
}

ASSIGNED { v (mV) }

STATE { m }

INITIAL { m = 1 / (1 + exp(-(v + 20) / 5)) }

BREAKPOINT {
    SOLVE gate METHOD cnexp
    ica = gbar * m * (v - eca)
}

DERIVATIVE gate { m' = (1 / (1 + exp(-(v + 20) / 5)) - m) / 2 }
