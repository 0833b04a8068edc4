"""A real neuron: a current step at the soma of any SWC reconstruction, the cell coloured by peak V.

With HH channels everywhere the spike starts at the soma and invades the dendrites and axon; with
``channels=passive`` the depolarization only spreads electrotonically and fades with distance, most in
thin, long dendrites (a small diameter means a large axial resistance and a short length constant).

The cell: ``swc=`` the name of a shipped reconstruction (``ca1-pyramidal``, ``purkinje``,
``allen-scnn1a``, ``simple``: see ``excitable.io.morphologies``) or the path of your own SWC file;
without it, a built-in soma with three branching dendrites and an axon.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.cables.declarations import MORPHOLOGY as EXPERIMENT
from excitable.experiments.cables.morphology_figure import plot_morphology
from excitable.io import morphologies
from excitable.model.cell import Cell
from excitable.model.morphology import Morphology
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp
from excitable.physics.channels.hh import HH, Leak
from excitable.results import Result


def builtin_morphology() -> Morphology:
    """A soma (20 um), three tapering dendrites that branch once, and an axon (um)."""
    b = Morphology.builder()
    b.add("soma", length=20.0, diameter=20.0)
    b.add("axon", length=800.0, diameter=1.0, parent="soma", x=1.0)
    for i, angle in enumerate((120.0, 180.0, 240.0)):
        a = np.deg2rad(angle)
        direction = (np.cos(a), np.sin(a), 0.0)
        b.add(f"dend[{3 * i}]", length=150.0, diameter=(3.0, 2.0), parent="soma", x=0.0, direction=direction)
        for j, turn in enumerate((-0.4, 0.4)):
            d2 = (np.cos(a + turn), np.sin(a + turn), 0.0)
            b.add(f"dend[{3 * i + j + 1}]", length=200.0, diameter=(1.5, 0.8), parent=f"dend[{3 * i}]",
                  x=1.0, direction=d2)
    return b.build()


def build_cell(p) -> Cell:
    if p.swc:
        morph = Morphology.from_swc(morphologies.path(p.swc, field="swc"))
    else:
        morph = builtin_morphology()
    policy = {"dx_um": p.dx_um} if p.dx_um else {"d_lambda": 0.1}
    cell = Cell(morph, ra=p.ra, cm=p.cm, **policy)
    cell.insert(HH() if p.channels == "hh" else Leak(g=0.3, e=-54.3))
    return cell


def run(**given) -> Result:
    p = EXPERIMENT.resolve(given)
    cell = build_cell(p)
    v_init = "rest" if p.channels == "hh" else -54.3
    sim = Simulation(cell, dt=p.dt, temperature=p.temperature, v_init=v_init)
    sim.stimulate(IClamp(cell.soma, amplitude=p.amplitude_nA, delay=p.delay, duration=p.pulse))
    sim.record("v")
    comp = cell.compartments
    far = _distal_sites(comp)
    for k in far:
        sim.record("v", _location(comp, k), label=f"v@{comp.section_names[comp.section[k]]}")
    # Peak V everywhere without storing every trace: record all nodes at a coarse stride.
    res = sim.run(p.tstop)
    peak_map = _peak_map(cell, sim, p)
    from excitable.analysis import spike_times

    spikes = spike_times(res.t, res["v"])
    res.name = EXPERIMENT.name
    res.summary = {
        "spike_times_ms": spikes.tolist(),
        "n_spikes": int(len(spikes)),
        "n_compartments": int((comp.area_um2 > 0).sum()),
        "n_nodes": int(comp.n),
        "n_sections": len(comp.section_names),
        "total_area_um2": float(comp.area_um2.sum()),
        "max_distance_um": float(comp.distance_um.max()),
        "soma_peak_mV": float(res["v"].max()),
        "channels": p.channels,
        "swc": p.swc or "built-in",
    }
    res.meta.update(p, peak_map=peak_map)
    res.plotter = lambda r: plot_morphology(r, comp)
    return res


def _location(comp, node):
    from excitable.model.stimuli import Location

    return Location(int(comp.section[node]), float(min(max(comp.x[node], 0.0), 1.0)))


def _distal_sites(comp, n: int = 3) -> list[int]:
    """The membrane nodes farthest from the soma in ``n`` different sections."""
    order = np.argsort(-comp.distance_um)
    out, seen = [], set()
    for k in order:
        if comp.area_um2[k] > 0 and comp.section[k] not in seen:
            out.append(int(k))
            seen.add(comp.section[k])
        if len(out) == n:
            break
    return out


def _peak_map(cell, sim, p) -> np.ndarray:
    """Peak V (mV) at every node over the run (one extra run recording every node, stride 4)."""
    from excitable.model.simulation import Simulation as Sim

    full = Sim(cell, dt=sim.dt, temperature=sim.temperature, v_init=sim.v_init)
    for s, _ in sim.iclamps:
        full.stimulate(s)
    full.record("v", at="all")
    return full.run(p.tstop, stride=4)["v_all"].max(axis=0)
