"""excitable.analysis.shape against synthetic spikes whose shape measurements are known in closed form.

The piecewise spike: rest R; exponential rise V = R + A exp((t - tp)/tau) up to the peak R + A at tp
(so dV/dt = (V - R)/tau: dV/dt reaches D at V = R + D tau); a straight fall to the undershoot U at tu;
then an exponential return to R. Every measurement follows in closed form:
peak (tp, R + A); undershoot (tu, U); half-width tau ln 2 + (A/2) / fall_rate;
threshold R + D tau at tp + tau ln(D tau / A); max rise A/tau; max fall -(R + A - U) / (tu - tp).
"""

import json
import math

import numpy as np
import pytest
from scipy.optimize import brentq

from excitable.analysis import (
    action_potential_summary,
    half_width,
    max_fall_rate,
    max_rise_rate,
    peak,
    resting_potential,
    threshold_voltage,
    undershoot,
)

R, A, TAU, TP, TU, U = -65.0, 105.0, 1.0, 10.0, 12.0, -75.0  # mV, mV, ms, ms, ms, mV
FALL = (R + A - U) / (TU - TP)  # 57.5 mV/ms


def piecewise_spike(t):
    return np.where(
        t <= TP,
        R + A * np.exp((t - TP) / TAU),
        np.where(t <= TU, R + A - FALL * (t - TP), R + (U - R) * np.exp(-(t - TU) / 5.0)),
    )


def grid(dt=0.001, stop=40.0):
    # Integer sample numbers divided by an integer: TP and TU land exactly on samples.
    n = round(stop / dt)
    return np.arange(n + 1) / round(1 / dt)


def nonuniform_grid(seed=0):
    rng = np.random.default_rng(seed)
    return np.unique(np.r_[np.linspace(0, 40, 40001) + rng.uniform(-2e-4, 2e-4, 40001), TP, TU].clip(0, 40))


@pytest.mark.parametrize("make_t", [grid, nonuniform_grid], ids=["uniform", "nonuniform"])
def test_piecewise_spike_closed_forms(make_t):
    t = make_t()
    v = piecewise_spike(t)
    assert peak(t, v) == pytest.approx((TP, R + A), abs=1e-12)
    assert undershoot(t, v) == pytest.approx((TU, U), abs=1e-12)
    # Both half-level crossings: one on the exponential (interpolation error ~dt^2 / 8 / tau), one on
    # the straight fall (exact): 1e-6 ms.
    assert half_width(t, v, rest=R) == pytest.approx(TAU * math.log(2) + (A / 2) / FALL, abs=1e-6)
    # Secant slopes on an exponential are exact to (dt/tau)^2 / 24 relative: 1e-3 mV is generous.
    for d in (10.0, 20.0):
        tc, vc = threshold_voltage(t, v, dvdt=d)
        assert vc == pytest.approx(R + d * TAU, abs=1e-3)
        assert tc == pytest.approx(TP + TAU * math.log(d * TAU / A), abs=1e-4)
    # The steepest secant ends at the peak: A (1 - exp(-dt/tau)) / dt >= A/tau (1 - dt/(2 tau)).
    assert max_rise_rate(t, v)[1] == pytest.approx(A / TAU, rel=1e-3)
    assert max_fall_rate(t, v)[1] == pytest.approx(-FALL, rel=1e-9)


def test_gaussian_spike_half_width_peak_threshold():
    # Gaussian: full width at half maximum 2 sigma sqrt(2 ln 2); steepest rise A/(sigma sqrt(e)) at
    # t0 - sigma; the dV/dt = 10 point found by root-finding on the analytic derivative.
    rest, amp, sigma, t0 = -70.0, 110.0, 0.4, 5.0
    t = np.arange(10001) / 1000
    v = rest + amp * np.exp(-((t - t0) ** 2) / (2 * sigma**2))
    assert half_width(t, v, rest=rest) == pytest.approx(2 * sigma * math.sqrt(2 * math.log(2)), abs=1e-5)
    assert peak(t, v) == pytest.approx((t0, rest + amp), abs=1e-12)
    rise_t, rise = max_rise_rate(t, v)
    assert rise == pytest.approx(amp / (sigma * math.sqrt(math.e)), rel=1e-5)
    assert rise_t == pytest.approx(t0 - sigma, abs=1e-3)

    def dvdt(x):
        return -amp * (x - t0) / sigma**2 * math.exp(-((x - t0) ** 2) / (2 * sigma**2)) - 10.0

    t_ref = brentq(dvdt, 0.0, t0 - sigma)
    v_ref = rest + amp * math.exp(-((t_ref - t0) ** 2) / (2 * sigma**2))
    tc, vc = threshold_voltage(t, v)
    assert tc == pytest.approx(t_ref, abs=1e-4)
    assert vc == pytest.approx(v_ref, abs=1e-3)


def test_threshold_skips_stimulus_jump_in_dvdt():
    # A current pulse makes dV/dt jump above 10 mV/ms at its onset (here +15 mV/ms for 0.5 ms), then
    # V relaxes (tau 0.1 ms) before the regenerative upstroke; the threshold is on the upstroke.
    t = grid()
    bump = 15.0 * np.clip(t - 5.0, 0.0, 0.5) * np.exp(-np.clip(t - 5.5, 0.0, None) / 0.1)
    v = piecewise_spike(t) + bump
    early = t < 6.0
    assert max_rise_rate(t[early], v[early])[1] > 10.0
    tc, vc = threshold_voltage(t, v)
    assert tc == pytest.approx(TP + TAU * math.log(10.0 * TAU / A), abs=1e-4)
    assert vc == pytest.approx(R + 10 * TAU, abs=1e-3)


def test_resting_potential_is_time_average_over_window():
    rng = np.random.default_rng(2)
    t = np.sort(np.r_[0.0, rng.uniform(0, 20, 300), 20.0])  # non-uniform on purpose
    v = -70.0 + 0.5 * t  # the mean of a line over [b - 1, b] is its value at b - 0.5
    assert resting_potential(t, v, before_ms=10.0) == pytest.approx(-70 + 0.5 * 9.5, abs=1e-12)
    assert resting_potential(t, v, before_ms=10.0, window_ms=4.0) == pytest.approx(-70 + 0.5 * 8.0, abs=1e-12)
    assert resting_potential(t, v, before_ms=0.5) == pytest.approx(-70 + 0.5 * 0.25, abs=1e-12)  # clipped at t[0]
    assert resting_potential(t, v, before_ms=0.0) == -70.0  # no data before: v[0]


def test_resting_potential_noisy_baseline():
    # Mean of 1 mV white noise over 401 samples: standard error 0.05 mV; allow 5 SE.
    rng = np.random.default_rng(5)
    t = np.arange(0, 20.0001, 0.0025)
    v = -65.0 + rng.normal(0, 1.0, t.size)
    assert resting_potential(t, v, before_ms=20.0) == pytest.approx(-65.0, abs=0.25)


def test_summary_of_piecewise_spike_matches_closed_forms():
    t = grid()
    v = piecewise_spike(t)
    s = action_potential_summary(t, v, stimulus_onset_ms=5.0)
    # Rest: mean of R + A exp(t - TP) over [4, 5] ms (tau = 1 ms) = R + A (e^-5 - e^-6).
    rest = R + A * (math.exp(-5.0) - math.exp(-6.0))
    assert s["rest_mV"] == pytest.approx(rest, abs=1e-6)
    assert s["peak_mV"] == pytest.approx(R + A) and s["peak_time_ms"] == pytest.approx(TP)
    assert s["undershoot_mV"] == pytest.approx(U) and s["undershoot_time_ms"] == pytest.approx(TU)
    assert s["threshold_mV"] == pytest.approx(R + 10 * TAU, abs=1e-3)
    half = 0.5 * (rest + R + A)
    t_up = TP + TAU * math.log((half - R) / A)
    t_down = TP + (R + A - half) / FALL
    assert s["half_width_ms"] == pytest.approx(t_down - t_up, abs=1e-5)
    assert s["max_rise_mV_ms"] == pytest.approx(A / TAU, rel=1e-3)
    assert s["max_fall_mV_ms"] == pytest.approx(-FALL, rel=1e-9)
    assert s["n_spikes"] == 1 and s["firing_rate_hz"] is None  # one spike has no rate (not 1 / window)
    json.dumps(s, allow_nan=False)


def test_summary_without_spike_uses_null_not_nan():
    t = grid(dt=0.01, stop=30.0)
    v = -65.0 + 8.0 * np.exp(-((t - 10.0) ** 2) / 2.0)  # a subthreshold (graded) response
    s = action_potential_summary(t, v, stimulus_onset_ms=5.0)
    assert s["n_spikes"] == 0 and s["spike_times_ms"] == [] and s["firing_rate_hz"] == 0.0
    for key in ("peak_mV", "peak_time_ms", "undershoot_mV", "undershoot_time_ms", "half_width_ms",
                "threshold_mV", "max_rise_mV_ms", "max_fall_mV_ms"):
        assert s[key] is None, key
    assert s["rest_mV"] == pytest.approx(-65.0, abs=1e-3)
    assert "NaN" not in json.dumps(s)
    assert half_width(t, v) is None and undershoot(t, v) is None and threshold_voltage(t, v) is None


def test_summary_spike_at_end_of_trace():
    t = grid(stop=10.5)  # stops on the falling phase, above 0 mV (V(10.5) = 11.25 mV)
    v = piecewise_spike(t)
    s = action_potential_summary(t, v, stimulus_onset_ms=5.0)
    assert s["n_spikes"] == 1 and s["peak_mV"] == pytest.approx(R + A)
    assert s["undershoot_mV"] is None and s["half_width_ms"] is None
    assert s["threshold_mV"] == pytest.approx(R + 10 * TAU, abs=1e-3)
    assert s["max_fall_mV_ms"] == pytest.approx(-FALL, rel=1e-9)
    json.dumps(s, allow_nan=False)


def test_undershoot_before_next_spike_and_after_ms():
    t = grid(stop=60.0)
    # A second, identical spike 20 ms later, added to the tail of the first (superposition).
    v = piecewise_spike(t) + np.where(t > 20.0, piecewise_spike(t - 20.0) - R, 0.0)
    assert undershoot(t, v) == pytest.approx((TU, U), abs=1e-9)  # the first spike's, not the second's
    # After the second peak: its own undershoot plus what is left of the first one's recovery.
    expected = U + (U - R) * math.exp(-(TU + 20.0 - TU) / 5.0)
    assert undershoot(t, v, after_ms=TP + 20.0) == pytest.approx((TU + 20.0, expected), abs=1e-9)
