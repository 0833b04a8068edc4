: A Ca pool that writes cai without reading it, with a PARAMETER cai0 and no INITIAL: NEURON starts
: cai at the ion's value (5e-5 mM), not at cai0 (1e-3 mM), and it relaxes to 1e-4 mM.
NEURON {
  SUFFIX nm_ionstate0w
  USEION ca READ ica WRITE cai
  RANGE cai0
}
UNITS { (mM) = (milli/liter) (mA) = (milliamp) }
PARAMETER { cai0 = 0.001 (mM) }
ASSIGNED { ica (mA/cm2) }
STATE { cai (mM) }
BREAKPOINT { SOLVE st METHOD cnexp }
DERIVATIVE st { cai' = -ica*0.05 - (cai - 1e-4)/9 }
