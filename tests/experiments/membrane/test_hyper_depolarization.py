"""hyper-depolarization: opening K+, Cl- and Na+ conductances (PHENOMENA-SPEC row 3, closed form).

Passive cell (Rm 20 kOhm cm2: g_rest 0.05 mS/cm2, rest -70 mV), g = 1 mS/cm2 opened at 20 ms for 50 ms:
V_ss = (g_rest V_rest + g E) / (g_rest + g) to 0.1 mV (here to 1e-6: the cell is linear and settles
with tau = C / (g_rest + g) = 0.95 ms long before V_ss is read). With E = V_rest V does not move, but
the input resistance falls (the same test pulse gives a smaller response): shunting.
"""

import pytest

from excitable import experiments
from tests.experiments import assert_answer_measured, assert_signals_recorded


@pytest.fixture(scope="module")
def passive():
    return experiments.run("hyper-depolarization")


def test_steady_voltage_is_the_conductance_weighted_mean(passive):
    s = passive.summary
    assert s["rest_mV"] == pytest.approx(-70.0, abs=1e-6)
    for e, v in zip(s["e_mV"], s["v_ss_mV"]):
        assert abs(v - (0.05 * -70.0 + 1.0 * e) / 1.05) < 1e-6
    assert s["e_mV"][:2] == [-90.0, -80.0] and s["e_mV"][3] == 50.0


def test_directions_and_shunting(passive):
    s = passive.summary
    k, cl, shunt, na = range(4)
    assert s["delta_v_mV"][k] < -15 and s["delta_v_mV"][cl] < -5 and s["delta_v_mV"][na] > 100
    assert s["ligand_current_uA_cm2"][k] > 0 and s["ligand_current_uA_cm2"][na] < 0  # K+ out, Na+ in
    assert abs(s["delta_v_mV"][shunt]) < 0.1 and s["effect"][shunt] == "no change (shunt)"
    assert s["test_response_ratio"][shunt] < 0.6
    assert s["input_resistance_open_MOhm"] == pytest.approx(s["input_resistance_rest_MOhm"] * 0.05 / 1.05)


def test_hh_compartment():
    s = experiments.run("hyper-depolarization", model="hh", tstop=80.0).summary
    k, cl, shunt, na = range(4)
    assert -77.0 < s["v_ss_mV"][k] < s["rest_mV"] - 1 and -80.0 < s["v_ss_mV"][cl] < s["rest_mV"] - 1
    assert abs(s["delta_v_mV"][shunt]) < 0.1 and s["test_response_ratio"][shunt] < 0.9
    assert s["spikes_while_open"][na] >= 1  # Na+ entry depolarizes the HH membrane past threshold


def test_the_declared_signals_are_recorded(passive):
    assert_signals_recorded(passive)
    assert_answer_measured(passive)
