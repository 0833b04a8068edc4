"""permeability: GHK with scaled permeabilities (PHENOMENA-SPEC row 37) and the shunt they cause.

(a) GHK numbers against the closed form (``math``, to 1e-9 mV) and the spec's values (printed to 0.01 or
0.1 mV). (b) Passive compartment with gK and gNa scaled by k: R_in = 1/(k g A) (steady state of backward
Euler is exact; 200 ms = 17 tau leaves < 1e-7 of the transient, so 1e-6 relative) and tau = C/(k g)
(measured as the 63 % time; backward Euler lags by about dt/2 = 0.0125 ms, so within dt = 0.025 ms).
(c) HH: the leak (a Na+/K+ mixture) scaled shunts the spike: higher threshold, smaller amplitude.
"""

import math

import numpy as np
import pytest

from excitable import ModelError, experiments
from tests.experiments import assert_answer_measured, assert_signals_recorded

R, F = 8.314462618, 96485.33212


def ghk(pk, pna, pcl, celsius=37.0):
    num, den = pk * 5 + pna * 145 + pcl * 10, pk * 140 + pna * 12 + pcl * 110
    return 1e3 * R * (273.15 + celsius) / F * math.log(num / den)


@pytest.fixture(scope="module")
def res():
    return experiments.run("permeability")


def test_ghk_scaled_permeabilities(res):
    s = res.summary
    assert s["k_values"] == [1.0, 2.0, 5.0]
    for i, k in enumerate(s["k_values"]):
        assert s["ghk_rest_all_scaled_mV"][i] == pytest.approx(ghk(k, 0.04 * k, 0.45 * k), abs=1e-9)
        assert s["ghk_rest_all_scaled_mV"][i] == pytest.approx(-67.33, abs=0.006)  # only ratios matter
        assert s["ghk_rest_na_and_k_scaled_mV"][i] == pytest.approx(ghk(k, 0.04 * k, 0.45), abs=1e-9)
        assert s["ghk_rest_na_scaled_mV"][i] == pytest.approx(ghk(1.0, 0.04 * k, 0.45), abs=1e-9)
        assert s["ghk_rest_k_scaled_mV"][i] == pytest.approx(ghk(k, 0.04, 0.45), abs=1e-9)
    assert s["ghk_rest_na_and_k_scaled_mV"][1] == pytest.approx(-67.85, abs=0.006)
    assert s["ghk_rest_na_scaled_mV"][1] == pytest.approx(-58.8, abs=0.05)
    assert s["ghk_rest_na_scaled_mV"][2] == pytest.approx(-42.9, abs=0.05)
    assert s["ghk_rest_pna_over_pk_20_mV"] == pytest.approx(51.1, abs=0.05)


def test_passive_input_resistance_and_tau_fall_as_one_over_k(res):
    s = res.summary
    k = np.array(s["k_values"])
    g = s["passive_g_k_mS_cm2"] + s["passive_g_na_mS_cm2"]
    area_cm2 = math.pi * 20.0 * 20.0 * 1e-8
    rin_ref = 1.0 / (k * g * 1e-3 * area_cm2) / 1e6  # MOhm
    assert np.allclose(s["passive_rin_MOhm"], rin_ref, rtol=1e-6)
    assert np.allclose(s["passive_tau_ms"], 1.0 / (k * g), atol=0.025)
    # Rest unchanged: only the ratio gNa/gK sets it (-68.87 mV with these two leaks).
    e_k, e_na = 26.72666 * math.log(5 / 140), 26.72666 * math.log(145 / 12)
    assert s["passive_rest_mV"] == pytest.approx((s["passive_g_k_mS_cm2"] * e_k + s["passive_g_na_mS_cm2"] * e_na) / g,
                                                 abs=1e-3)
    # The same 5-ms current gives a smaller EPSP: I R (1 - exp(-5/tau)) for a step of current.
    epsp = np.array(s["passive_epsp_mV"])
    tau = 1.0 / (k * g)
    ref = 1.0 * 1e-6 * area_cm2 * rin_ref * 1e6 * 1e3 * (1 - np.exp(-5.0 / tau))  # uA/cm2 -> mV
    assert np.allclose(epsp, ref, rtol=0.01)  # backward Euler, dt/tau <= 1 %
    assert np.all(np.diff(epsp) < 0)


def test_hh_leak_shunts_the_spike(res):
    s = res.summary
    thr, amp = np.array(s["hh_leak_threshold_uA_cm2"]), np.array(s["hh_leak_amplitude_mV"])
    assert np.all(np.diff(thr) > 0) and np.all(np.diff(amp) < 0)
    # k = 1 is plain HH: rest -64.974 mV (NEURON), 1-ms threshold 6.96 uA/cm2 from rest (all-or-none: 6.93
    # from -65 mV, spec +/- 1 %).
    assert s["hh_leak_rest_mV"][0] == pytest.approx(-64.974, abs=0.001)
    assert thr[0] == pytest.approx(6.933, rel=0.01)
    # HH's leak reverses at -54.3 mV: more of it depolarizes rest towards -54.3.
    assert np.all(np.diff(s["hh_leak_rest_mV"]) > 0) and s["hh_leak_rest_mV"][-1] < -54.3
    assert s["hh_gated_peak_mV"][-1] > s["hh_gated_peak_mV"][0]  # more gNa and gK: taller, faster spike


def test_bad_k_values_and_figure(res, tmp_path):
    with pytest.raises(ModelError, match="k_values"):
        experiments.run("permeability", k_values="1,-2")
    res.figure().savefig(tmp_path / "perm.png", dpi=60)
    assert (tmp_path / "perm.png").stat().st_size > 10_000


def test_the_declared_signals_are_recorded(res):
    assert_signals_recorded(res)
    assert_answer_measured(res)
