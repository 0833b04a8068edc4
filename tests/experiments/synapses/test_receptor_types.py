"""receptor-types: PHENOMENA.md row receptor-types and PHENOMENA-SPEC row 27 from the measured numbers:
nicotinic = fast depolarization (conductance rises in < 1 ms, decays in ms); muscarinic M2 = delayed
(latency >= 20 ms), slow (peak 100-300 ms, lasting hundreds of ms) hyperpolarization, supralinear
with bursts (G^4 cooperativity); muscarinic M1 = slow closure of the M-type K+ channels, which
depolarizes and makes the same input fire more (Brown & Adams 1980, Nature 283:673)."""

import numpy as np
import pytest

from excitable import experiments
from tests.experiments import assert_signals_recorded


@pytest.fixture(scope="module")
def rt():
    return experiments.run("receptor-types")


def test_nicotinic_is_fast_and_depolarizing(rt):
    n, g = rt.summary["nicotinic"], rt.summary["nicotinic_conductance"]
    assert n["sign"] == "depolarizing" and n["peak_mV"] > 1.0
    assert g["time_to_peak_ms"] < 1.0 and 0.5 <= g["duration_ms"] <= 5.0
    assert n["latency_ms"] < 1.0 and n["time_to_peak_ms"] < 10.0


def test_muscarinic_is_delayed_slow_and_hyperpolarizing(rt):
    m = rt.summary["muscarinic"]
    assert m["sign"] == "hyperpolarizing" and m["peak_mV"] < -1.0
    assert m["latency_ms"] >= 20.0
    assert 100.0 <= m["time_to_peak_ms"] <= 300.0
    assert m["duration_ms"] >= 100.0 and not m["lasts_to_end"]
    assert rt.summary["speed_ratio_time_to_peak"] > 10.0


def test_muscarinic_burst_sums_supralinearly(rt):
    s = rt.summary
    assert s["burst_supralinearity"] > 1.5
    assert s["muscarinic_burst"]["peak_mV"] < s["muscarinic"]["peak_mV"]


def test_figure_renders(rt):
    import matplotlib.pyplot as plt

    fig = rt.figure()
    assert all(a.get_xlabel() or a.get_ylabel() for a in fig.axes)
    plt.close(fig)


def test_the_declared_signals_are_recorded(rt):
    assert_signals_recorded(rt)


def test_m1_without_ach_is_exactly_the_textbook_m_current():
    """The M1 mechanism carries the textbook cell's own M conductance: with no ACh bound it must give
    the textbook cell's KMYamada (Yamada, Koch & Adams 1989) to round-off, through a step that opens it."""
    from excitable.experiments.common.models import single_compartment
    from excitable.experiments.synapses.m_current import MuscarinicM1
    from excitable.experiments.synapses.receptor_types import _m1_cell
    from excitable.model.network import Network, Site
    from excitable.model.simulation import Simulation
    from excitable.model.stimuli import IClamp

    ref, m1 = single_compartment("textbook").cell, single_compartment("textbook").cell
    receptor = _m1_cell(m1, atropine=1.0)
    assert isinstance(receptor, MuscarinicM1)  # and the cell's own M current set to 0: else V differs
    net = Network([ref, m1])
    net.spike_train([5.0], 1, receptor, t_max=1.0, pulse=0.1, tau_clear=0.15)  # bound by nothing
    sim = Simulation(net, dt=0.025, temperature=single_compartment("textbook").temperature, v_init="rest")
    for k, cell in enumerate((ref, m1)):
        sim.stimulate(IClamp(cell.soma, amplitude=cell.density_to_nA(1.0, cell.soma), delay=10.0,
                             duration=150.0), cell=k)
        sim.record("v", Site(k, cell.soma), label=f"v{k}")
    r = sim.run(200.0)
    assert r["v0"].max() > 0.0  # it fired: the M gate went through its whole range
    # Same equations, summed in another order: round-off only (a wrong gate or unit is mV off).
    np.testing.assert_allclose(r["v1"], r["v0"], atol=1e-6)


def test_m1_closes_the_m_current_slowly_and_the_same_step_fires_more(rt):
    s, t, tr = rt.summary, rt.t, rt.traces
    # Brown & Adams 1980: muscarinic closure of the M current depolarizes (slow EPSP) and abolishes
    # spike-frequency adaptation. Here: most of the M conductance closed, V above the control's, more
    # spikes for the same step; and slow: the closure starts tens of ms after the release (G protein).
    assert s["m1_m_current_closed_percent"] > 50.0
    assert s["m1_depolarization_mV"] > 0.1
    assert s["m1_spikes"] > s["m1_spikes_control"] >= 1
    closed = 1.0 - tr["g_m_current"] / tr["g_m_current_control"]
    onset = t[np.argmax(closed > 0.1 * closed[t < 200.0].max())] - s["release_ms"]
    assert onset >= 10.0


def test_atropine_blocks_both_muscarinic_effects_and_curare_the_nicotinic():
    s = experiments.run("receptor-types", atropine=1.0, curare=1.0).summary
    assert s["m1_spikes"] == s["m1_spikes_control"] and abs(s["m1_depolarization_mV"]) < 1e-9
    assert s["muscarinic"]["sign"] == "none" and s["nicotinic"]["sign"] == "none"


def test_the_answer_renders_with_the_default_run(rt):
    text = experiments.declaration("receptor-types").answer_for(rt.summary)
    assert text and "mV" in text and "spikes" in text and any(ch.isdigit() for ch in text)
