"""voltage-clamp: HH under a near-ideal clamp (PHENOMENA-SPEC rows 4 and 9, closed form).

At fixed V each gate is x(t) = x_inf - (x_inf - x0) exp(-t / tau_x); the engine advances gates by
exactly this (exponential Euler), so gK = 36 n^4 and gNa = 120 m^3 h match it to rounding if V equals
the command. The clamp's series resistance lets V differ by (clamp current) x rs: with rs = 1e-6 MOhm
that is < 1e-4 mV, and the conductances agree to < 1e-6 relative. The closed forms below use the
spec's rate formulas, written out independently of the package.
"""

import numpy as np
import pytest

from excitable import experiments
from tests.experiments import assert_answer_measured, assert_signals_recorded


def _rates(v):
    am = 0.1 * (v + 40) / (1 - np.exp(-(v + 40) / 10))
    bm = 4 * np.exp(-(v + 65) / 18)
    ah = 0.07 * np.exp(-(v + 65) / 20)
    bh = 1 / (1 + np.exp(-(v + 35) / 10))
    an = 0.01 * (v + 55) / (1 - np.exp(-(v + 55) / 10))
    bn = 0.125 * np.exp(-(v + 65) / 80)
    return {"m": (am, bm), "h": (ah, bh), "n": (an, bn)}


def _closed_form(gate, v, v0, t):
    a, b = _rates(v)[gate]
    a0, b0 = _rates(v0)[gate]
    inf, x0 = a / (a + b), a0 / (a0 + b0)
    return inf - (inf - x0) * np.exp(-t * (a + b))


@pytest.fixture(scope="module")
def clamp():
    return experiments.run("voltage-clamp", rs=1e-6)


def test_conductances_follow_exact_exponentials(clamp):
    s = clamp.summary
    assert s["clamp_max_error_mV"] < 1e-3
    assert s["gK_max_rel_error"] < 1e-6 and s["gNa_max_rel_error"] < 1e-6
    t = clamp.t - 5.0  # the step starts after 5 ms at the holding potential
    on = (t > 0) & (t <= 20.0)
    for vc in (-35.0, 0.0, 35.0):
        gk = 36 * _closed_form("n", vc, -65.0, t[on]) ** 4
        gna = 120 * _closed_form("m", vc, -65.0, t[on]) ** 3 * _closed_form("h", vc, -65.0, t[on])
        assert np.max(np.abs(clamp[f"gK at {vc:+g} (mS/cm2)"][on] - gk)) / gk.max() < 1e-6
        assert np.max(np.abs(clamp[f"gNa at {vc:+g} (mS/cm2)"][on] - gna)) / gna.max() < 1e-6


def test_sodium_current_under_clamp_to_0_mV(clamp):
    s = clamp.summary
    a, b = _rates(0.0)["h"]
    assert s["tau_h_closed_form_ms"] == pytest.approx(1 / (a + b), rel=1e-9)  # 1.027 ms
    assert s["probe_peak_ina_uA_cm2"] < 0 and s["probe_peak_ina_time_ms"] < 1.0
    assert abs(s["probe_inactivation_tau_ms"] / (1 / (a + b)) - 1) < 0.01


def test_current_voltage_relations(clamp):
    s = clamp.summary
    assert s["step_levels_mV"][0] == -55.0 and s["step_levels_mV"][-1] == 65.0
    assert abs(s["ina_reversal_mV"] - 50.0) < 1.0  # INa reverses at ENa
    for v, i in zip(s["step_levels_mV"], s["peak_ina_uA_cm2"]):
        assert (i < 0) == (v < 50.0)
    for v, i, frac in zip(s["step_levels_mV"], s["ik_end_uA_cm2"], s["ik_end_over_max"]):
        assert i > 0 and frac > 0.999  # outward, and no inactivation over 20 ms


def test_the_declared_signals_are_recorded(clamp):
    assert_signals_recorded(clamp)
    assert_answer_measured(clamp)
