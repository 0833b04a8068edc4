"""refractory-period: paired-pulse recovery of HH at 6.3 degC against PHENOMENA-SPEC row 13.

Anchors (in-house SciPy RK45, regenerative spike criterion, test pulses capped at 10x control): no spike
up to 10x at intervals <= 7 ms; test threshold / control 8.8x at 7.5 ms, 7.2x at 8, 5.1x at 9, 3.8x at 10,
2.2x at 12, 1.19x at 15 ms, ~0.85x at 20 ms (supernormal), 1.00 +/- 0.02 at >= 25 ms. The spec's
tolerance is +/- 0.25 ms on intervals, so each ratio is checked by the interval at which our recovery
curve reaches it. NEURON (dt 0.025): a 2x test first fires at 12.75 ms and a 4x test at 10.0 ms on a
0.25-ms grid, i.e. the crossings lie in (12.5, 12.75] and (9.75, 10.0]; widened by 0.25 ms.
"""

import numpy as np
import pytest

from excitable import experiments
from tests.experiments import assert_signals_recorded


@pytest.fixture(scope="module")
def hh():
    return experiments.run("refractory-period", model="hh")


def _interval_at(summary, ratio):
    """Interval (ms) where the monotone part of the recovery curve falls through ``ratio``."""
    iv = np.array(summary["intervals_ms"])
    r = np.array([np.nan if x is None else x for x in summary["threshold_ratios"]])
    for k in range(len(iv) - 1):
        if r[k] >= ratio > r[k + 1]:
            return iv[k] + (r[k] - ratio) / (r[k] - r[k + 1]) * (iv[k + 1] - iv[k])
    raise AssertionError(f"the curve never falls through {ratio}")


def test_absolute_refractory_period(hh):
    s = hh.summary
    # NEURON's 1-ms threshold is 6.933 uA/cm2 (spec: thresholds +/- 1 %).
    assert abs(s["control_threshold_uA_cm2"] / 6.933 - 1) < 0.01
    assert 7.0 <= s["absolute_refractory_ms"] < 7.5
    silent = [d for d, x in zip(s["intervals_ms"], s["test_thresholds_uA_cm2"]) if x is None]
    assert silent == [d for d in s["intervals_ms"] if d <= 7.0]


@pytest.mark.parametrize("interval, ratio", [(7.5, 8.8), (8, 7.2), (9, 5.1), (10, 3.8), (12, 2.2), (15, 1.19)])
def test_recovery_curve_matches_in_house_anchors(hh, interval, ratio):
    assert abs(_interval_at(hh.summary, ratio) - interval) <= 0.25


def test_supernormal_dip_and_full_recovery(hh):
    s = hh.summary
    by = dict(zip(s["intervals_ms"], s["threshold_ratios"]))
    assert abs(by[20.0] - 0.85) < 0.03
    for d in (25.0, 30.0, 40.0):
        assert abs(by[d] - 1.0) <= 0.02
    # Relative period (threshold back within 5 % of control): after 15 ms (1.19x) and before the dip.
    assert 15.0 < s["relative_refractory_ms"] < 17.5
    assert abs(s["relative_refractory_ms"] - _interval_at(s, 1.05)) < 1e-9


def test_neuron_paired_pulse_intervals(hh):
    assert 12.25 < hh.summary["interval_2x_fires_ms"] <= 13.0
    assert 9.5 < hh.summary["interval_4x_fires_ms"] <= 10.25


def test_explained_by_h_and_n(hh):
    # An independent SciPy integration (RK45, rtol 1e-9, same 1-ms 2x pulse from rest) gives at 8 ms after
    # the conditioning onset h = 0.403 and n = 0.469 (rest 0.596 / 0.318). The spec's "h < 0.35 at
    # 8 ms" holds only up to ~7.2 ms in HH; n > 0.45 holds.
    s = hh.summary
    assert s["interval_gate_check_ms"] == 8.0
    assert abs(s["h_at_check"] - 0.403) < 0.005 and abs(s["n_at_check"] - 0.469) < 0.005
    assert s["n_at_check"] > 0.45
    # Wherever the threshold is still raised by half or more, Na+ channels are still partly inactivated
    # (h below rest) and extra K+ channels still open (n above rest). Later (~15 ms) h and n are back
    # and the small remaining elevation comes from V itself, still in the undershoot.
    for r, h, n in zip(s["threshold_ratios"], s["h_at_test_onset"], s["n_at_test_onset"]):
        if r is None or r >= 1.5:
            assert h < s["h_rest"] and n > s["n_rest"]


def test_figure_and_json(hh, tmp_path):
    import json

    out = hh.save(tmp_path / "refr")
    assert json.loads((out / "summary.json").read_text())["absolute_refractory_ms"] == 7.0
    assert (out / "figure.png").stat().st_size > 10_000


def test_the_declared_signals_are_recorded(hh):
    assert_signals_recorded(hh)


# --- the textbook neuron at 37 degC (the default) -------------------------------------------------------

_RK4 = {}


def _rk4_paired_pulse(cond, intervals, amps, dt=0.01, delay=5.0, pulse=1.0, after=10.0):
    """Reference: the textbook cell's paired pulses by classical RK4 (dt 0.01 ms; the experiment uses
    backward Euler at 0.025) on the channels' equations, one member per (interval, test amplitude).
    Returns fired[k, j]: V > 0 mV with its maximum within ``after`` ms after the test pulse ends but not
    at its end (the experiment's regenerative criterion and window) for interval k and amplitude j."""
    import jax
    import jax.numpy as jnp

    n = int(round((delay + max(intervals) + pulse + after) / dt))
    if n not in _RK4:  # one compiled function per run length, shared by the calls below
        from excitable.physics.channels.pospischil import textbook
        from tests.physics.test_pospischil import Cell

        cell = Cell(textbook())

        def one(c, onset, amp):
            def f(y, t):
                i = jnp.where((t >= delay) & (t < delay + pulse), c, 0.0)
                return cell.rhs(y, i + jnp.where((t >= onset) & (t < onset + pulse), amp, 0.0))

            def step(y, k):
                t = k * dt + 0.5 * dt  # the pulses switch on step boundaries: one current per step
                k1 = f(y, t)
                k2 = f(y + 0.5 * dt * k1, t)
                k3 = f(y + 0.5 * dt * k2, t)
                k4 = f(y + dt * k3, t)
                y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
                return y, y[0]

            _, v = jax.lax.scan(step, jnp.asarray(cell.y_rest), jnp.arange(n))
            t = (jnp.arange(n) + 1) * dt
            after_pulse = (t >= onset + pulse) & (t < onset + pulse + after)
            peak_at = jnp.argmax(jnp.where(after_pulse, v, -jnp.inf))
            return (v[peak_at] > 0.0) & (peak_at > jnp.argmax(after_pulse))

        _RK4[n] = jax.jit(jax.vmap(one, in_axes=(None, 0, 0)))
    amps = np.asarray(amps, float)
    if amps.ndim == 1:  # the same amplitudes at every interval
        amps = np.tile(amps, (len(intervals), 1))
    onsets = delay + np.repeat(np.asarray(intervals, float), amps.shape[1])
    flat = amps.ravel()
    out = np.asarray(_RK4[n](float(cond), onsets, flat))
    return out.reshape(len(intervals), -1)


@pytest.fixture(scope="module")
def textbook():
    return experiments.run("refractory-period")


def test_textbook_refractory_periods_against_rk4(textbook):
    # Issue 16: the textbook neuron's absolute refractory period within 1-2 ms, and a relative one.
    s = textbook.summary
    assert s["model"] == "textbook" and s["temperature_degC"] == 37.0
    iv, thr = s["intervals_ms"], s["test_thresholds_uA_cm2"]
    control, cap = s["control_threshold_uA_cm2"], s["cap_uA_cm2"]
    absolute = s["absolute_refractory_ms"]
    assert 1.0 <= absolute <= 2.0
    k = iv.index(absolute)
    # Reference at the two grid points around the boundary: nothing up to the cap fires at the absolute
    # period (every rung of the experiment's ladder, 0.5x control x 1.25^j, and the cap itself), and the
    # next interval fires at 15 % above the experiment's threshold but not 15 % below it: there the
    # threshold falls ~5x per ms of interval, and backward Euler at 0.025 ms lags RK4 (RK4's threshold
    # measured 10 % lower; 0.5 % at the control threshold).
    rungs = [r for r in 0.5 * control * 1.25 ** np.arange(20) if r < cap] + [cap]
    pair = [0.85 * thr[k + 1]] * (len(rungs) - 1) + [1.15 * thr[k + 1]]  # one batch: rows of one length
    fired = _rk4_paired_pulse(s["conditioning_uA_cm2"], [absolute, iv[k + 1]], np.array([rungs, pair]))
    assert not fired[0].any()
    assert not fired[1, 0] and fired[1, -1]
    # Relative period: the threshold is back within 5 % of control only as the M-current's slow K+
    # conductance closes (tau ~90 ms at rest), so the default grid grows a tail (to ~160 ms). Reference:
    # RK4 thresholds at the two tail intervals around the 1.05x crossing, bisected to 0.1 % of control;
    # interpolated as the experiment does. The crossing moves ~20 ms per 1 % of ratio here (the curve
    # is flat), so 0.3 % of ratio (backward Euler vs RK4: 0.5 % at the control threshold) is 6 ms.
    rel = s["relative_refractory_ms"]
    j = next(i for i in range(len(iv) - 1) if iv[i] < rel <= iv[i + 1])
    lo, hi = np.full(2, control), np.full(2, 1.2 * control)
    for _ in range(3):  # 3 rounds of 8 amplitudes per interval: 0.2 / 9^3 of control
        grid = lo[:, None] + (hi - lo)[:, None] * np.arange(1, 9)[None, :] / 9
        ok = _rk4_paired_pulse(s["conditioning_uA_cm2"], [iv[j], iv[j + 1]], grid)
        first = ok.argmax(axis=1)
        hi = grid[np.arange(2), first]
        lo = np.where(first > 0, grid[np.arange(2), np.maximum(first - 1, 0)], lo)
    ratios = 0.5 * (lo + hi) / control
    reference = iv[j] + (ratios[0] - 1.05) / (ratios[0] - ratios[1]) * (iv[j + 1] - iv[j])
    assert rel == pytest.approx(reference, abs=6.0)
    assert 50.0 < rel < 150.0
    assert s["interval_2x_fires_ms"] < 3.0  # twice the threshold fires from ~2.4 ms


def test_textbook_figure_shows_the_tail(textbook):
    # The tail's thresholds (no traces: a separate, longer run) go on the recovery panel's own log axis.
    import matplotlib.pyplot as plt

    s = textbook.summary
    assert s["traced_intervals"] < len(s["intervals_ms"])
    fig = textbook.figure()
    recovery = fig.axes[2]
    assert recovery.get_xscale() == "log" and recovery.get_xlim()[1] > s["intervals_ms"][-1]
    assert fig.axes[0].get_xlim()[1] == pytest.approx(textbook.t[-1] - textbook.meta["delay"])  # traces' end
    plt.close(fig)
