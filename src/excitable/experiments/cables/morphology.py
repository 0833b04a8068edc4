"""How does an input fade as it spreads through a real neuron?

A reconstructed cell (by default a rat CA1 pyramidal neuron, 950 µm from the tip of its apical
dendrite to the soma) receives a small steady current at one point: the tip of its farthest
dendrite, or the soma. Where the current enters, the membrane charges up by tens of millivolts. The
charge then flows along the inside of the dendrite, and on its way it leaks out through the membrane,
which is never a perfect insulator: each micrometre of dendrite lets some of the current escape, so
less and less is left to depolarize the membrane farther on.

How quickly the depolarization fades depends on the dendrite's length constant, the distance over
which a steady voltage falls to about a third (1/e) in a long cable: it is longer in a thick dendrite
(less axial resistance) and in a tight membrane (less leak). The thin tufts at the end of an apical
dendrite have a length constant of a few hundred µm, so an input there is reduced some fortyfold by
the time it reaches the soma, where the cell decides whether to fire. The soma side is also a
large "sink": the many other dendrites draw the current away, which is why an input at a tip fades
far more on its way to the soma than an input at the soma fades on its way to a tip.

That is why real neurons need many inputs at once, inputs close to the soma, or active channels in
their dendrites to make a distal synapse count. With ``channels=hh`` every part of the membrane has
Hodgkin-Huxley channels: a strong enough input starts an action potential, which regenerates itself
everywhere and reaches every branch at full size, unlike the passive spread.

The cell: ``swc=`` the name of a shipped reconstruction (``ca1-pyramidal``, ``purkinje``,
``allen-scnn1a``, ``simple``: see ``excitable.io.morphologies``), ``builtin`` (a soma with three
branching dendrites and an axon) or the path of your own SWC file.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.cables.declarations import MORPHOLOGY as EXPERIMENT
from excitable.experiments.cables.morphology_figure import plot_morphology
from excitable.io import morphologies
from excitable.model.cell import Cell
from excitable.model.morphology import Morphology
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp, Location
from excitable.physics.channels.hh import HH, Leak
from excitable.results import Result

#: The passive membrane (mS/cm², mV): 20 kΩ cm², a typical dendritic membrane resistance (tau 20 ms at
#: 1 µF/cm²; pyramidal-cell dendrites are fitted with 10-40 kΩ cm², e.g. Stuart & Spruston 1998,
#: J Neurosci 18:3501), at HH's rest, so that a passive cell rests where an HH cell does.
PASSIVE_G, REST_MV = 0.05, -65.0
#: Output sample interval (steps of dt): 0.1 ms at dt = 0.025, fine for a passive response (tau
#: 20 ms) and for spike peaks; it keeps the every-node recording small.
STRIDE = 4


def builtin_morphology() -> Morphology:
    """A soma (20 µm), three tapering dendrites that branch once, and an axon (µm)."""
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
    """The cell of ``p.swc`` with ``p.channels`` everywhere (d_lambda = 0.1, as NEURON users do)."""
    if p.swc and p.swc != "builtin":
        morph = Morphology.from_swc(morphologies.path(p.swc, field="swc"))
    else:
        morph = builtin_morphology()
    policy = {"dx_um": p.dx_um} if p.dx_um else {"d_lambda": 0.1}
    cell = Cell(morph, ra=p.ra, cm=p.cm, **policy)
    cell.insert(HH() if p.channels == "hh" else Leak(g=PASSIVE_G, e=REST_MV))
    return cell


def input_node(cell: Cell, site: str) -> int:
    """The node that receives the current: the membrane node farthest from the soma (path
    distance) for ``site="dendrite"``, else the soma's."""
    if site == "soma":
        return cell.node(cell.soma)
    comp = cell.compartments
    membrane = np.flatnonzero(comp.area_um2 > 0)
    return int(membrane[np.argmax(comp.distance_um[membrane])])


def path_to_soma(comp, node: int) -> np.ndarray:
    """The nodes from ``node`` to the root (the soma), in order."""
    out = [node]
    while comp.parent[out[-1]] >= 0:
        out.append(int(comp.parent[out[-1]]))
    return np.asarray(out)


def location(comp, node: int) -> Location:
    return Location(int(comp.section[node]), float(min(max(comp.x[node], 0.0), 1.0)))


def run(**given) -> Result:
    p = EXPERIMENT.resolve(given)
    cell = build_cell(p)
    comp = cell.compartments
    sim = Simulation(cell, dt=p.dt, temperature=p.temperature,
                     v_init="rest" if p.channels == "hh" else REST_MV)
    source, soma = input_node(cell, p.site), cell.node(cell.soma)
    sim.stimulate(IClamp(location(comp, source), amplitude=p.amplitude_nA, delay=p.delay, duration=p.pulse))
    tip = input_node(cell, "dendrite")  # the farthest point: the input, or where a soma input ends up
    path = path_to_soma(comp, tip)
    midway = int(path[np.argmin(np.abs(comp.distance_um[path] - comp.distance_um[tip] / 2))])
    sim.record("v")
    sim.record("v", location(comp, tip), label="v@tip")
    sim.record("v", location(comp, midway), label="v@midway")
    sim.record("v", at="all")
    res = sim.run(p.tstop, stride=STRIDE)
    v_all = np.asarray(res.traces.pop("v_all"))
    res.name = EXPERIMENT.name
    res.summary = _summary(res, p, comp, v_all, source, soma, tip, path)
    res.meta.update(p, depolarization_map=_depolarization(res.t, v_all, p.delay), input_node=source,
                    soma_node=soma, tip_node=tip, midway_node=midway, path_nodes=path,
                    compartments=comp, v_all=v_all)  # the lab draws V on every segment
    res.plotter = lambda r: plot_morphology(r, comp)
    return res


def _depolarization(t, v_all, delay: float) -> np.ndarray:
    """Peak V above each node's own V just before the input (mV)."""
    before = v_all[max(int(np.searchsorted(t, delay)) - 1, 0)]
    return v_all.max(axis=0) - before


def _summary(res, p, comp, v_all, source: int, soma: int, tip: int, path: np.ndarray) -> dict:
    """What a learner reads: the depolarization where the input enters and at the soma, their ratio,
    and the distance over which it halves along the path to the soma."""
    from excitable.analysis import spike_times

    dep = _depolarization(res.t, v_all, p.delay)
    at_input, at_soma = float(dep[source]), float(dep[soma])
    spikes = spike_times(res.t, res["v"])
    d = comp.distance_um
    dendrite = p.site == "dendrite"
    # Along the path from the input to the soma: the first node at half the input's depolarization.
    half = path[dep[path] <= at_input / 2] if dendrite else []
    return {
        "input_site": p.site,
        "input_distance_um": float(d[source]),
        "input_depolarization_mV": at_input,
        "soma_depolarization_mV": at_soma,
        "tip_depolarization_mV": float(dep[tip]),
        "attenuation_to_soma": at_input / at_soma if dendrite and at_soma > 0 else None,
        "soma_fraction_percent": 100.0 * at_soma / at_input if dendrite and at_input > 0 else None,
        "tip_fraction_percent": None if dendrite or at_soma <= 0 else 100.0 * float(dep[tip]) / at_soma,
        "half_distance_um": float(d[source] - d[half[0]]) if len(half) else None,
        "spike_times_ms": spikes.tolist(),
        "n_spikes": int(len(spikes)),
        "n_compartments": int((comp.area_um2 > 0).sum()),
        "n_sections": len(comp.section_names),
        "total_area_um2": float(comp.area_um2.sum()),
        "max_distance_um": float(d.max()),
        "soma_peak_mV": float(res["v"].max()),
        "channels": p.channels,
        "swc": p.swc or "builtin",
    }
