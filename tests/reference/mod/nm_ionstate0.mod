: A Ca pool whose STATE cai has a PARAMETER cai0 beside it, read from the ion in INITIAL (the form of
: Beining et al. 2017's Cabuffer2.mod, ModelDB 231862: cai0 = cai). NEURON starts cai at the ion's
: value (nrn_init copies it), never at the file's cai0: here cai0 then holds the ion's start.
NEURON {
  SUFFIX nm_ionstate0
  USEION ca READ ica, cai WRITE cai
  RANGE tau, cai0
}
UNITS { (mM) = (milli/liter) (mA) = (milliamp) }
PARAMETER {
  tau = 9 (ms)
  cai0 = 0.002 (mM)
}
ASSIGNED { ica (mA/cm2) }
STATE { cai (mM) }
INITIAL { cai0 = cai + 0.001 }
BREAKPOINT { SOLVE st METHOD cnexp }
DERIVATIVE st { cai' = -ica*0.05 - (cai - cai0)/tau }
