"""resting-potential: Nernst, GHK and the [K]o series (PHENOMENA-SPEC rows 1-2) from the experiment itself.

Each number is checked against the closed form written here with ``math`` (to 1e-9 mV: float64) and
against the spec's printed values (rounded to 0.01 mV, so those compare to 0.006 mV).
"""

import math

import numpy as np
import pytest

from excitable import ModelError, experiments
from excitable.interfaces.cli.main import main
from tests.experiments import assert_answer_measured, assert_signals_recorded

R, F = 8.314462618, 96485.33212


def rt_f(celsius):
    return 1e3 * R * (273.15 + celsius) / F


def ghk(celsius, ko=5.0, pk=1.0, pna=0.04, pcl=0.45):
    return rt_f(celsius) * math.log((pk * ko + pna * 145 + pcl * 10) / (pk * 140 + pna * 12 + pcl * 110))


@pytest.fixture(scope="module")
def at37():
    return experiments.run("resting-potential")


def test_nernst_and_ghk_at_37(at37):
    s = at37.summary
    for key, ref, spec in (("ek_mV", rt_f(37) * math.log(5 / 140), -89.06),
                           ("ena_mV", rt_f(37) * math.log(145 / 12), 66.60),
                           ("ecl_mV", -rt_f(37) * math.log(110 / 10), -64.09),
                           ("rest_mV", ghk(37.0), -67.33)):
        assert s[key] == pytest.approx(ref, abs=1e-9), key
        assert s[key] == pytest.approx(spec, abs=0.006), key


def test_k_out_series_and_slopes(at37):
    s = at37.summary
    assert s["ko_series_mM"] == [2.5, 5.0, 10.0, 20.0, 50.0, 100.0]
    spec_v = [-72.09, -67.33, -59.77, -49.06, -30.67, -14.53]
    spec_ek = [-107.58, -89.06, -70.53, -52.01, -27.52, -8.99]
    for ko, v, ek, sv, sek in zip(s["ko_series_mM"], s["rest_vs_ko_mV"], s["ek_vs_ko_mV"], spec_v, spec_ek):
        assert v == pytest.approx(ghk(37.0, ko), abs=1e-9)
        assert v == pytest.approx(sv, abs=0.006)
        assert ek == pytest.approx(sek, abs=0.006)
    nernst_slope = rt_f(37) * math.log(10)
    assert s["nernst_slope_mV_per_decade"] == pytest.approx(61.54, abs=0.006)
    slopes = np.array(s["slope_vs_ko_mV_per_decade"])
    # The slope rises towards Nernst only at high [K]o (row 2), never reaching it.
    assert np.all(np.diff(slopes) > 0) and slopes[0] < 20 and 50 < slopes[-1] < nernst_slope


@pytest.mark.parametrize("celsius, spec", [(20.0, -63.64), (6.3, -60.66)])
def test_ghk_at_other_temperatures(celsius, spec):
    s = experiments.run("resting-potential", temperature=celsius).summary
    assert s["rest_mV"] == pytest.approx(ghk(celsius), abs=1e-9)
    assert s["rest_mV"] == pytest.approx(spec, abs=0.006)
    assert s["ek_mV"] == pytest.approx(rt_f(celsius) * math.log(5 / 140), abs=1e-9)
    if celsius == 20.0:
        assert s["nernst_slope_mV_per_decade"] == pytest.approx(58.17, abs=0.006)


def test_conductance_model_and_simulated_compartments(at37):
    s = at37.summary
    g = {i: s[f"g_{i}_mS_cm2"] for i in ("k", "na", "cl")}
    e = {"k": s["ek_mV"], "na": s["ena_mV"], "cl": s["ecl_mV"]}
    # Chord conductances make sum(g E)/sum(g) the GHK rest exactly (the currents cancel there).
    assert sum(g[i] * e[i] for i in g) / sum(g.values()) == pytest.approx(s["rest_mV"], abs=1e-9)
    assert s["conductance_rest_mV"] == pytest.approx(s["rest_mV"], abs=1e-9)
    # Simulated from 0 mV for 150 ms (~20 tau): both within 0.01 mV of the closed form (spec row 1).
    assert s["sim_ghk_rest_mV"] == pytest.approx(s["rest_mV"], abs=0.01)
    assert s["sim_conductance_rest_mV"] == pytest.approx(s["rest_mV"], abs=0.01)
    v = at37.traces["v (GHK permeabilities)"]
    assert v[0] == 0.0 and np.all(np.diff(v) <= 1e-12)  # settles monotonically from 0 mV


def test_settings_change_the_numbers():
    s = experiments.run("resting-potential", ko="20", pna=0.0, pcl=0.0).summary
    # Only K+ permeable: rest = E_K exactly.
    assert s["rest_mV"] == pytest.approx(rt_f(37) * math.log(20 / 140), abs=1e-9)
    assert s["sim_conductance_rest_mV"] == pytest.approx(s["rest_mV"], abs=0.01)
    with pytest.raises(ModelError, match="ki"):
        experiments.run("resting-potential", ki=-1)
    with pytest.raises(ModelError, match="pk, pna, pcl"):
        experiments.run("resting-potential", pk=0, pna=0, pcl=0)


def test_cli_and_figure(tmp_path, capsys, at37):
    assert main(["run", "resting-potential", "--set", "temperature=20", "--json"]) == 0
    assert '"rest_mV": -63.63' in capsys.readouterr().out
    assert main(["run", "resting-potential", "--set", "ko=banana"]) == 2
    at37.figure().savefig(tmp_path / "rp.png", dpi=60)
    assert (tmp_path / "rp.png").stat().st_size > 10_000


def test_the_declared_signals_are_recorded(at37):
    assert_signals_recorded(at37)
    assert_answer_measured(at37)
