"""POINTER (io/nmodl/pointers.py): two hh compartments coupled by a pair of gap point processes in
the form of ModelDB's gap.mod (mod_events/pt_gap.mod: i = (v - vgap)/r, vgap a POINTER to the
partner's V), side by side with NEURON 9 running the same file with ``h.setpointer``.

Set-up (docs/design.md "Matching NEURON"): two 20 x 20 µm sections with hh (exact rates,
usetable_hh = 0), 6.3 °C, dt 0.025 ms, secondorder 0, finitialize(-65); the first driven by a
current step that makes it fire repetitively, the second fired through the junction (r = 10 MΩ).

Tolerance: V of both cells within 1e-6 of its range at every step (issue 18): float64 on both sides,
the same hh.mod and the same half-gap formula, so what is left is round-off (1e-12 here). Reading the
partner's V at the step's end instead of its start (or the own V perturbed in the partner's) moves V
by 1e-3 of its range or more. Spike times (0 mV upward crossings, interpolated the same way on both
sides) within 0.05 ms (issue 18).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.analysis import crossing_times
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.model.network import Network, Site
from tests.io.nmodl.neuron_side import share
from tests.reference.nrnmech import neuron_loaded

DT = 0.025
TSTOP = 40.0
R_MOHM = 10.0
AREA_UM2 = math.pi * 20.0 * 20.0
AMP_NA = 25.0 * AREA_UM2 * 1e-5  # 25 µA/cm²: the driven pair fires repetitively
GAP = Path(__file__).parent / "mod_events" / "pt_gap.mod"
TOL = 1e-6
SPIKE_TOL_MS = 0.05


@pytest.fixture(scope="module")
def mods():
    return load_mod([GAP, share() / "modfile" / "hh.mod"])


def neuron_pair():
    h = neuron_loaded([GAP], "pt_gap", "pt_gap.mod")
    secs = []
    for k in range(2):
        sec = h.Section(name=f"pointer_{k}")
        sec.L = sec.diam = 20.0
        sec.insert("hh")
        secs.append(sec)
    h.usetable_hh = 0
    stim = h.IClamp(secs[0](0.5))
    stim.delay, stim.dur, stim.amp = 5.0, 30.0, AMP_NA
    halves = [h.pt_gap(secs[0](0.5)), h.pt_gap(secs[1](0.5))]
    for half, partner in zip(halves, reversed(secs)):
        half.r = R_MOHM
        h.setpointer(partner(0.5)._ref_v, "vgap", half)
    rec = [h.Vector().record(s(0.5)._ref_v) for s in secs]
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    out = np.array([np.array(r) for r in rec])
    del halves, stim, secs
    return out


def pair(mods, couple):
    """Our two cells, the first driven; ``couple(net, a, b)`` joins them. V of both, (2, samples)."""
    cells = [ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh()) for _ in range(2)]
    net = Network(cells)
    couple(net, *cells)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cells[0].soma, amplitude=AMP_NA, delay=5.0, duration=30.0))
    for k, c in enumerate(cells):
        sim.record("v", Site(k, c.soma), label=f"v{k}")
    res = sim.run(TSTOP)
    return np.array([np.asarray(res[f"v{k}"]).ravel() for k in range(2)])


def pointer_pair(mods):
    def couple(net, a, b):
        halves = [mods.pt_gap(r=R_MOHM), mods.pt_gap(r=R_MOHM)]
        a.place(halves[0], a.soma)
        b.place(halves[1], b.soma)
        net.pointer(halves[0], "vgap", Site(1, b.soma))
        net.pointer(halves[1], "vgap", Site(0, a.soma))
    return pair(mods, couple)


def spikes(v):
    return crossing_times(np.arange(len(v)) * DT, v, 0.0)


def test_gap_pair_matches_neuron(mods):
    ref = neuron_pair()
    ours = pointer_pair(mods)
    assert ours.shape == ref.shape
    for k in range(2):
        assert np.max(np.abs(ours[k] - ref[k])) / np.ptp(ref[k]) < TOL, k
    s_ref, s_ours = spikes(ref[1]), spikes(ours[1])
    assert len(s_ref) >= 2  # the second cell fires through the junction: the coupling is in play
    assert len(s_ours) == len(s_ref) and np.max(np.abs(s_ours - s_ref)) < SPIKE_TOL_MS


def test_gap_pair_is_the_built_in_gap_junction(mods):
    """The built-in ``Network.gap_junction`` splits the coupling the same way (own V implicit, the
    partner's from the step's start): the same traces within round-off (1e-9 of range: the two
    sum the same terms in another order)."""
    built_in = pair(mods, lambda net, a, b: net.gap_junction(a, b, 1000.0 / R_MOHM))  # nS = 1000 / MΩ
    ours = pointer_pair(mods)
    for k in range(2):
        assert np.max(np.abs(ours[k] - built_in[k])) / np.ptp(built_in[k]) < 1e-9, k


def test_unset_pointer_is_refused_in_one_line(mods):
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    cell.place(mods.pt_gap(r=R_MOHM), cell.soma)
    sim = ex.Simulation(cell, dt=DT)
    with pytest.raises(ModelError, match=r"^pt_gap\[0\]: POINTER vgap is not set") as info:
        sim.run(1.0)
    assert "\n" not in str(info.value)


def test_pointer_mistakes_are_refused(mods):
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    half = mods.pt_gap()
    net = Network([cell])
    with pytest.raises(ModelError, match="not placed in the network"):
        net.pointer(half, "vgap", cell.soma)
    cell.place(half, cell.soma)
    with pytest.raises(ModelError, match=r"pt_gap has no POINTER 'vx' \(it has: vgap\)"):
        net.pointer(half, "vx", cell.soma)
    with pytest.raises(ModelError, match="to must be a Site"):
        net.pointer(half, "vgap", "soma")
