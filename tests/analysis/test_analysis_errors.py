"""Invalid traces raise excitable.errors.ModelError (a ValueError) with a one-line message naming the argument."""

import numpy as np
import pytest

from excitable import analysis as an
from excitable.errors import ModelError

T = np.linspace(0.0, 10.0, 101)
V = -65.0 + 100.0 * np.exp(-((T - 5.0) ** 2) / 0.5)

# Every function that takes a (t, v) trace, with its required keywords.
TRACE_FUNCTIONS = {
    "crossing_times": lambda t, v: an.crossing_times(t, v),
    "spike_times": lambda t, v: an.spike_times(t, v),
    "step_times": lambda t, v: an.step_times(t, v),
    "spike_peaks": lambda t, v: an.spike_peaks(t, v, []),
    "resting_potential": lambda t, v: an.resting_potential(t, v, before_ms=2.0),
    "peak": lambda t, v: an.peak(t, v),
    "undershoot": lambda t, v: an.undershoot(t, v),
    "half_width": lambda t, v: an.half_width(t, v),
    "threshold_voltage": lambda t, v: an.threshold_voltage(t, v),
    "max_rise_rate": lambda t, v: an.max_rise_rate(t, v),
    "max_fall_rate": lambda t, v: an.max_fall_rate(t, v),
    "action_potential_summary": lambda t, v: an.action_potential_summary(t, v, stimulus_onset_ms=1.0),
}

BAD = {
    "mismatched": (T, V[:-1], r"^v must have the same length as t, got 100 and 101$"),
    "nan_v": (T, np.where(T == T[7], np.nan, V), r"^v must be finite, got nan at index 7$"),
    "inf_t": (np.where(T == T[3], np.inf, T), V, r"^t must be finite, got inf at index 3$"),
    "empty_t": ([], [], r"^t is empty$"),
    "two_d_v": (T, np.stack([V, V]), r"^v must be 1-D, got shape \(2, 101\)$"),
    "not_increasing": (T[::-1], V, r"^t must be strictly increasing, got t\[0\] = 10.0 and t\[1\] = 9.9$"),
    "not_numbers": (T, ["a"] * 101, r"^v must be an array of numbers, got list$"),
}


@pytest.mark.parametrize("func", list(TRACE_FUNCTIONS), ids=list(TRACE_FUNCTIONS))
@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_trace_raises_model_error_naming_argument(func, case):
    t, v, message = BAD[case]
    with pytest.raises(ModelError, match=message) as err:
        TRACE_FUNCTIONS[func](t, v)
    assert isinstance(err.value, ValueError)
    assert "\n" not in str(err.value)


def test_bad_options_name_the_option():
    with pytest.raises(ModelError, match="^threshold must be finite"):
        an.spike_times(T, V, threshold=np.nan)
    with pytest.raises(ModelError, match="^min_interval_ms must be >= 0"):
        an.spike_times(T, V, min_interval_ms=-1.0)
    with pytest.raises(ModelError, match="^dvdt must be > 0"):
        an.threshold_voltage(T, V, dvdt=0.0)
    with pytest.raises(ModelError, match="^window_ms must be > 0"):
        an.resting_potential(T, V, before_ms=5.0, window_ms=0.0)
    with pytest.raises(ModelError, match=r"^stimulus_onset_ms must lie within \[0.0, 10.0\) ms, got 10.0$"):
        an.action_potential_summary(T, V, stimulus_onset_ms=10.0)
    with pytest.raises(ModelError, match="^after_ms must lie within"):
        an.undershoot(T, V, after_ms=11.0)


def test_rates_need_two_samples():
    with pytest.raises(ModelError, match="at least 2 samples"):
        an.max_rise_rate([0.0], [1.0])


def test_public_api_is_exported():
    for name in an.__all__:
        assert callable(getattr(an, name)), name
