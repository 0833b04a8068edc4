"""excitable.analysis.spikes against signals whose crossings and peaks are known in closed form."""

import numpy as np
import pytest

from excitable.analysis import (
    crossing_times,
    firing_rate,
    interspike_intervals,
    spike_peaks,
    spike_times,
    step_times,
)
from excitable.errors import ModelError

REST, AMP, SIGMA = -65.0, 105.0, 0.3  # Gaussian "spike": mV, mV, ms


def gaussian_train(t, centres):
    """REST + AMP * sum of Gaussians of width SIGMA centred at ``centres`` (ms)."""
    v = np.full_like(t, REST)
    for c in centres:
        v += AMP * np.exp(-((t - c) ** 2) / (2 * SIGMA**2))
    return v


def gaussian_crossing(centre, level):
    """Closed-form upward crossing of ``level`` by one Gaussian spike centred at ``centre``."""
    return centre - SIGMA * np.sqrt(2 * np.log(AMP / (level - REST)))


def test_sine_crossings_match_arcsine():
    # v = sin(2 pi f t), f = 0.1 /ms: up-crossings of 0.5 at (1/12 + k) / f, down at (5/12 + k) / f.
    # Linear interpolation errs by <= dt^2 max|v''| / (8 |v'|) = 9e-6 ms at dt = 0.01 ms: tolerance 2e-5.
    f, dt = 0.1, 0.01
    t = np.arange(0, 40 + dt / 2, dt)
    v = np.sin(2 * np.pi * f * t)
    k = np.arange(4)
    np.testing.assert_allclose(crossing_times(t, v, 0.5), (1 / 12 + k) / f, atol=2e-5)
    np.testing.assert_allclose(crossing_times(t, v, 0.5, direction="down"), (5 / 12 + k) / f, atol=2e-5)
    both = crossing_times(t, v, 0.5, direction="both")
    np.testing.assert_allclose(both, np.sort(np.r_[(1 / 12 + k) / f, (5 / 12 + k) / f]), atol=2e-5)


def test_crossings_of_piecewise_linear_signal_are_exact_on_nonuniform_grid():
    # On a straight segment linear interpolation is exact whatever the sampling.
    rng = np.random.default_rng(1)
    t = np.sort(np.r_[0.0, rng.uniform(0, 10, 200), 10.0])
    v = np.interp(t, [0, 4, 10], [-70, 30, -70])  # up through -20 at 2.0 ms, down at 7.0 ms
    np.testing.assert_allclose(crossing_times(t, v, -20.0), [2.0], atol=1e-12)
    np.testing.assert_allclose(crossing_times(t, v, -20.0, direction="down"), [7.0], atol=1e-12)


def test_trace_starting_above_threshold_has_no_crossing_at_start():
    assert crossing_times([0, 1, 2], [5, 6, 7], 0.0).size == 0
    np.testing.assert_allclose(crossing_times([0, 1, 2], [0, -1, 1], 0.0), [1.5])  # v == level counts as above


def test_spike_times_of_gaussian_train():
    dt = 0.005
    t = np.arange(0, 60 + dt / 2, dt)
    centres = [10.0, 25.0, 47.5]
    s = spike_times(t, gaussian_train(t, centres))
    # Interpolation error at 0 mV on a slope of ~200 mV/ms with curvature ~2000 mV/ms^2: < 1e-4 ms.
    np.testing.assert_allclose(s, [gaussian_crossing(c, 0.0) for c in centres], atol=1e-4)


def test_step_times_are_the_first_sample_at_or_above_threshold():
    dt = 0.025
    t = np.arange(0, 60 + dt / 2, dt)
    v = gaussian_train(t, [10.0, 25.0, 47.5])
    s, st = spike_times(t, v), step_times(t, v)
    assert st.size == s.size
    assert np.all(st >= s) and np.all(st - s < dt)
    for x in st:  # the sample before is below threshold, the sample itself at or above (APCount rule)
        i = int(np.argmin(np.abs(t - x)))
        assert v[i] >= 0.0 > v[i - 1]


def test_noisy_baseline_does_not_add_spikes():
    rng = np.random.default_rng(0)
    dt = 0.025
    t = np.arange(0, 60 + dt / 2, dt)
    centres = [10.0, 25.0, 47.5]
    v = gaussian_train(t, centres) + rng.normal(0, 1.0, t.size)  # 1 mV noise, far below 0 mV
    s = spike_times(t, v)
    # Noise shifts the 0-mV crossing by ~noise / slope ~ 1 mV / 200 mV/ms = 0.005 ms; allow 0.05 ms.
    np.testing.assert_allclose(s, [gaussian_crossing(c, 0.0) for c in centres], atol=0.05)


def test_min_interval_debounces_chatter_at_threshold():
    # A slow ramp through threshold with noise crosses it many times; only one spike is real.
    rng = np.random.default_rng(3)
    t = np.linspace(0, 10, 2001)
    v = np.interp(t, [0, 4, 5, 5.5, 10], [-10, -10, 10, -60, -60]) + rng.normal(0, 1.5, t.size)
    assert crossing_times(t, v).size > 1
    assert spike_times(t, v, min_interval_ms=0.0).size > 1
    assert spike_times(t, v).size == 1


def test_firing_rate_and_intervals():
    s = [5.0, 55.0, 105.0, 155.0, 205.0]
    assert firing_rate(s, 0.0, 250.0) == pytest.approx(20.0)  # 5 spikes in 0.25 s
    assert firing_rate(s, 5.0, 105.0) == pytest.approx(20.0)  # window is [t_start, t_stop)
    assert firing_rate([], 0.0, 1000.0) == 0.0
    np.testing.assert_allclose(interspike_intervals(s), [50.0] * 4)
    assert interspike_intervals([3.0]).size == 0
    assert interspike_intervals([]).size == 0


def test_spike_peaks_of_gaussian_train():
    dt = 0.005
    t = np.arange(0, 60 + dt / 2, dt)  # every centre is a sample, so the sample maximum is exact
    centres = [10.0, 25.0, 47.5]
    v = gaussian_train(t, centres)
    pt, pv = spike_peaks(t, v, spike_times(t, v))
    np.testing.assert_allclose(pt, centres, atol=1e-9)
    np.testing.assert_allclose(pv, REST + AMP, atol=1e-9)


def test_spike_cut_off_by_end_of_trace():
    dt = 0.005
    t = np.arange(0, 9.8 + dt / 2, dt)  # ends after the 0-mV crossing (9.71 ms), before the centre (10 ms)
    v = gaussian_train(t, [10.0])
    s = spike_times(t, v)
    assert s.size == 1
    pt, pv = spike_peaks(t, v, s)
    assert pt[0] == t[-1] and pv[0] == v[-1]  # the largest sample there is, the last one


def test_no_spike():
    t = np.linspace(0, 10, 101)
    v = -65 + 5 * np.sin(t)
    assert spike_times(t, v).size == 0
    assert step_times(t, v).size == 0
    pt, pv = spike_peaks(t, v, spike_times(t, v))
    assert pt.size == 0 and pv.size == 0


def test_spike_peaks_rejects_times_outside_trace():
    t = np.linspace(0, 10, 11)
    with pytest.raises(ModelError, match="spike_times must lie within"):
        spike_peaks(t, np.zeros(11), [12.0])


def test_crossing_direction_is_validated():
    with pytest.raises(ModelError, match="direction must be one of"):
        crossing_times([0, 1], [0, 1], direction="upward")


def test_firing_rate_window_is_validated():
    with pytest.raises(ModelError, match="t_stop must be > t_start"):
        firing_rate([1.0], 10.0, 10.0)
    with pytest.raises(ModelError, match="spike_times must be in increasing order"):
        firing_rate([2.0, 1.0], 0.0, 10.0)
