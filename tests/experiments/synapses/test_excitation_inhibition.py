"""excitation-inhibition: PHENOMENA.md row excitation-inhibition and PHENOMENA-SPEC rows 24-25, from
the measured numbers: EPSPs sum in time and space (near-linear for small inputs, within 10 %;
sublinear for large conductances), IPSPs hyperpolarize toward E_Cl, somatic inhibition vetoes a spike
that excitation alone fires while the same inhibition off the path does not, and with E_Cl at rest
there is no IPSP but EPSPs shrink (shunting)."""

import pytest

from excitable import experiments
from tests.experiments import assert_answer_measured, assert_signals_recorded


@pytest.fixture(scope="module")
def ei():
    return experiments.run("excitation-inhibition")


def test_summation_in_time_and_space(ei):
    s = ei.summary
    assert s["epsp_mV"] > 0.5
    assert 1.2 < s["temporal_summation_ratio"] < 2.0
    assert abs(s["spatial_linearity"] - 1.0) < 0.10          # small inputs: near linear
    assert s["local_linearity_small"] > 0.85
    assert s["local_linearity_large"] < 0.85 < s["local_linearity_small"] + 0.05  # large: sublinear
    assert s["soma_epsp_large_mV"] < 15.0  # the large-input test stays below threshold


def test_ipsp_and_shunting(ei):
    s = ei.summary
    assert s["ipsp_mV"] < -1.0  # toward E_Cl = -80 mV
    # E + I together is below the linear sum (the inhibitory conductance shunts the EPSP).
    assert s["ei_at_epsp_peak_mV"] < s["ei_linear_prediction_mV"]
    assert s["shunt_ipsp_mV"] < 0.01       # E_Cl = rest: no voltage change ...
    assert s["shunt_epsp_reduction_pct"] > 10.0  # ... but EPSPs shrink


def test_inhibition_near_soma_vetoes_firing(ei):
    s = ei.summary
    assert s["fired_excitation_alone"]
    assert not s["fired_with_soma_inhibition"]
    assert s["fired_with_distal_inhibition"]


def test_inhibition_timing(ei):
    s = ei.summary
    peaks = dict(zip(s["timing_dt_ms"], s["timing_peak_mV"]))
    # Spec row 25: strongest when the IPSP precedes the EPSP by 0-10 ms.
    assert -10.0 <= s["strongest_inhibition_dt_ms"] <= 0.0
    assert peaks[-5.0] < peaks[5.0] and peaks[20.0] > 0.95 * s["epsp_alone_peak_mV"]


def test_figure_renders(ei):
    import matplotlib.pyplot as plt

    fig = ei.figure()
    assert all(a.get_xlabel() or a.get_ylabel() for a in fig.axes)
    plt.close(fig)


def test_the_declared_signals_are_recorded(ei):
    assert_signals_recorded(ei)
    assert_answer_measured(ei)
