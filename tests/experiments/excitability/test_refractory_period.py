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
