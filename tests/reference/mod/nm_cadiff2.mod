COMMENT
Test mechanism (issue 18): nm_cadiff1.mod with its COMPARTMENT and LONGITUDINAL_DIFFUSION statements
written with an index on the scalar cai (`COMPARTMENT i, ... {cai}`, as ModelDB's caextscale_node.mod
writes them): nocmodl applies the volume all the same and runs the diffusion's loop once (i = 0),
where NEURON's NMODL framework dropped the indexed volume (the state moved by the flux itself).
Otherwise: a calcium pool whose concentration is the ion's own `cai` (a STATE),
filled by the compartment's total ica across a shell of the whole cross-section, relaxing to
`cainf` with time constant `tau`, and diffusing along the cell (LONGITUDINAL_DIFFUSION: NEURON then
moves the ion's cai itself, not a copy). Volume per length pi diam^2/4 (um2); the flux
coefficient D times it (um4/ms); the ica flux in mM um2/ms per um of length (ica * pi diam / (2F),
with F in 10000 coulomb for mA/cm2).
ENDCOMMENT

NEURON {
    SUFFIX nm_cadiff2
    USEION ca READ ica WRITE cai
    RANGE D, tau, cainf
}

UNITS {
    (mM) = (milli/liter)
    (um) = (micron)
    (mA) = (milliamp)
    FARADAY = (faraday) (10000 coulomb)
    PI = (pi) (1)
}

PARAMETER {
    D = 0.6 (um2/ms)
    tau = 20 (ms)
    cainf = 1e-4 (mM)
}

ASSIGNED { diam (um) ica (mA/cm2) }

STATE { cai (mM) }

BREAKPOINT { SOLVE state METHOD sparse }

KINETIC state {
    COMPARTMENT i, diam*diam*PI/4 {cai}
    LONGITUDINAL_DIFFUSION i, D*diam*diam*PI/4 {cai}
    ~ cai << (-ica*PI*diam/(2*FARADAY) - (cai - cainf)*diam*diam*PI/4/tau)
}
