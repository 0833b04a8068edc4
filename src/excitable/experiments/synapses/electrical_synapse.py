"""How do electrical (gap junction) and chemical synapses differ?

An electrical synapse is a gap junction: channels (connexons) that join the cytoplasm of two cells, so
current flows straight from one cell into the other. Nothing has to be released and nothing has to
bind: the second cell's voltage starts to move the moment the first cell's does. The junction is a
plain conductance, so it works both ways (current flows from whichever cell is more depolarized)
and it passes every sign: a hyperpolarization of one cell hyperpolarizes the other too. The coupled
cell's own membrane capacitance and leak make it a low-pass filter: a brief spike arrives as a small,
slow "spikelet", a slow change arrives almost whole. At steady state the coupled cell follows a
fraction of the change, the coupling coefficient V2/V1 = g_c / (g_c + G2), the junction's conductance
over itself plus cell 2's own input conductance (a voltage divider).

A chemical synapse turns the presynaptic spike into a chemical and back: the spike opens Ca2+
channels at the terminal, Ca2+ triggers vesicle fusion, transmitter crosses the cleft and opens
receptor channels. Each step takes time, so the postsynaptic response starts 0.5-1 ms after the
spike (the synaptic delay). Only a spike releases transmitter, and the receptors are only on the
postsynaptic side: a hyperpolarization of the presynaptic cell does nothing, and current injected
into the postsynaptic cell never reaches the presynaptic one (one way). The sign is set by the
receptor, not by the presynaptic voltage: the same spike gives an EPSP through AMPA receptors (a
cation channel, E near 0 mV) and an IPSP through GABA_A receptors (Cl-, E below rest), so a chemical
synapse can invert the signal, and a small terminal can open a large conductance (amplify).

Model: identical single compartments (the textbook neuron's Na+, K+ and leak channels, 61.4 x 61.4 um,
rest -69.5 mV, at its 37 degC; without its slow M-current, so a step reaches steady state within 60 ms),
in pairs: three pairs joined by a gap junction of ``g_gap`` nS, three by an AMPA synapse (release
``release_delay`` ms after the presynaptic spike crosses 0 mV), one by a GABA_A synapse, and one
uncoupled cell that measures the input conductance G2. Each pair gets one protocol: a 1-ms pulse that
fires the presynaptic cell, a hyperpolarizing step into it, or the same step into the postsynaptic
cell. Everything runs in one simulation.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.base import Values
from excitable.experiments.synapses.more_declarations import ELECTRICAL_SYNAPSE as EXPERIMENT
from excitable.experiments.synapses.electrical_synapse_figure import plot_electrical_synapse
from excitable.model.cell import Cell
from excitable.model.network import Network, Site
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp
from excitable.physics.channels.pospischil import textbook
from excitable.physics.receptors import AMPA, GABAa
from excitable.results import Result

STIM_DELAY_MS = 5.0  # every protocol starts here
SPIKE_NA, SPIKE_MS = 2.0, 1.0  # the pulse that fires a presynaptic cell (about 2.5x its threshold)
TEMPERATURE = textbook().celsius  # the textbook cell's own, body temperature (37 degC)
PROBE_NA = -0.02  # the small step that measures the uncoupled cell's input conductance
ONSET_MV = 0.01  # a response starts when V is this far from its value before the stimulus (small:
# a gap junction passes current at once, and a larger criterion would measure its RC filter instead)
#: The pairs: (coupling, protocol). "spike": a pulse fires cell 1; "step": a hyperpolarizing step into
#: cell 1; "reverse": the same step into cell 2 (does anything come back?).
PAIRS = (("gap", "spike"), ("gap", "step"), ("gap", "reverse"),
         ("chem", "spike"), ("chem", "step"), ("chem", "reverse"), ("inh", "spike"))


def neuron(name: str) -> Cell:
    """The textbook neuron's leak, Na+ and K+ channels (``pospischil.textbook``, no M-current) in one
    61.4 x 61.4 um compartment (rest -69.5 mV)."""
    cell = Cell.cylinder(length=61.4, diameter=61.4, name=name)
    for ch in textbook().channels:
        if ch.name != "KMYamada":  # its slow K+ current (tau ~90 ms) would keep the steps from settling
            cell.insert(ch)
    return cell


def _couple(net: Network, kind: str, a: int, b: int, p: Values) -> None:
    if kind == "gap":
        net.gap_junction(a, b, p.g_gap * (1.0 - p.carbenoxolone))
        return
    receptor = AMPA(gmax=p.gmax_ampa) if kind == "chem" else GABAa(gmax=p.gmax_gaba, e=p.e_cl)
    # Glutamate/GABA in the cleft: 1 mM for 0.1 ms, cleared with 1.2 ms (as synaptic-transmission).
    net.connect(a, b, receptor, delay=p.release_delay, threshold=0.0, t_max=1.0, pulse=0.1, tau_clear=1.2)


def build(p: Values) -> Simulation:
    """Every pair and the probe cell in one network, stimulated and recorded."""
    net = Network()
    cells = []
    for kind, protocol in PAIRS:
        a, b = net.add(neuron(f"{kind} {protocol} 1")), net.add(neuron(f"{kind} {protocol} 2"))
        _couple(net, kind, a, b, p)
        cells.append((kind, protocol, a, b))
    probe = net.add(neuron("probe"))
    sim = Simulation(net, dt=p.dt, temperature=TEMPERATURE, v_init="rest")
    step_ms = p.tstop - STIM_DELAY_MS - 5.0
    for kind, protocol, a, b in cells:
        if protocol == "spike":
            sim.stimulate(IClamp(net.cells[a].soma, SPIKE_NA, STIM_DELAY_MS, SPIKE_MS), cell=a)
        else:
            target = a if protocol == "step" else b
            sim.stimulate(IClamp(net.cells[target].soma, p.step_nA, STIM_DELAY_MS, step_ms), cell=target)
        sim.record("v", Site(a, net.cells[a].soma), label=f"v_{kind}_{protocol}_1")
        sim.record("v", Site(b, net.cells[b].soma), label=f"v_{kind}_{protocol}_2")
    sim.stimulate(IClamp(net.cells[probe].soma, PROBE_NA, STIM_DELAY_MS, step_ms), cell=probe)
    sim.record("v", Site(probe, net.cells[probe].soma), label="v_probe")
    return sim


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    res = build(p).run(p.tstop)
    res.name = EXPERIMENT.name
    res.meta.update(p, stimulus_delay_ms=STIM_DELAY_MS, spike_pulse=(SPIKE_NA, SPIKE_MS), probe_nA=PROBE_NA)
    res.summary = summarize(res, p)
    res.plotter = plot_electrical_synapse
    return res


def _onset(t, v, k0: int) -> float | None:
    """First time after sample ``k0`` at which |V - V(k0)| >= ONSET_MV."""
    k = np.nonzero(np.abs(v[k0:] - v[k0]) >= ONSET_MV)[0]
    return float(t[k0 + k[0]]) if len(k) else None


def _latency(t, v1, v2, k0: int) -> float | None:
    """Cell 2's response onset minus cell 1's upward 0-mV crossing (the synaptic delay), ms."""
    up = np.nonzero(v1[k0:] >= 0.0)[0]
    on = _onset(t, v2, k0)
    return None if on is None or not len(up) else on - float(t[k0 + up[0]])


def _lag(t, v1, v2, k0: int) -> float | None:
    """Cell 2's response onset minus cell 1's, both by the same criterion (ONSET_MV), ms."""
    on1, on2 = _onset(t, v1, k0), _onset(t, v2, k0)
    return None if on1 is None or on2 is None else on2 - on1


def summarize(res: Result, p: Values) -> dict:
    t, tr = res.t, res.traces
    k0 = int(np.searchsorted(t, STIM_DELAY_MS))  # the last sample before any stimulus
    k_end = int(np.searchsorted(t, p.tstop - 5.0)) - 1  # the end of the steps: steady state

    def change(label, k=k_end):
        return float(tr[label][k] - tr[label][k0])

    def peak_change(label):
        v = tr[label][k0:]
        d = v - v[0]
        return float(d[int(np.argmax(np.abs(d)))])

    g_in = PROBE_NA / change("v_probe") * 1000.0  # nA / mV = uS -> nS
    g_c = p.g_gap * (1.0 - p.carbenoxolone)
    out = {
        "gap_junction_nS": g_c,
        "gap_lag_ms": _lag(t, tr["v_gap_spike_1"], tr["v_gap_spike_2"], k0),
        "gap_latency_ms": _latency(t, tr["v_gap_spike_1"], tr["v_gap_spike_2"], k0),
        "chemical_latency_ms": _latency(t, tr["v_chem_spike_1"], tr["v_chem_spike_2"], k0),
        "presynaptic_spike_peak_mV": float(tr["v_gap_spike_1"].max()),
        "gap_spikelet_mV": peak_change("v_gap_spike_2"),
        "epsp_mV": peak_change("v_chem_spike_2"),
        "ipsp_mV": peak_change("v_inh_spike_2"),
        "gap_step_pre_mV": change("v_gap_step_1"),
        "gap_step_post_mV": change("v_gap_step_2"),
        "coupling_coefficient": change("v_gap_step_2") / change("v_gap_step_1"),
        "reverse_coupling_coefficient": change("v_gap_reverse_1") / change("v_gap_reverse_2"),
        "chemical_step_post_mV": change("v_chem_step_2"),
        "chemical_reverse_pre_mV": change("v_chem_reverse_1"),
        "input_conductance_nS": g_in,
        "coupling_closed_form": g_c / (g_c + g_in),
        "postsynaptic_fired_gap": bool(tr["v_gap_spike_2"].max() > 0.0),
        "postsynaptic_fired_chemical": bool(tr["v_chem_spike_2"].max() > 0.0),
    }
    return out
