"""synaptic-transmission: presynaptic AP -> terminal -> release -> cleft -> AMPA -> EPSP.

Checks PHENOMENA.md (row synaptic-transmission) and PHENOMENA-SPEC rows 21-23 from the measured numbers:
release 0.15-0.5 ms after the terminal's AP peak (row 21); synaptic delay (terminal AP peak to EPSP
onset, onset = V 0.1 mV above its value at release) in the spec's test range 0.3-1.0 ms and shorter
at higher temperature (row 22); EPSP linear in gmax while small, an AP when strong (row 23).
When the cell fires, the spike is not reported as an EPSP (the lab's "EPSP 110 mV"): the summary, the
answer and the figure say that the EPSP reached threshold and the cell fired; the gmax that the help
text quotes for firing is found here by bisection.
"""

import numpy as np
import pytest

from excitable import ModelError, experiments
from excitable.analysis import threshold_voltage
from excitable.experiments.synapses.declarations import FIRING_GMAX_US, SYNAPTIC_TRANSMISSION
from excitable.experiments.synapses.synaptic_transmission import THRESHOLD_MV
from tests.experiments import assert_answer_measured, assert_signals_recorded


@pytest.fixture(scope="module")
def default():
    return experiments.run("synaptic-transmission")


@pytest.fixture(scope="module")
def fired():
    """Twice the gmax that fires the cell (the page's "stronger synapse" suggestion)."""
    return experiments.run("synaptic-transmission", gmax=0.01)


def test_release_follows_the_terminal_spike(default):
    s = default.summary
    assert s["terminal_peak_mV"] > 20.0  # the AP reached the terminal
    assert s["axon_conduction_ms"] > 0.0  # ... after the soma
    assert 0.15 - 1e-9 <= s["release_after_peak_ms"] <= 0.5
    assert abs(s["peak_transmitter_mM"] - 1.0) < 1e-12


def test_cleft_clears_with_tau_clear(default):
    # After the 0.1-ms pulse T decays as exp(-t / tau_clear), one exact factor per step.
    T, dt = default["transmitter"], default.meta["dt"]
    k = int(np.argmax(T)) + int(round(0.1 / dt)) + 1
    ratios = T[k + 1:k + 40] / T[k:k + 39]
    assert np.allclose(ratios, np.exp(-dt / 1.2), rtol=1e-9)


def test_synaptic_delay_and_epsp(default):
    s = default.summary
    # PHENOMENA.md: about 0.5-1 ms; spec row 22 test range 0.3-1.0 ms.
    assert 0.3 <= s["synaptic_delay_ms"] <= 1.0
    assert 2.0 < s["epsp_amplitude_mV"] < 15.0 and not s["postsynaptic_fired"]
    assert s["peak_epsc_nA"] < 0  # inward
    # below threshold: the EPSP's height is the highest V above rest, and no spike numbers are reported
    assert s["postsynaptic_peak_mV"] == pytest.approx(s["postsynaptic_rest_mV"] + s["epsp_amplitude_mV"], abs=1e-9)
    assert s["postsynaptic_peak_mV"] < THRESHOLD_MV
    assert s["threshold_crossing_ms"] is None and s["first_spike_ms"] is None
    answer = SYNAPTIC_TRANSMISSION.answer_for(s)
    assert f"depolarizes by {s['epsp_amplitude_mV']:.1f} mV" in answer and "does not fire" in answer


def test_a_spike_is_not_reported_as_an_epsp(fired):
    s, t, v = fired.summary, fired.t, fired["v_post"]
    assert s["postsynaptic_fired"] and s["n_postsynaptic_spikes"] == 1
    assert s["epsp_amplitude_mV"] is None  # was "EPSP 110 mV": the spike counted as the EPSP
    assert s["postsynaptic_peak_mV"] == pytest.approx(float(v.max()), abs=1e-9) and s["postsynaptic_peak_mV"] > 0
    # EPSP onset -> threshold crossing -> the spike's 0-mV crossing, in that order
    assert s["epsp_onset_ms"] < s["threshold_crossing_ms"] < s["first_spike_ms"]
    assert s["epsp_onset_to_threshold_ms"] == pytest.approx(s["threshold_crossing_ms"] - s["epsp_onset_ms"])
    k = int(np.searchsorted(t, s["threshold_crossing_ms"]))
    assert v[k] >= THRESHOLD_MV > v[k - 1]  # the first sample at or above threshold
    answer = SYNAPTIC_TRANSMISSION.answer_for(s)
    assert "reached threshold" in answer and "fired a spike" in answer and "depolarizes by" not in answer
    assert f"peak {s['postsynaptic_peak_mV']:+.0f} mV" in answer


def test_the_threshold_is_where_the_synaptic_spike_takes_off(fired):
    # The declared threshold (-55 mV, the action-potential experiment's -54.7 rounded) against this run's own
    # spike, by the dV/dt = 10 mV/ms criterion. 1 mV: the take-off V moves a few tenths of a mV with how fast
    # the input charges the cell (-55.3 to -55.7 mV for 0.0055-0.01 uS here).
    t_off, v_off = threshold_voltage(fired.t, fired["v_post"], dvdt=10.0)
    assert abs(v_off - THRESHOLD_MV) < 1.0
    assert abs(t_off - fired.summary["threshold_crossing_ms"]) < 0.5


def test_the_help_text_quotes_the_gmax_that_fires_the_cell(default):
    # Bisection between the default (an EPSP below threshold) and 0.01 uS (fires): 9 halvings leave a
    # bracket of 0.0055 / 2^9 = 1.1e-5 uS (0.2 %). FIRING_GMAX_US is quoted to 2 significant digits (rounding
    # <= 1 %): 2 % covers both. This run measures 0.00507 uS (the cells at 37 degC).
    lo, hi = default.meta["gmax"], 0.01
    assert not default.summary["postsynaptic_fired"]
    for _ in range(9):
        mid = (lo + hi) / 2
        if experiments.run("synaptic-transmission", gmax=mid).summary["postsynaptic_fired"]:
            hi = mid
        else:
            lo = mid
    assert abs((lo + hi) / 2 / FIRING_GMAX_US - 1) < 0.02
    assert f"about {FIRING_GMAX_US:g} µS" in SYNAPTIC_TRANSMISSION.params["gmax"].help
    assert default.meta["gmax"] < 0.9 * FIRING_GMAX_US  # the default is clearly below threshold


def test_delay_shortens_as_temperature_rises(default):
    # 26 degC: the page's "cool both cells" suggestion, 11 degC below the cells' 37 (at 22 degC the delay is
    # 1.1 ms, beyond the spec's 0.3-1.0 ms range, as room-temperature synapses are).
    cold = experiments.run("synaptic-transmission", temperature=26.0).summary
    hot = default.summary
    assert cold["synaptic_delay_ms"] > hot["synaptic_delay_ms"] + 0.3
    # Release latency scales with Q10 = 3 from the cells' 37 degC: 0.15 ms x 3^1.1 = 0.50 ms at 26 degC (one
    # step of rounding).
    assert hot["temperature_degC"] == 37.0
    assert abs(cold["release_after_peak_ms"] - 0.15 * 3 ** 1.1) < 0.025
    # The spec's 0.3-1.0 ms range, plus the one 0.025-ms step the 0.1-mV onset criterion adds here.
    assert cold["synaptic_delay_ms"] <= 1.0 + 0.03


def test_epsp_linear_in_gmax_then_fires(fired):
    small = [experiments.run("synaptic-transmission", gmax=g).summary["epsp_amplitude_mV"] for g in (0.0005, 0.001)]
    assert abs(small[1] / (2 * small[0]) - 1) < 0.02  # row 23: linear while small
    strong = experiments.run("synaptic-transmission", gmax=0.02).summary
    assert strong["postsynaptic_fired"] and strong["n_postsynaptic_spikes"] >= 1
    # a stronger synapse charges the cell faster: it reaches threshold sooner
    assert strong["epsp_onset_to_threshold_ms"] < fired.summary["epsp_onset_to_threshold_ms"]


def test_nicotinic_receptor_and_bad_parameter():
    s = experiments.run("synaptic-transmission", receptor="nicotinic").summary
    assert s["tau_clear_ms"] == 0.15 and s["epsp_amplitude_mV"] > 1.0
    assert 0.2 <= s["synaptic_delay_ms"] <= 1.0
    with pytest.raises(ModelError, match="receptor must be one of"):
        experiments.run("synaptic-transmission", receptor="glycine")


def figure_texts(res) -> str:
    import matplotlib.pyplot as plt

    fig = res.figure()
    assert all(a.get_xlabel() or a.get_ylabel() for a in fig.axes)
    texts = [fig.get_suptitle()] + [x.get_text() for a in fig.axes for x in a.texts]
    plt.close(fig)
    return "\n".join(texts)


def test_figure_says_below_threshold_or_fired(default, fired):
    below, spike = figure_texts(default), figure_texts(fired)
    s = default.summary
    assert f"an EPSP of {s['epsp_amplitude_mV']:.1f} mV, below threshold" in below and "fired" not in below
    assert "reached threshold and the cell fired" in spike and "fired: 1 spike" in spike
    assert "threshold reached" in spike and f"peak {fired.summary['postsynaptic_peak_mV']:+.0f} mV" in spike
    assert "EPSP of" not in spike
    blocked = figure_texts(experiments.run("synaptic-transmission", antagonist=1.0))
    assert "Receptors blocked" in blocked and "no EPSP" in blocked and "below threshold" not in blocked


def test_the_declared_signals_are_recorded(default, fired):
    assert_signals_recorded(default)
    assert_answer_measured(default)
    assert_answer_measured(fired)
