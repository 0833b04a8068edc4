: nm_tgrid.mod's clock test as a point process with an ELECTRODE_CURRENT (it reads t: the event path, whose
: deliveries add the first half step and its SOLVE the second; test_clock_grid.py).
NEURON {
	POINT_PROCESS TGrid
	ELECTRODE_CURRENT i
	RANGE amp, i, x
}
UNITS { (nA) = (nanoamp) }
PARAMETER { amp = 0.05 (nA) }
ASSIGNED { i (nA) x }
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
