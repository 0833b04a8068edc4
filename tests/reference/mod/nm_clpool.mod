COMMENT
Test mechanism (issue 18): a chloride pool, `USEION cl READ icl WRITE cli VALENCE -1`, on an ion
NEURON does not know by default. Cl- enters a submembrane shell of depth `depth` by the
compartment's total icl and relaxes with time constant `tau` toward `clinf`. With valence -1 an
outward icl (anions moving in) raises cli: cli' = -1e4 icl/(z F depth) - (cli - clinf)/tau. No
INITIAL: cli starts at NEURON's default for a new ion (cli0_cl_ion, 1 mM), far from clinf, so the
pool moves from the start and ecl (Nernst, z = -1, clo at its 1 mM default) follows it.
ENDCOMMENT

NEURON {
    SUFFIX nm_clpool
    USEION cl READ icl WRITE cli VALENCE -1
    RANGE depth, tau, clinf
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulombs)
}

PARAMETER {
    depth = 0.1 (um)
    tau = 50 (ms)
    clinf = 0.2 (mM)
}

ASSIGNED { icl (mA/cm2) }

STATE { cli (mM) }

BREAKPOINT { SOLVE states METHOD cnexp }

DERIVATIVE states {
    cli' = -(10000)*icl/((-1)*FARADAY*depth) - (cli - clinf)/tau
}
