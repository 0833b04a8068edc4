"""Can one cell get both kinds of input? EPSPs and IPSPs sum in time and in space.

Excitatory synapses (AMPA: a cation channel reversing near 0 mV) push V up; inhibitory ones (GABA_A:
a Cl- channel reversing at E_Cl, -80 mV) pull it toward E_Cl. The membrane adds what arrives: two
EPSPs close in time build on each other (temporal summation) and EPSPs from two dendrites add
(spatial summation), nearly linearly while they are small; a large conductance drives V toward its
own reversal potential, so it adds less than proportionally (sublinear). Inhibition at the soma, on
the path from the dendrite to where spikes start, opens a leak that short-circuits the excitatory
current there: it vetoes a spike that excitation alone would fire, whereas the same inhibition on a
distant branch hardly matters. With E_Cl equal to rest, opening GABA_A channels moves no charge at
rest (no IPSP at all) but still shrinks EPSPs that coincide with it: shunting inhibition.

Model: a soma (20 x 20 µm) with the textbook cell's channels and two passive dendrites (``dendrite_length``
µm, 1 µm thick, the soma's leak), at the textbook cell's 37 °C. Synapses: E1 = AMPA at dend(0.2), E2 = AMPA at
dend2(0.2), I_soma = GABA_A on the soma, I_distal = GABA_A at the far tip of dend2 (off the path from
E1 to the soma). Each is driven by one presynaptic spike at the times of each protocol (E_tip = AMPA at dend(0.9), for the
sublinear summation of large conductances); responses are
measured at the soma against a run without input (so any slow settling of rest cancels).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from excitable.experiments.base import Values
from excitable.experiments.synapses.declarations import EXCITATION_INHIBITION as EXPERIMENT
from excitable.experiments.synapses.excitation_inhibition_figure import plot_excitation_inhibition
from excitable.model.cell import Cell
from excitable.model.morphology import Morphology
from excitable.model.network import Network
from excitable.model.simulation import Simulation
from excitable.model.stimuli import Location
from excitable.physics.channels import pospischil
from excitable.physics.receptors import AMPA, GABAa
from excitable.results import Result

T_INPUT = 40.0     # ms: inputs start after the dendrites have settled to rest
WINDOW = 30.0      # ms after the excitatory input in which peaks are measured
TSTOP = 100.0
TIMINGS = (-20.0, -10.0, -7.5, -5.0, -2.5, 0.0, 2.5, 5.0, 10.0, 20.0)  # IPSP time - EPSP time, ms
SITES = {"E1": ("AMPA", Location("dend", 0.2)), "E2": ("AMPA", Location("dend2", 0.2)),
         "E_tip": ("AMPA", Location("dend", 0.9)), "I_soma": ("GABAa", Location("soma", 0.5)), "I_distal": ("GABAa", Location("dend2", 1.0))}


def build_cell(dendrite_length: float) -> Cell:
    """Soma with the textbook channels, two passive dendrites with the same leak."""
    b = Morphology.builder()
    b.add("soma", length=20.0, diameter=20.0)
    b.add("dend", length=dendrite_length, diameter=1.0, parent="soma", x=0.0)
    b.add("dend2", length=dendrite_length, diameter=1.0, parent="soma", x=1.0, direction=(0.0, 1.0, 0.0))
    cell = Cell(b.build(), dx_um=20.0, ra=100.0, name="ball and two sticks")
    for ch in pospischil.textbook().channels:
        cell.insert(ch, where="all" if ch.name == "Leak" else "soma")
    return cell


class Bench:
    """One compiled network; each protocol sets spike times and conductances (no recompilation)."""

    def __init__(self, p: Values):
        self.p = p
        self.cell = build_cell(p.dendrite_length)
        self.net = Network([self.cell])
        self.order = list(SITES)
        for name in self.order:
            kind, at = SITES[name]
            gmax_i = p.gmax_i * (1.0 - p.bicuculline)
            rec = AMPA(gmax=p.gmax_e) if kind == "AMPA" else GABAa(gmax=gmax_i, e=p.e_cl)
            self.net.spike_train([], 0, rec, at=at)
        self.sim = Simulation(self.net, dt=p.dt, temperature=pospischil.textbook().celsius, v_init="rest")
        self.sim.record("v")
        self.sim.record("v", SITES["E_tip"][1], label="v_dend")
        self.base = self.sim.parameters()

    def run(self, times: dict[str, list[float]], *, e_scale=1.0, e_cl=None):
        """(t, V soma, V at E_tip) with presynaptic spikes ``times`` {site: [ms]}."""
        for k, name in enumerate(self.order):
            self.net.trains[k] = np.asarray(times.get(name, []), float)
        params = dict(self.base)
        ch = dict(params["channels"])
        ch["AMPA"] = dataclasses.replace(ch["AMPA"], gmax=ch["AMPA"].gmax * e_scale)
        if e_cl is not None:
            ch["GABAa"] = dataclasses.replace(ch["GABAa"], e=ch["GABAa"].e * 0.0 + e_cl)
        params["channels"] = ch
        res = self.sim.run(TSTOP, params=params)
        return res.t, res["v"], res["v_dend"]


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    from excitable.analysis import crossing_times

    p = EXPERIMENT.resolve(given)
    bench = Bench(p)
    t0 = T_INPUT
    t, v0, vd0 = bench.run({})
    after = (t >= t0) & (t <= t0 + WINDOW)
    rest = float(v0[np.argmin(np.abs(t - t0))])

    def dv(v):
        return v - v0

    def peak(v):
        return float(dv(v)[after].max())

    traces = {"rest": v0}
    protocols = {
        "E1": {"E1": [t0]}, "E2": {"E2": [t0]}, "E1E1": {"E1": [t0, t0 + p.interval]},
        "E1E2": {"E1": [t0], "E2": [t0]}, "I_soma": {"I_soma": [t0]}, "E1I_soma": {"E1": [t0], "I_soma": [t0]},
    }
    for key, times in protocols.items():
        traces[key] = bench.run(times)[1]
    # Large conductances: the local EPSP at the dendrite's tip for gmax x1, x2 (small) and x4, x8
    # (large; the soma stays below threshold).
    local = {f: float((bench.run({"E_tip": [t0]}, e_scale=f)[2] - vd0)[after].max()) for f in (1, 2, 4, 8)}
    timing = [peak(bench.run({"E1": [t0], "I_soma": [t0 + d]})[1]) for d in TIMINGS]
    strong = p.strong_factor
    lead = t0 - p.veto_lead
    traces["strong_E"] = bench.run({"E1": [t0]}, e_scale=strong)[1]
    traces["strong_E_I_soma"] = bench.run({"E1": [t0], "I_soma": [lead]}, e_scale=strong)[1]
    traces["strong_E_I_distal"] = bench.run({"E1": [t0], "I_distal": [lead]}, e_scale=strong)[1]
    traces["I_shunt"] = bench.run({"I_soma": [t0]}, e_cl=rest)[1]
    traces["E1I_shunt"] = bench.run({"E1": [t0], "I_soma": [t0]}, e_cl=rest)[1]

    def n_spikes(v):
        return int(len(crossing_times(t, v, 0.0)))

    k_epsp = int(np.argmax(np.where(after, dv(traces["E1"]), -np.inf)))
    linear = float((dv(traces["E1"]) + dv(traces["E2"]))[after].max())
    s = {
        "rest_mV": rest,
        "epsp_mV": peak(traces["E1"]),
        "epsp2_mV": peak(traces["E2"]),
        "ipsp_mV": float(dv(traces["I_soma"])[after].min()),
        "temporal_summation_ratio": peak(traces["E1E1"]) / peak(traces["E1"]),
        "spatial_linearity": peak(traces["E1E2"]) / linear,
        # E + I together, at the time the EPSP alone peaks: measured vs the sum of the two alone.
        "ei_at_epsp_peak_mV": float(dv(traces["E1I_soma"])[k_epsp]),
        "ei_linear_prediction_mV": float(dv(traces["E1"])[k_epsp] + dv(traces["I_soma"])[k_epsp]),
        "local_epsp_mV": local,
        "local_linearity_small": local[2] / (2 * local[1]),
        "local_linearity_large": local[8] / (2 * local[4]),
        "soma_epsp_large_mV": peak(bench.run({"E_tip": [t0]}, e_scale=8)[1]),
        "timing_dt_ms": list(TIMINGS),
        "timing_peak_mV": timing,
        "epsp_alone_peak_mV": peak(traces["E1"]),
        "strongest_inhibition_dt_ms": float(TIMINGS[int(np.argmin(timing))]),
        "n_spikes_excitation_alone": n_spikes(traces["strong_E"]),
        "n_spikes_with_soma_inhibition": n_spikes(traces["strong_E_I_soma"]),
        "n_spikes_with_distal_inhibition": n_spikes(traces["strong_E_I_distal"]),
        "shunt_ipsp_mV": float(np.abs(dv(traces["I_shunt"])[after]).max()),
        "shunt_epsp_mV": peak(traces["E1I_shunt"]),
        "shunt_epsp_reduction_pct": 100.0 * (1.0 - peak(traces["E1I_shunt"]) / peak(traces["E1"])),
    }
    s["fired_excitation_alone"] = s["n_spikes_excitation_alone"] > 0
    s["fired_with_soma_inhibition"] = s["n_spikes_with_soma_inhibition"] > 0
    s["fired_with_distal_inhibition"] = s["n_spikes_with_distal_inhibition"] > 0
    # Shift the time axis so the excitatory input is at 10 ms in the figure.
    shown = t >= t0 - 10.0
    res = Result(t=t[shown] - (t0 - 10.0), traces={k: v[shown] for k, v in traces.items()}, summary=s,
                 name=EXPERIMENT.name, meta={**p, "input_time_ms": t0, "sites": {k: str(a) for k, (_, a) in SITES.items()}})
    res.plotter = plot_excitation_inhibition
    return res
