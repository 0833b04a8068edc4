"""pump-failure (PHENOMENA-SPEC rows 30-32): the pump keeps the gradients; its own current adds a few mV.

References: the flux balance at rest (each ion's net current 0) and conservation are exact (round-off,
1e-9); the Na+ an AP lets in is 4 Q_Na / (F d) for a cylinder (row 31); the pump's direct contribution
is I_pump / g (row 30, small-signal: within 25 % since V moves 2-3 mV on a curved I-V); the run-down
times are the model's, checked for order of magnitude (tens of seconds, row 32).
"""

import math

import numpy as np
import pytest

from excitable import ModelError, experiments
from excitable.experiments.membrane import pump_failure as pf
from excitable.model.simulation import Simulation
from tests.experiments import assert_answer_measured, assert_signals_recorded

F = 96485.33212


@pytest.fixture(scope="module")
def res():
    return experiments.run("pump-failure", pump_off_s=3.0, tstop_s=36.0)


def test_at_rest_the_pump_balances_the_leaks_and_nothing_drifts():
    p = pf.EXPERIMENT.resolve({"rate_hz": 0.0})
    bal = pf.balance(p["temperature"])
    cell = pf.build_cell(p, bal)
    sim = Simulation(cell, dt=p["dt"], temperature=p["temperature"], v_init=pf.REST_MV)
    for sig in ("v", "ci:na", "ci:k", "co:k", "ci:cl", "HH.ina", "HH.ik", "IonLeak.ina", "IonLeak.ik",
                "IonLeak.icl", "NaKPump.ipump"):
        sim.record(sig)
    r = sim.run(2000.0, stride=100)
    ip = r["NaKPump.ipump"]
    assert ip[-1] == pytest.approx(bal["ipump"], rel=1e-9) and ip[-1] > 1.0
    # Net Na+, K+ and Cl- currents vanish: 3 I_p out = Na+ leak in, 2 I_p in = K+ leak out.
    assert np.max(np.abs(r["HH.ina"] + r["IonLeak.ina"] + 3 * ip)) < 1e-9 * 3 * ip[-1]
    assert np.max(np.abs(r["HH.ik"] + r["IonLeak.ik"] - 2 * ip)) < 1e-9 * 2 * ip[-1]
    assert np.max(np.abs(r["IonLeak.icl"])) < 1e-9
    # So V and the concentrations stay put: 2 s of a 1e-9-relative residual flux moves nothing.
    for sig in ("ci:na", "ci:k", "co:k", "ci:cl"):
        assert np.ptp(r[sig]) < 1e-9 * r[sig][0], sig
    assert np.ptp(r["v"]) < 1e-8


def test_one_action_potential_moves_a_small_fraction_of_the_sodium(res):
    s, one, p = res.summary, res.meta["one_ap"], res.meta
    # Row 31: delta[Na]i = 4 Q_Na / (F d) for a cylinder; the rest of the change comes from the Na+ leak
    # during the AP (V away from rest), a few %.
    closed = 4 * one["q_na_uC_cm2"] * 1e-6 / F / (p["diameter_um"] * 1e-4) * 1e6  # mol/cm3 -> mM
    assert one["closed_form_dnai_mM"] == pytest.approx(closed, rel=1e-12)
    assert s["na_per_ap_mM"] == pytest.approx(closed, rel=0.05)
    assert s["na_per_ap_pmol_cm2"] == pytest.approx(one["q_na_uC_cm2"] * 1e-6 / F * 1e12, rel=1e-12)
    # HH at 18.5 degC lets in 4.3-4.4 pmol/cm2 with its own E_Na (+50 mV); with the mammalian
    # E_Na (+62.6 mV) the driving force is larger: 4-6 pmol/cm2, > 3x the capacitive minimum.
    assert 4.0 < s["na_per_ap_pmol_cm2"] < 6.0
    assert one["q_na_uC_cm2"] > 3 * one["min_charge_uC_cm2"]
    # A 4-um axon: ~0.4 % of [Na]i per AP (spec: 0.5 % for 1 um at 1.35 pmol/cm2).
    assert 1e-3 < s["na_per_ap_fraction"] < 1e-2


def test_pump_contributes_a_few_mV_directly(res):
    s = res.summary
    assert 1.0 < s["pump_electrogenic_mV"] < 5.0
    assert s["rest_without_pump_mV"] - s["rest_mV"] == pytest.approx(s["pump_electrogenic_mV"], rel=0.25)
    jump = s["v_after_pump_off_mV"] - s["v_before_pump_off_mV"]
    predicted = s["pump_current_at_off_uA_cm2"] / s["g_total_mS_cm2"]
    assert jump == pytest.approx(predicted, rel=0.25)


def test_without_the_pump_gradients_run_down_and_spikes_fail(res):
    s, pp = res.summary, res.meta["per_pulse"]
    on = np.array(pp["onset_ms"])
    fired = np.array(pp["fired"])
    assert fired[on < 3000].all()  # with the pump on, every pulse fires
    assert s["nai_end_mM"] > 2 * s["nai_at_pump_off_mM"] and s["ki_end_mM"] < 120
    assert s["ena_end_mV"] < 50 and s["ek_end_mV"] > -80  # both move towards 0
    assert s["rest_drift_mV"] > 5
    assert 5 < s["time_to_failure_s"] < 60  # tens of seconds in a thin axon
    amp = np.array(pp["amplitude_mV"])
    after = on >= 3000
    assert amp[after][-1] < 0.5 * amp[0] and np.corrcoef(on[after], amp[after])[0, 1] < -0.9  # shrink


def test_parameters_are_checked():
    with pytest.raises(ModelError, match="block"):
        experiments.run("pump-failure", block=2)
    q = pf.EXPERIMENT.resolve({"block": "0.5", "tstop_s": "30"})
    assert q["block"] == 0.5 and q["tstop_s"] == 30.0


def test_figure(res, tmp_path):
    res.figure().savefig(tmp_path / "pf.png", dpi=60)
    assert (tmp_path / "pf.png").stat().st_size > 10_000
    assert math.isfinite(res.summary["rest_mV"])


def test_the_declared_signals_are_recorded(res):
    assert_signals_recorded(res)
    assert_answer_measured(res)
