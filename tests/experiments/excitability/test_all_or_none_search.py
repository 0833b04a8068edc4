"""The batched threshold search (all_or_none_search) against the bisection it replaced: the same
criterion and stopping rule, so both land within the stated tolerance of the true threshold."""

import numpy as np
import pytest

from excitable.errors import ModelError
from excitable.experiments.excitability import all_or_none_search as finder
from excitable.experiments.excitability.all_or_none import bisect_threshold


def _step(thresholds):
    """A response that fires (+30 mV) at and above each threshold and not below (-60 mV): the
    threshold is known exactly."""
    thresholds = np.asarray(thresholds, float)

    def peaks_of(amps):
        return np.where(amps >= thresholds[:, None], 30.0, -60.0)

    return peaks_of


@pytest.mark.parametrize("tolerance", [1e-2, 1e-4, 1e-7])
def test_the_search_brackets_a_known_threshold_within_tolerance(tolerance):
    true = [6.933, 0.31, 199.0, 0.05]  # mid-range, near the bottom, at the top, below the first grid point
    found = finder.search(_step(true), [200.0] * 4, tolerance, 0.0, "max_amplitude")
    # The answer is the middle of a bracket no wider than tolerance x its upper end.
    # hi <= true / (1 - tolerance), so |answer - true| <= tolerance x true / (2 (1 - tolerance)).
    assert np.all(np.abs(found - true) <= 0.5 * tolerance * np.asarray(true) / (1 - tolerance))


def test_the_search_and_the_bisection_agree_within_tolerance_on_a_step():
    tol, true = 1e-4, 8.7178
    batched = finder.search(_step([true]), [200.0], tol, 0.0, "max_amplitude")[0]
    one_by_one = bisect_threshold(lambda a: 30.0 if a >= true else -60.0, 200.0, tol)
    # Both are within tol/2 x threshold of the truth, so within tol x threshold of each other.
    assert abs(batched - one_by_one) <= tol * true


def test_a_search_whose_upper_end_does_not_fire_says_so_in_one_line():
    with pytest.raises(ModelError, match="no action potential up to max_amplitude = 50"):
        finder.search(_step([80.0]), [50.0], 1e-4, 0.0, "max_amplitude")


def test_all_or_none_threshold_equals_the_bisections_on_the_model():
    """The hh cell's 1-ms threshold: the batched search in ``run`` against the one-run-at-a-time
    bisection on the same simulation (1e-3 relative: a coarse tolerance keeps the test quick; the
    two must agree within it)."""
    from excitable import experiments
    from excitable.experiments.common.models import single_compartment
    from excitable.model.simulation import Simulation
    from excitable.model.stimuli import IClamp

    tol = 1e-3
    res = experiments.run("all-or-none", model="hh", tolerance=tol, n_sweep=4)
    model = single_compartment("hh")
    sim = Simulation(model.cell, dt=0.025, temperature=model.temperature, v_init=model.v_init)
    sim.stimulate(IClamp(model.cell.soma, amplitude=model.cell.density_to_nA(1.0, model.cell.soma),
                         delay=5.0, duration=1.0))
    sim.record("v")
    fn, base = sim.function(30.0), sim.parameters()
    bisected = bisect_threshold(
        lambda a: float(np.max(np.asarray(fn({**base, "iclamp_amp": np.array([a])}))[:, 0])), 200.0, tol)
    assert abs(res.summary["threshold_amplitude_uA_cm2"] / bisected - 1) <= tol
