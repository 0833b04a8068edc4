COMMENT
Test mechanism (see bs_na.mod): a high-voltage-activated Ca2+ current of the ball-and-stick cell
(Reuveny & Jones rates, as in the Blue Brain and Allen models' Ca_HVA.mod), m^2 h, no temperature
factor, the current driven by eca (NEURON's default for a cell without a calcium pool), cnexp.
ENDCOMMENT

NEURON {
    SUFFIX bs_cahva
    USEION ca READ eca WRITE ica
    RANGE gbar, ica
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.0005 (S/cm2)
}

ASSIGNED {
    v (mV)
    eca (mV)
    ica (mA/cm2)
    minf
    hinf
    mtau (ms)
    htau (ms)
}

STATE { m h }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ica = gbar * m * m * h * (v - eca)
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m) / mtau
    h' = (hinf - h) / htau
}

PROCEDURE rates(vm (mV)) {
    LOCAL am, bm, ah, bh
    if (vm == -27) {
        vm = vm + 0.0001  : the 0/0 point of the activation rate, as Ca_HVA.mod avoids it
    }
    am = (0.055 * (-27 - vm)) / (exp((-27 - vm) / 3.8) - 1)
    bm = 0.94 * exp((-75 - vm) / 17)
    ah = 0.000457 * exp((-13 - vm) / 50)
    bh = 0.0065 / (exp((-vm - 15) / 28) + 1)
    minf = am / (am + bm)
    mtau = 1 / (am + bm)
    hinf = ah / (ah + bh)
    htau = 1 / (ah + bh)
}
