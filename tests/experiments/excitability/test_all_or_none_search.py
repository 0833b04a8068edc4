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


def _counted(peaks_of):
    """``peaks_of`` that also keeps every round's amplitudes (``rounds``)."""
    rounds = []

    def run(amps):
        rounds.append(np.array(amps))
        return peaks_of(amps)

    return run, rounds


# Seeds around a known threshold: on it, 1 % off either way (the fan's middle), 10 % off (its
# coarser outer part), and outside the fan (x 0.3, x 3, x 25): a bracket that does not contain the
# threshold, which the search must see and widen.
SEEDS = [1.0, 1.0003, 0.9997, 0.99, 1.01, 0.9, 1.1, 0.3, 3.0, 25.0]  # 1.0003: the fine zone


@pytest.mark.parametrize("tolerance", [1e-4, 1e-3])
@pytest.mark.parametrize("true", [6.933, 0.31, 150.0])
def test_a_seeded_search_finds_the_unseeded_threshold(true, tolerance):
    """Closed-form reference: the step response fires exactly from ``true``. Every seed gives the
    unseeded search's threshold within the stopping rule's bound (tolerance/2 x threshold from the
    truth, so within tolerance x threshold of each other); a seed only changes the rounds."""
    unseeded = finder.search(_step([true]), [200.0], tolerance, 0.0, "max_amplitude")[0]
    bound = 0.5 * tolerance * true / (1 - tolerance)  # as in the unseeded test above
    assert abs(unseeded - true) <= bound
    for factor in SEEDS:
        found = finder.search(_step([true]), [200.0], tolerance, 0.0, "max_amplitude", [true * factor])[0]
        assert abs(found - true) <= bound, factor
        assert abs(found - unseeded) <= tolerance * true, factor


def test_a_near_seed_halves_the_rounds_and_a_wrong_one_is_widened_not_trusted():
    true, tol = 6.933, 1e-4
    peaks_of, rounds = _counted(_step([true]))
    finder.search(peaks_of, [200.0], tol, 0.0, "amplitude")
    assert len(rounds) == 4  # the unseeded search: three decades in 4 rounds of 32
    # Within the fan's fine zone (+/- 0.074 %, points 0.99 tol apart): bracketed to the tolerance at
    # once; within its middle (+/- 1.5 %, 0.9 tol x 32 apart): one more round closes it.
    for factor, expected in ((1.0, 1), (1.0005, 1), (0.9994, 1), (1.01, 2), (0.99, 2), (0.986, 2)):
        rounds.clear()
        found = finder.search(peaks_of, [200.0], tol, 0.0, "amplitude", [true * factor])[0]
        assert len(rounds) == expected and abs(found - true) <= 0.5 * tol * true / (1 - tol), factor
    # A seed 3x too high: its fan [1.5 true, 6 true] fires at every point, so the next round looks
    # below it (down to 0, as unseeded) instead of taking the fan's lowest point as the answer.
    rounds.clear()
    found = finder.search(peaks_of, [200.0], tol, 0.0, "amplitude", [3 * true])[0]
    assert rounds[0].min() > true and rounds[1].min() < true and abs(found - true) <= tol * true
    # A seed 3x too low: no point of its fan fires; the next round reaches up to the search's upper end.
    rounds.clear()
    found = finder.search(peaks_of, [200.0], tol, 0.0, "amplitude", [true / 3])[0]
    assert rounds[0].max() < true and rounds[1].max() == 200.0 and abs(found - true) <= tol * true


def test_a_seed_never_replaces_the_check_that_the_upper_end_fires():
    # The seed is the true threshold of another setting; here nothing fires up to 50: the one-line
    # error, never the seed.
    with pytest.raises(ModelError, match="no action potential up to amplitude = 50"):
        finder.search(_step([80.0]), [50.0], 1e-4, 0.0, "amplitude", [20.0])
    with pytest.raises(ModelError, match="no action potential up to amplitude = 50"):
        finder.search(_step([80.0]), [50.0], 1e-4, 0.0, "amplitude", [49.0])  # its fan clipped at 50


def test_seeds_of_two_searches_sharing_one_batch_and_unusable_seeds():
    true, tol = [6.933, 42.0], 1e-4
    for seeds in ([7.0, 40.0], [None, 41.0], [0.0, float("nan")], [500.0, -1.0]):  # the last two ignored
        found = finder.search(_step(true), [200.0, 200.0], tol, 0.0, "amplitude", seeds)
        assert np.all(np.abs(found - true) <= 0.5 * tol * np.asarray(true) / (1 - tol)), seeds


def test_nearest_recalls_the_closest_temperature_else_the_closest_single_slider_move():
    finder.forget()
    setting = (("model", "hh"), ("pulse", 1.0))
    assert finder.nearest(("x", setting, 20.0)) is None
    for t, v in ((10.0, 1.0), (18.0, 2.0), (30.0, 3.0)):
        finder.remember(("x", setting, t), v)
    finder.remember(("x", (("model", "textbook"), ("pulse", 1.0)), 20.0), 9.0)  # another model: never
    finder.remember(("y", setting, 20.0), 8.0)  # another experiment: never
    assert finder.nearest(("x", setting, 20.0)) == 2.0
    assert finder.nearest(("x", setting, 27.0)) == 3.0
    # A moved pulse: the same temperature with the nearest pulse, in relative terms.
    finder.remember(("x", (("model", "hh"), ("pulse", 1.2)), 33.0), 4.0)
    finder.remember(("x", (("model", "hh"), ("pulse", 2.0)), 33.0), 5.0)
    assert finder.nearest(("x", (("model", "hh"), ("pulse", 1.5)), 33.0)) == 4.0
    assert finder.nearest(("x", (("model", "hh"), ("pulse", 1.5)), 34.0)) is None  # two things moved
    assert finder.nearest(("x", (("model", "squid"), ("pulse", 1.0)), 20.0)) is None  # not a number
    finder.forget()
    assert finder.recall(("x", setting, 18.0)) is None


def test_predicted_draws_the_line_through_the_two_nearest_thresholds_else_takes_the_nearest():
    """Closed form: thresholds remembered on an exponential curve v = 5 exp(0.1 x) (log-linear, as
    a Q10 factor makes them), so the line in log threshold through any two is exact (1e-12
    relative: rounding only). Along x, along one moved setting, and the fall-backs to ``nearest``:
    one point only, or the second farther than LINE_SPAN steps from the first."""
    finder.forget()
    setting = (("model", "hh"), ("pulse", 1.0))

    def curve(x):
        return 5.0 * np.exp(0.1 * x)

    assert finder.predicted(("x", setting, 20.0)) is None
    finder.remember(("x", setting, 10.0), curve(10.0))
    assert finder.predicted(("x", setting, 12.0)) == curve(10.0)  # one point: nearest
    finder.remember(("x", setting, 11.0), curve(11.0))
    for x in (12.0, 10.5, 9.0, 14.0):  # extrapolated and interpolated, within 4 steps
        assert abs(finder.predicted(("x", setting, x)) / curve(x) - 1) < 1e-12, x
    finder.remember(("x", setting, 30.0), curve(30.0))
    # From 31: 30 is nearest, 11 is 19 away (> 4 x 1): the nearest alone.
    assert finder.predicted(("x", setting, 31.0)) == curve(30.0)
    # Along a moved setting at the same x (pulse 1.0 -> 1.2 -> 1.4 remembered at x = 10).
    finder.remember(("x", (("model", "hh"), ("pulse", 1.2)), 10.0), curve(12.0))
    guess = finder.predicted(("x", (("model", "hh"), ("pulse", 1.4)), 10.0))
    assert abs(guess / curve(14.0) - 1) < 1e-12
    finder.forget()
