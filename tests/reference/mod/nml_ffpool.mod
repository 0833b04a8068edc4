COMMENT
Test mechanism (NeuroML import, tests/io/neuroml/test_fixed_erev_pool.py): NeuroML's
fixedFactorConcentrationModel by its LEMS definition, dC/dt = iCa rho - (C - restingConc) / decay,
with iCa the inward Ca2+ current density (A/m2 = -ica mA/cm2 x 10), rho 50 mol/(m A s), mM/s -> mM/ms
x 1e-3, restingConc 5e-5 mM, decayConstant 20 ms. It reads the total ica of the compartment (here the
fixed-erev channel's) and writes cai, a STATE.
ENDCOMMENT

NEURON { SUFFIX nml_ffpool  USEION ca READ ica WRITE cai }
UNITS { (mA) = (milliamp) (mM) = (milli/liter) }
ASSIGNED { ica (mA/cm2) }
STATE { cai (mM) }
UNITSOFF
BREAKPOINT { SOLVE states METHOD cnexp }
DERIVATIVE states { cai' = -ica * 10 * 50 * 1e-3 - (cai - 5e-5) / 20 }
UNITSON
