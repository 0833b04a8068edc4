: A SOLVE'd PROCEDURE comparing t with times on the dt grid (the shape of Popovic et al. 2005's EPSPClamp.mod,
: ModelDB's olfactory bulb models): x steps 0..7 every 0.5 ms. At dt = 0.025 ms NEURON's t after 20, 40 ... steps
: is a sum of 2n half steps (0.9999999999999984 at step 40), so each test flips at NEURON's step only if t is
: summed as NEURON sums it (test_clock_grid.py).
NEURON {
	SUFFIX tgrid
	NONSPECIFIC_CURRENT i
	RANGE amp, i, x
}
UNITS { (mA) = (milliamp) }
PARAMETER { amp = -0.0005 (mA/cm2) }
ASSIGNED { i (mA/cm2) x }
INITIAL { x = 0 }
BREAKPOINT {
	SOLVE p
	i = amp*x
}
PROCEDURE p() {
	if (t < 0.5) { x = 0
	} else if (t < 1.0) { x = 1
	} else if (t < 1.5) { x = 2
	} else if (t < 2.0) { x = 3
	} else if (t < 2.5) { x = 4
	} else if (t < 3.0) { x = 5
	} else if (t < 3.5) { x = 6
	} else { x = 7 }
}
