"""synapse-speed: a chain of neurons is slower than one axon of the same length (spec rows 22, 35).

Row 35: each synapse adds the synaptic delay plus the EPSP-to-threshold time, >= 1 ms per synapse at
body temperature; row 22: terminal AP peak to EPSC onset 0.3-1.0 ms. The decomposition of the chain's
latency into conduction, synaptic delay and integration is exact bookkeeping (its parts add up).
"""

import numpy as np
import pytest

from excitable import experiments
from excitable.errors import ModelError
from tests.experiments import assert_answer_measured, assert_signals_recorded


@pytest.fixture(scope="module")
def default():
    return experiments.run("synapse-speed")


def test_each_synapse_costs_at_least_a_millisecond(default):
    s = default.summary
    assert s["n_synapses"] == 3
    assert s["per_synapse_ms"] >= 1.0
    assert s["chain_latency_ms"] > s["axon_latency_ms"] + 3 * 1.0
    assert all(0.3 <= d <= 1.0 for d in s["synaptic_delay_from_peak_ms"])


def test_the_latency_adds_up_and_every_neuron_fires_once(default):
    s = default.summary
    parts = s["chain_conduction_ms"] + s["chain_synaptic_delay_ms"] + s["chain_integration_ms"]
    assert parts == pytest.approx(s["chain_latency_ms"], abs=1e-9)
    t = default.t
    for k in range(s["n_neurons"]):
        v = default.traces[f"chain soma {k} V (mV)"]
        assert np.count_nonzero((v[:-1] < 0) & (v[1:] >= 0)) == 1, k
    # The unmyelinated 1-um axon conducts at about 0.5 m/s; one synapse costs as much as 1 mm of it,
    # and tens of mm of a 60 m/s myelinated fibre.
    assert 0.3 < s["conduction_velocity_m_s"] < 1.5
    assert s["myelinated_equivalent_mm_per_synapse"] > 50.0
    assert t[-1] > s["spike_times_ms"]["terminal"][-1]


def test_a_weak_synapse_is_reported_not_crashed():
    with pytest.raises(ModelError, match="gmax"):
        experiments.run("synapse-speed", gmax=0.0005, n_neurons=2)


def test_figure(default):
    import matplotlib.pyplot as plt

    fig = default.figure()
    assert len(fig.axes) == 2 and "Each synapse costs" in fig.axes[1].get_title()
    plt.close(fig)


def test_the_declared_signals_are_recorded(default):
    assert_signals_recorded(default)
    assert_answer_measured(default)
