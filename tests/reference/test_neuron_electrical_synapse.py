"""electrical-synapse side by side with NEURON: the gap-junction pairs and the probe cell.

NEURON gets the same cells (one 61.4 x 61.4 µm section, nseg 1, the textbook neuron's Traub-Miles Na+
and K+ and a leak: tests/reference/mod/traub, copied from our cells by tests/reference/traub_cells.py),
the junction as two half gaps (i = g (v - vgap), vgap a POINTER to the partner's v: the splitting our
``Network.gap_junction`` uses), the same current steps, dt, temperature (37 °C) and backward Euler (secondorder 0).
Both start at the cells' resting potential (gates at steady state there).

Tolerance: 1e-6 of each trace's range. The two programs do the same arithmetic (the same splitting,
the same exponential Euler of the gates with the new V), so they differ by rounding (~1e-12 mV
measured); 1e-6 still fails on any real difference (one dt's shift of a spike moves V by ~10 mV).
"""

import numpy as np
import pytest

from excitable import experiments
from excitable.experiments.synapses import electrical_synapse as es
from tests.reference.traub_cells import NrnCell, neuron_traub, run

pytestmark = pytest.mark.neuron

RTOL = 1e-6


def neuron_traces(p, v_rest):
    """V of the three gap-junction pairs and the probe, from NEURON (label as the experiment's)."""
    h = neuron_traub()
    keep, record = [], {}
    step_ms = p.tstop - es.STIM_DELAY_MS - 5.0
    for protocol in ("spike", "step", "reverse"):
        a, b = (NrnCell(h, es.neuron(f"gap {protocol} {k}"), ra=35.4) for k in (1, 2))
        ga, gb = h.XsHalfGap(a.seg(0, 0.5)), h.XsHalfGap(b.seg(0, 0.5))
        ga.g = gb.g = p.g_gap / 1000.0  # nS -> µS
        ga._ref_vgap, gb._ref_vgap = b.seg(0, 0.5)._ref_v, a.seg(0, 0.5)._ref_v
        stim = h.IClamp((a if protocol != "reverse" else b).seg(0, 0.5))
        stim.delay = es.STIM_DELAY_MS
        stim.amp, stim.dur = (es.SPIKE_NA, es.SPIKE_MS) if protocol == "spike" else (p.step_nA, step_ms)
        keep += [a, b, ga, gb, stim]
        record[f"v_gap_{protocol}_1"], record[f"v_gap_{protocol}_2"] = a.seg(0, 0.5), b.seg(0, 0.5)
    probe = NrnCell(h, es.neuron("probe"), ra=35.4)
    stim = h.IClamp(probe.seg(0, 0.5))
    stim.delay, stim.amp, stim.dur = es.STIM_DELAY_MS, es.PROBE_NA, step_ms
    keep += [probe, stim]
    record["v_probe"] = probe.seg(0, 0.5)
    return run(h, p.tstop, p.dt, es.TEMPERATURE, v_rest, record)


@pytest.fixture(scope="module")
def both():
    ours = experiments.run("electrical-synapse")
    p = es.EXPERIMENT.resolve({})
    return ours, neuron_traces(p, float(ours["v_probe"][0]))


@pytest.mark.parametrize("label", ["v_gap_spike_1", "v_gap_spike_2", "v_gap_step_1", "v_gap_step_2",
                                   "v_gap_reverse_1", "v_gap_reverse_2", "v_probe"])
def test_gap_junction_traces_match_neuron(both, label):
    ours, theirs = both
    v, ref = ours[label], theirs[label]
    assert v.shape == ref.shape
    assert np.max(np.abs(v - ref)) <= RTOL * np.ptp(ref)


def test_coupling_coefficient_and_spikelet_match_neuron(both):
    ours, theirs = both
    s = ours.summary
    k0 = int(np.searchsorted(ours.t, es.STIM_DELAY_MS))
    k_end = int(np.searchsorted(ours.t, ours.meta["tstop"] - 5.0)) - 1

    def change(label):
        return theirs[label][k_end] - theirs[label][k0]

    # The coupling coefficient is a ratio of two ~1.5-mV changes: 1e-6 of the traces' range (~0.01 mV
    # at most here) would allow ~1e-5 relative, and rounding gives ~1e-10.
    assert s["coupling_coefficient"] == pytest.approx(change("v_gap_step_2") / change("v_gap_step_1"), rel=1e-6)
    assert s["input_conductance_nS"] == pytest.approx(es.PROBE_NA / change("v_probe") * 1000.0, rel=1e-6)
    spikelet = theirs["v_gap_spike_2"][k0:] - theirs["v_gap_spike_2"][k0]
    assert s["gap_spikelet_mV"] == pytest.approx(spikelet[np.argmax(np.abs(spikelet))], rel=1e-6)
