TITLE A calcium pool and a current that read diam, area, t and dt (excitable's test file)
: The pool's depth follows the segment's diameter (depth = diam/4, as a CaDynamics file scales it),
: the current scales with the segment's membrane area, its gate follows a ramp in time (t in the
: DERIVATIVE block: the step's end), an oscillating term reads t in BREAKPOINT (the step's middle)
: and dt, and INITIAL starts the gate from one step of its ramp (dt).

NEURON {
    SUFFIX nm_geom
    USEION ca READ ica WRITE cai
    NONSPECIFIC_CURRENT i
    RANGE gmax, erev, tau_on, tauw, cainf, taur, a0, tosc
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
    a0 = 2e-5 (mA/cm2)
    tosc = 1.5 (ms)
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
    w = 1 - exp(-dt/tauw)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gmax*w*(v - erev)*area/aref + a0*sin(t/tosc)*dt/0.025
}

DERIVATIVE states {
    cai' = -(10000)*ica/(2*FARADAY*depth) + (cainf - cai)/taur
    w' = ((1 - exp(-t/tau_on)) - w)/tauw
}
