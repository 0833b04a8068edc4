"""A point process whose FROM loop is bounded by a PARAMETER (pt_fromparam.mod: an ExpSyn scaled by
the harmonic sum to n): the bound is a fixed field, one number per run for all instances, as in the
density form (test_from_parameter.py, io/nmodl/loop_bounds.py). Beside NEURON on one hh compartment
(20 x 20 um, 6.3 degC, dt 0.025 ms, usetable_hh = 0) receiving events at known times (NEURON's
source-less NetCon, ours Network.spike_train, as test_point.py), at n = 3 (the default) and n = 5.5
(C's (int): 5).

Tolerance 1e-6 of each trace's range (issue 18): float64 on both sides and the same cnexp formula;
measured near 1e-13. A wrong loop count changes the gain by 1/4 or more (H(3) = 1.83, H(5) = 2.28).
"""

from __future__ import annotations

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.model.network import Network
from tests.io.nmodl.neuron_side import OWN, class_loader, hh_events_neuron, hh_events_ours
from tests.reference.nrnmech import neuron_loaded

DT, TSTOP, WEIGHT = 0.025, 25.0, 0.002
TIMES = [2.0, 6.0, 14.5]  # ms, on the dt grid
TOL = 1e-6
FILE = OWN / "pt_fromparam.mod"
cls = class_loader()


def neuron_run(n):
    h = neuron_loaded([FILE], "nrnmech-point-fromparam", "pt_fromparam.mod")
    return hh_events_neuron(h, "pt_fromparam", times=TIMES, weight=WEIGHT, params={"n": n}, signals=("g",),
                            tstop=TSTOP)


def our_run(n):
    return hh_events_ours(cls("hh"), load_mod(FILE)(n=n), times=TIMES, weight=WEIGHT, signals=("g",), tstop=TSTOP)


@pytest.mark.neuron
@pytest.mark.parametrize("n", [3.0, 5.5])
def test_a_loop_bounded_by_a_parameter_matches_neuron(n):
    ref, ours = neuron_run(n), our_run(n)
    assert ref["v"].max() > 0.0  # the events make the cell fire: the gain matters
    for k in ("v", "g"):
        assert np.max(np.abs(ours[k] - ref[k])) <= TOL * np.ptp(ref[k]), k


def test_the_bound_is_one_number_for_all_instances():
    """The gain in closed form (H(n), C's (int) n) at V = -60 mV, g = 1 uS; two instances with
    different bounds are refused in one line naming the field (as the density form)."""
    C = load_mod(FILE)
    assert C.fixed_fields == ("n",)
    for n, harmonic in ((3.0, 1 + 1 / 2 + 1 / 3), (5.5, 1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5), (0.0, 0.0)):
        i = C(n=n).currents(np.asarray(-60.0), {"g": np.asarray(1.0)})["i"]
        assert float(i) == pytest.approx(harmonic * -60.0, rel=1e-12)
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(cls("hh")())
    net = Network([cell])
    net.spike_train(TIMES, 0, C(n=3.0), weight=WEIGHT, t_max=0.0, pulse=0.0)
    net.spike_train(TIMES, 0, C(n=4.0), weight=WEIGHT, t_max=0.0, pulse=0.0)
    with pytest.raises(ModelError, match=r"^pt_fromparam\.n bounds a FROM loop .*: it takes one value for all compartments, instances and batch "
                                         r"elements, got 3 and 4$"):
        ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0).run(1.0)
