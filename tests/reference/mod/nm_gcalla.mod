: GLOBAL arrays set element by element in a PROCEDURE that BREAKPOINT and the DERIVATIVE call
: before they read them (Lytton's generic HH channels, OpenSourceBrain WangBuzsaki1996 naf.mod:
: GLOBAL Inf[2], Tau[2] set by mh(v)): Inf by constant subscripts, Tau in a FROM loop over the
: whole array. NEURON keeps one array for all instances, but each read follows this instance's
: own call, so it holds this instance's numbers when read. mh's TABLE (naf.mod's form: the arrays
: named as its outputs, read by nothing) was taken for a read before BREAKPOINT's call (refused).
NEURON {
    SUFFIX nm_gcalla
    NONSPECIFIC_CURRENT i
    RANGE gbar
    GLOBAL Inf, Tau
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.02 (S/cm2) e = 50 (mV) }
ASSIGNED { v (mV) i (mA/cm2) Inf[2] Tau[2] (ms) }
STATE { h }
INITIAL {
    mh(v)
    h = Inf[1]
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    mh(v)
    i = gbar*Inf[0]*Inf[0]*Inf[0]*h*(v - e)
}
DERIVATIVE states {
    mh(v)
    h' = (Inf[1] - h)/Tau[1]
}
PROCEDURE mh(v (mV)) {
    LOCAL j
    TABLE Inf, Tau DEPEND celsius FROM -100 TO 100 WITH 200
    Inf[0] = 1/(1 + exp(-(v + 35)/8))
    Inf[1] = 1/(1 + exp((v + 60)/7))
    FROM j = 0 TO 1 {
        Tau[j] = 0.2 + j*(1 + 5/(1 + exp((v + 50)/10)))
    }
}
