"""postsynaptic-spike side by side with NEURON: how many EPSPs it takes to fire the textbook cell.

NEURON gets the same cell (one section copied from ours by tests/reference/traub_cells.py: leak,
Traub-Miles Na+ and K+, the M-current, as .mod files in tests/reference/mod/traub) and the same
synapses: our AMPA and GABA_A receptors are Destexhe's two-state kinetics driven by transmitter in the
cleft (a pulse of 1 mM for 0.1 ms, then cleared with 1.2 ms), which NEURON's ExpSyn/Exp2Syn cannot
express, so xs_twostate.mod is that receptor and that cleft, written from the equations. Each input is
a NetStim firing once at the input's time into its own receptor, as our spike trains do.

Tolerance: every trace (the current-clamp probe and each of the 48 cells with 1-16 inputs) within 1e-6 of
its range, and so the number of inputs needed to fire (all at once, spread over 20 ms, with one IPSP)
equal. The same channels, the same backward Euler, the cleft's pulse over the same steps (NEURON's
event that ends it applies that step's decay, as ours does): rounding only, measured 3e-9 mV. A step's
shift of the pulse's end made NEURON's EPSP 1.2 % larger and 5 inputs fire the cell instead of 6, so
the tolerance would catch the smallest real difference.
"""

import numpy as np
import pytest

from excitable import experiments
from excitable.experiments.synapses import postsynaptic_spike as ps
from tests.reference.traub_cells import NrnCell, neuron_traub, run

pytestmark = pytest.mark.neuron


def neuron_traces(p, temperature, v_rest):
    """Every cell of the experiment in NEURON; V by the experiment's trace labels."""
    h = neuron_traub()
    keep, record = [], {}
    for condition in ps.CONDITIONS:
        for k in range(1, p.n_max + 1):
            cell = NrnCell(h, ps.single_compartment("textbook").cell, ra=35.4)
            seg = cell.seg(0, 0.5)
            inputs = [(ps.AMPA(gmax=p.gmax), t) for t in ps.input_times(condition, k, p)]
            if condition == "inhibited":
                inputs.append((ps.GABAa(gmax=p.gmax_inh, e=p.e_cl), ps.INPUT_MS))
            for receptor, t_in in inputs:
                syn = h.XsTwoState(seg)
                syn.gmax, syn.alpha, syn.beta, syn.e = receptor.gmax, receptor.alpha, receptor.beta, receptor.e
                syn.tmax, syn.dur, syn.tau_clear = ps.CLEFT["t_max"], ps.CLEFT["pulse"], ps.CLEFT["tau_clear"]
                stim = h.NetStim()
                stim.number, stim.start, stim.noise = 1, float(t_in), 0
                nc = h.NetCon(stim, syn)
                nc.delay, nc.weight[0] = 0.0, 1.0
                keep += [syn, stim, nc]
            keep.append(cell)
            record[f"v {condition} {k}"] = seg
    probe = NrnCell(h, ps.single_compartment("textbook").cell, ra=35.4)
    seg = probe.seg(0, 0.5)
    clamp = h.IClamp(seg)
    clamp.delay, clamp.dur = ps.INPUT_MS, 1.0
    clamp.amp = ps.PROBE_UA_CM2 * seg.area() * 1e-5  # µA/cm² x µm² -> nA
    keep += [probe, clamp]
    record["v current clamp"] = seg
    return run(h, p.tstop, p.dt, temperature, v_rest, record)


@pytest.fixture(scope="module")
def both():
    ours = experiments.run("postsynaptic-spike")
    p = ps.EXPERIMENT.resolve({})
    temperature = ps.build(p).temperature
    return ours, neuron_traces(p, temperature, float(ours["v current clamp"][0])), p


def test_the_cell_matches_neuron(both):
    ours, theirs, _ = both
    v, ref = ours["v current clamp"], theirs["v current clamp"]
    assert v.shape == ref.shape and ref.max() > 0.0  # the probe fires
    assert np.max(np.abs(v - ref)) <= 1e-6 * np.ptp(ref)


@pytest.mark.parametrize("condition", ps.CONDITIONS)
def test_inputs_needed_to_fire_match_neuron(both, condition):
    ours, theirs, p = both
    for k in range(1, p.n_max + 1):
        v, ref = ours[f"v {condition} {k}"], theirs[f"v {condition} {k}"]
        assert np.max(np.abs(v - ref)) <= 1e-6 * np.ptp(ref), k
    k0 = int(np.searchsorted(ours.t, ps.INPUT_MS))
    fired = [float(theirs[f"v {condition} {k}"][k0:].max()) > 0.0 for k in range(1, p.n_max + 1)]
    assert any(fired) and ours.summary[f"needed_{condition}"] == fired.index(True) + 1
