TITLE Calcium in four radial shells, no longitudinal diffusion (excitable's test file)
: Shell 0 lies under the membrane and takes the Ca current; the shells exchange Ca by radial
: diffusion (COMPARTMENT volumes and face areas scale with diam^2 and diam). cai is shell 0.

NEURON {
    SUFFIX nm_shells
    USEION ca READ ica WRITE cai
    RANGE DCa
}

DEFINE NSHELL 4

UNITS {
    (mM) = (milli/liter)
    (mA) = (milliamp)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
    PI = (pi) (1)
}

PARAMETER {
    DCa = 0.6 (um2/ms)
}

ASSIGNED {
    diam (um)
    ica (mA/cm2)
    cai (mM)
    vol[NSHELL] (1)
    face[NSHELL] (1)
}

STATE {
    ca[NSHELL] (mM)
}

BREAKPOINT {
    SOLVE radial METHOD sparse
}

INITIAL {
    geometry()
    FROM i = 0 TO NSHELL-1 {
        ca[i] = cai
    }
}

PROCEDURE geometry() {
    LOCAL r, dr
    : shells of equal depth dr = (diam/2)/NSHELL; vol[i] per unit length per diam^2, face[i] the
    : area between shell i-1 and i per unit length per diam, divided by the distance dr
    dr = 1/(2*NSHELL)
    r = 1/2
    FROM i = 0 TO NSHELL-1 {
        vol[i] = PI*(r*r - (r - dr)*(r - dr))
        face[i] = 2*PI*r/dr
        r = r - dr
    }
}

KINETIC radial {
    COMPARTMENT i, diam*diam*vol[i] {ca}
    ~ ca[0] << (-ica*PI*diam*(1e4)/(2*FARADAY))
    FROM i = 0 TO NSHELL-2 {
        ~ ca[i] <-> ca[i+1] (DCa*face[i+1], DCa*face[i+1])
    }
    cai = ca[0]
}
