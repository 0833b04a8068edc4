COMMENT
Test mechanism (issue 18): a chloride conductance on an ion NEURON does not know by default,
`USEION cl READ ecl, cli, clo WRITE icl VALENCE -1` (GABA-A-like, with a slow gate that opens on
depolarization so that the test has a state to compare). NEURON creates the ion with its defaults
for a new ion: cli = clo = 1 mM, ecl = 0 mV. Reading cli and clo promotes the ion's style, so ecl is
computed by Nernst from the segment's concentrations at finitialize (z = -1), and at every step when
a mechanism writes cli (nm_clpool.mod).
ENDCOMMENT

NEURON {
    SUFFIX nm_clchan
    USEION cl READ ecl, cli, clo WRITE icl VALENCE -1
    RANGE gbar
}

UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) (mM) = (milli/liter) }

PARAMETER { gbar = 0.0003 (S/cm2) }

ASSIGNED { v (mV) ecl (mV) cli (mM) clo (mM) icl (mA/cm2) minf mtau (ms) }

STATE { m }

INITIAL {
    rates(v)
    m = minf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    icl = gbar*m*(v - ecl)
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
}

PROCEDURE rates(v (mV)) {
    minf = 0.2 + 0.8/(1 + exp(-(v + 40)/8))
    mtau = 3 + 10/(1 + exp((v + 50)/10))
}
