COMMENT
Test mechanism (issue 18): a Ca-dependent K current of Aradi & Holmes' CadepK form. It READs the
compartment's total ica and writes no Ca concentration: its own STATE ca_i (a submembrane
calcium-like variable, not the ion's cai) integrates ica in the SOLVE'd DERIVATIVE block, and an
SK-like gate q follows ca_i. NEURON gives nrn_state the ica every mechanism's nrn_cur accumulated at
the start of the step (the same total a calcium pool integrates). INITIAL reads no ica (NEURON's
ion holds the previous run's value there). Units: B converts mA/cm2 to mM/ms (CadepK's is 26,
1e4/(2 F depth) for a 0.2 um shell; 0.002 here, as if most calcium were buffered, so that
cachan1.mod's large default current moves ca_i through the gate's range rather than to mM).
ENDCOMMENT

NEURON {
    SUFFIX nm_careadonly
    USEION ca READ ica
    USEION k READ ek WRITE ik
    RANGE gskbar, ca0, catau, kd, qtau, ca_i, ik
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (S) = (siemens)
}

PARAMETER {
    gskbar = 0.002 (S/cm2)
    B = 0.002 (mM-cm2/mA-ms)
    ca0 = 7e-5 (mM)
    catau = 9 (ms)
    kd = 5e-4 (mM)
    qtau = 5 (ms)
}

ASSIGNED { v (mV) ica (mA/cm2) ik (mA/cm2) ek (mV) qinf }

STATE { ca_i (mM) q }

INITIAL {
    ca_i = ca0
    rates(ca_i)
    q = qinf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gskbar*q*q*(v - ek)
}

DERIVATIVE states {
    ca_i' = -B*ica - (ca_i - ca0)/catau
    rates(ca_i)
    q' = (qinf - q)/qtau
}

PROCEDURE rates(c (mM)) {
    qinf = c*c/(c*c + kd*kd)
}
