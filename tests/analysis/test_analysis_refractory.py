"""excitable.analysis.refractory on the recovery curve of PHENOMENA-SPEC row 13 (HH, 6.3 degC).

Thresholds are control x the spec's ratios, control 6.902 uA/cm2; no spike up to the 10x cap at
intervals <= 7 ms. The expected periods follow by hand from the definitions in the module docstring.
"""

import numpy as np
import pytest

from excitable.analysis import absolute_refractory_period, recovery_curve, relative_refractory_period
from excitable.errors import ModelError

CONTROL = 6.902  # uA/cm2
RATIOS = {2.0: None, 5.0: None, 7.0: None, 7.5: 8.8, 8.0: 7.2, 9.0: 5.1, 10.0: 3.8, 12.0: 2.2,
          15.0: 1.19, 20.0: 0.85, 25.0: 1.00, 30.0: 1.00, 40.0: 1.00}
TRIALS = [(d, None if r is None else r * CONTROL) for d, r in RATIOS.items()]


def test_absolute_period_is_longest_silent_interval():
    assert absolute_refractory_period(TRIALS) == 7.0
    assert absolute_refractory_period(TRIALS[::-1]) == 7.0  # order of the trials does not matter
    assert absolute_refractory_period([(d, t) for d, t in TRIALS if t is not None]) is None


def test_relative_period_interpolates_through_one_plus_tolerance():
    # Last interval above 1.05x is 15 ms (1.19x); next is 20 ms (0.85x, supernormal, counts as recovered):
    # 15 + 5 * (1.19 - 1.05) / (1.19 - 0.85) = 17.0588 ms.
    expected = 15.0 + 5.0 * (1.19 - 1.05) / (1.19 - 0.85)
    assert relative_refractory_period(TRIALS, control_threshold=CONTROL) == pytest.approx(expected, rel=1e-12)
    # 25 % tolerance: last refractory point 12 ms (2.2x), next 15 ms (1.19x): 12 + 3 * 0.95 / 1.01.
    assert relative_refractory_period(TRIALS, control_threshold=CONTROL, tolerance=0.25) == pytest.approx(
        12.0 + 3.0 * (2.2 - 1.25) / (2.2 - 1.19), rel=1e-12)


def test_relative_period_after_silent_interval_is_next_interval():
    trials = [(5.0, None), (10.0, 1.01 * CONTROL), (20.0, CONTROL)]
    assert relative_refractory_period(trials, control_threshold=CONTROL) == 10.0


def test_relative_period_not_bracketed_is_none():
    recovered = [(d, t) for d, t in TRIALS if d >= 20.0]
    assert relative_refractory_period(recovered, control_threshold=CONTROL) is None
    not_yet = [(d, t) for d, t in TRIALS if d <= 15.0]
    assert relative_refractory_period(not_yet, control_threshold=CONTROL) is None


def test_recovery_curve_sorted_with_nan_for_no_spike():
    iv, ratio = recovery_curve(TRIALS[::-1], control_threshold=CONTROL)
    np.testing.assert_array_equal(iv, sorted(RATIOS))
    expected = [np.nan if r is None else r for _, r in sorted(RATIOS.items())]
    np.testing.assert_allclose(ratio, expected, rtol=1e-12)


@pytest.mark.parametrize("trials, message", [
    ([], "trials is empty"),
    ([(5.0, 1.0, 2.0)], r"trials\[0\] must be an \(interval_ms, threshold\) pair"),
    ([(5.0, float("nan"))], r"trials\[0\] threshold must be a positive number or None"),
    ([(5.0, -1.0)], r"trials\[0\] threshold must be a positive number or None"),
    ([(float("nan"), 1.0)], r"trials\[0\] interval_ms must be finite"),
    ([(5.0, 1.0), (5.0, 2.0)], "interval 5.0 ms more than once"),
    (3.0, "trials must be a sequence"),
])
def test_bad_trials_raise_model_error(trials, message):
    with pytest.raises(ModelError, match=message):
        absolute_refractory_period(trials)


def test_bad_control_threshold():
    with pytest.raises(ModelError, match="control_threshold must be > 0"):
        relative_refractory_period(TRIALS, control_threshold=0.0)
