: A tiny calcium leak that reads eca, ica = g*(v - eca): with an empty pool (nm_zero_pool.mod) eca is
: NEURON's +1e6 mV for the first step and the leak drives 1e-3 mA/cm2 inward, finite. The form of
: ModelDB 267221 car.mod (READ eca beside a pool that writes cai).
NEURON { SUFFIX nm_zleak USEION ca READ eca WRITE ica RANGE g }
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { g = 1e-9 (S/cm2) }
ASSIGNED { v (mV) eca (mV) ica (mA/cm2) }
BREAKPOINT { ica = g*(v - eca) }
