"""receptor-types: PHENOMENA.md row receptor-types and PHENOMENA-SPEC row 27 from the measured numbers:
nicotinic = fast depolarization (conductance rises in < 1 ms, decays in ms); muscarinic M2 = delayed
(latency >= 20 ms), slow (peak 100-300 ms, lasting hundreds of ms) hyperpolarization, supralinear
with bursts (G^4 cooperativity)."""

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
