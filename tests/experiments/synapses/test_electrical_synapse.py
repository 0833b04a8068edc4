"""electrical-synapse: a gap-junction pair beside a chemical pair (docs/phenomena.md, row electrical-synapse).

The reference is the closed form of two cells joined by a conductance g_c: at steady state the coupled
cell follows V2/V1 = g_c / (g_c + G2), G2 its own input conductance, measured here on an uncoupled
copy of the cell in the same run (a voltage divider; Bennett 1966, Connors & Long 2004).
"""

import pytest

from excitable import experiments
from tests.experiments import assert_signals_recorded


@pytest.fixture(scope="module")
def default():
    return experiments.run("electrical-synapse")


def test_coupling_coefficient_is_the_voltage_divider(default):
    s = default.summary
    # 1 %: the cells are not passive (their K+ channels close a little when hyperpolarized); the probe
    # moves 1.8 mV and cell 2 1.5 mV from the same rest, so their slope conductances differ by < 1 %.
    assert s["coupling_coefficient"] == pytest.approx(s["coupling_closed_form"], rel=0.01)
    assert 0.05 <= s["coupling_coefficient"] <= 0.3  # the table's typical range, with the default 3 nS
    # Identical cells: the divider is the same both ways (only rounding differs).
    assert s["reverse_coupling_coefficient"] == pytest.approx(s["coupling_coefficient"], rel=1e-9)
    assert s["gap_step_post_mV"] < 0  # hyperpolarization passes too


def test_chemical_synapse_is_one_way_and_needs_a_spike(default):
    s = default.summary
    # No spike, no release; nothing flows back from cell 2: exactly nothing changes in the other cell.
    assert abs(s["chemical_step_post_mV"]) < 1e-9
    assert abs(s["chemical_reverse_pre_mV"]) < 1e-9


def test_delays_and_signs(default):
    s = default.summary
    # The gap-coupled cell moves before cell 1's spike even crosses 0 mV; the chemical one after the
    # release step (0.5 ms) plus the receptors' opening: the table's 0.5-1 ms synaptic delay.
    assert s["gap_latency_ms"] < 0
    assert 0.5 <= s["chemical_latency_ms"] <= 1.0
    assert s["epsp_mV"] > 0.5 and s["ipsp_mV"] < -0.2  # same spike, opposite signs: the receptor decides
    assert s["gap_spikelet_mV"] > 0.5 and not s["postsynaptic_fired_gap"]


def test_carbenoxolone_uncouples(default):
    s = experiments.run("electrical-synapse", carbenoxolone=1.0).summary
    assert s["coupling_coefficient"] == 0.0 and s["gap_junction_nS"] == 0.0
    assert abs(s["gap_spikelet_mV"]) < 1e-12


def test_signals_recorded(default):
    assert_signals_recorded(default)
