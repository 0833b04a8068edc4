TITLE A calcium pool and a current that read diam, area and t (excitable's test file)
: The pool's depth follows the segment's diameter (depth = diam/4, as a CaDynamics file scales it),
: the current scales with the segment's membrane area, and its gate follows a ramp in time.

NEURON {
    SUFFIX nm_geom
    USEION ca READ ica WRITE cai
    NONSPECIFIC_CURRENT i
    RANGE gmax, erev, tau_on, tauw, cainf, taur
}

UNITS {
    (mM) = (milli/liter)
    (mA) = (milliamp)
    (mV) = (millivolt)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    gmax = 0.0004 (S/cm2)
    erev = -20 (mV)
    tau_on = 3 (ms)
    tauw = 2 (ms)
    cainf = 1e-4 (mM)
    taur = 20 (ms)
    aref = 1000 (um2)
}

ASSIGNED {
    v (mV)
    diam (um)
    area (um2)
    ica (mA/cm2)
    i (mA/cm2)
    depth (um)
}

STATE {
    cai (mM)
    w
}

INITIAL {
    depth = diam/4
    cai = cainf
    w = 0
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gmax*w*(v - erev)*area/aref
}

DERIVATIVE states {
    cai' = -(10000)*ica/(2*FARADAY*depth) + (cainf - cai)/taur
    w' = ((1 - exp(-t/tau_on)) - w)/tauw
}
