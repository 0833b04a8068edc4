: excitable NMODL test: a NONLINEAR block SOLVE'd in BREAKPOINT (no METHOD), so NEURON solves it by
: Newton's method at every step (nrn_state): a ligand L binds a buffer B (L + B <-> LB, dissociation
: constant Kd), with the free and bound fractions at their instantaneous equilibrium, quadratic in
: the unknowns; the total ligand follows V, and a channel opens with the free ligand and the bound
: fraction. The block has a LOCAL, a FUNCTION of an unknown in an equation and an assignment after
: the equations that BREAKPOINT reads (NEURON's last evaluation of the block is at the solution).
NEURON {
    SUFFIX nm_nonlinear_bp
    NONSPECIFIC_CURRENT i
    RANGE gbar, e, Kd, Btot, bound
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER {
    gbar = 0.002 (S/cm2)
    e = -30 (mV)
    Kd = 0.5
    Btot = 2
}
ASSIGNED { v (mV) i (mA/cm2) bound }
STATE { free LB }
INITIAL {
    free = 1
    LB = 0.5
}
BREAKPOINT {
    SOLVE equilibrium
    i = gbar*(free/(free + Kd) + 0.2*bound)*(v - e)
}
NONLINEAR equilibrium {
    LOCAL total
    total = 1 + 0.5*(1 + tanh((v + 40)/20))
    ~ free + LB = total
    ~ Kd*LB = free*sites(LB)
    bound = LB/total
}
FUNCTION sites(x) { sites = Btot - x }
