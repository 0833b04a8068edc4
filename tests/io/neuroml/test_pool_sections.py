"""NeuroML's decaying Ca2+ pool on a section of several compartments, side by side with NEURON
(issue 18, item 5): each compartment's shell is sized by its own membrane area.

NeuroML's ``decayingPoolConcentrationModel`` (Cells.xml) requires ``surfaceArea``, the area of the
segment it lives on; jNeuroML's NEURON export takes NEURON's per-segment ``area``. The cell here is a
soma and a tapered dendrite (4 -> 1.5 um over 60 um, three NeuroML segments, nseg 3), so the three
dendritic compartments have different areas and so different shells; NEURON runs the same cell built
from the same 3-D points with the pool written as a .mod file (``nml_capool`` of test_neuron_side,
which reads NEURON's ``area``)."""

from __future__ import annotations

import numpy as np

import excitable as ex

from .nml_models import N, point, write
from .test_neuron_side import CELSIUS, DT, channel_cell_document, neuron  # noqa: F401 - the fixture

from excitable.io import neuroml  # noqa: E402

#: The dendrite's 3-D points: x (um) and diameter (um); it hangs from the soma's end.
DEND = ((10.0, 4.0), (30.0, 3.0), (50.0, 2.0), (70.0, 1.5))
RA = 100.0  # ohm cm, both sides
AMP, TSTOP = 0.05, 30.0  # nA from 2 ms, ms


def tapered_cell_document():
    """``channel_cell_document``'s soma, Ca2+ channel and decaying pool, plus the tapered dendrite;
    the species (and so the pool) is on every section."""
    doc = channel_cell_document("caPool")
    morph = doc.cells[0].morphology
    morph.segment_groups.append(N.SegmentGroup(id="soma", neuro_lex_id="sao864921383", members=[N.Member(segments=0)]))
    for i in range(3):
        (x0, d0), (x1, d1) = DEND[i], DEND[i + 1]
        morph.segments.append(N.Segment(id=i + 1, name=f"dend{i}", parent=N.SegmentParent(segments=i),
                                        proximal=point(x0, 0, 0, d0) if i == 0 else None,
                                        distal=point(x1, 0, 0, d1)))
    morph.segment_groups.append(N.SegmentGroup(
        id="dend", neuro_lex_id="sao864921383", members=[N.Member(segments=i) for i in (1, 2, 3)],
        properties=[N.Property(tag="numberInternalDivisions", value="3")]))
    doc.cells[0].biophysical_properties.intracellular_properties.resistivities = [
        N.Resistivity(value=f"{RA / 1000} kohm_cm")]
    return doc


def neuron_tapered(h):
    """NEURON's cell: the soma (10 x 10 um) and the dendrite from the same 3-D points, nseg 3, the
    channel and the pool everywhere, the current step at the soma; V, cai per compartment."""
    soma, dend = h.Section(name="pool_soma"), h.Section(name="pool_dend")
    soma.L, soma.diam = 10.0, 10.0
    dend.pt3dclear()
    for x, d in DEND:
        dend.pt3dadd(x, 0.0, 0.0, d)
    dend.nseg = 3
    dend.connect(soma(1))
    for sec in (soma, dend):
        sec.cm, sec.Ra = 1.0, RA
        sec.insert("nml_cachan")
        sec.insert("nml_capool")
    h.cai0_ca_ion, h.cao0_ca_ion = 5e-5, 2.0
    h.dt, h.secondorder, h.celsius = DT, 0, CELSIUS
    stim = h.IClamp(soma(0.5))
    stim.delay, stim.dur, stim.amp = 2.0, TSTOP, AMP
    segs = [soma(0.5), *dend]
    vecs = {f"v{k}": h.Vector().record(s._ref_v) for k, s in enumerate(segs)}
    vecs.update({f"cai{k}": h.Vector().record(s._ref_cai) for k, s in enumerate(segs)})
    h.finitialize(-80.0)
    h.continuerun(TSTOP)
    out = {k: np.array(v) for k, v in vecs.items()}
    out["area"] = np.array([s.area() for s in dend])
    del stim, soma, dend
    return out


def test_decaying_pool_on_a_section_of_three_compartments_follows_neuron(neuron, tmp_path):
    path = write(tapered_cell_document(), tmp_path / "tapered.cell.nml")
    neuroml.validate(path)
    cell = neuroml.read(path).cells["cell"].cell
    theirs = neuron_tapered(neuron)
    # NEURON's own areas of the three dendritic segments (frusta of the 3-D points): the pool's
    # shells are sized by them, so they must be the compartments' areas first (rounding only)
    pool = cell.mechanism_at_sites("caPool")
    np.testing.assert_allclose(pool.area_um2[1:], theirs["area"], rtol=1e-12)
    assert np.ptp(theirs["area"]) > 50  # µm²: the compartments differ, so a shared shell would be wrong
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-80.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=AMP, delay=2.0, duration=TSTOP))
    at = [ex.Location("soma", 0.5)] + [ex.Location("dend", x) for x in (1 / 6, 0.5, 5 / 6)]
    for k, loc in enumerate(at):
        sim.record("v", loc, label=f"v{k}")
        sim.record("caPool.concentration", loc, label=f"cai{k}")
    ours = sim.run(TSTOP)
    assert theirs["v0"].max() > 0 and theirs["cai3"].max() > 20 * 5e-5  # it fires and the pools fill
    # the thinnest compartment's shell holds the least volume per area: its [Ca]i rises the most
    assert theirs["cai3"].max() > theirs["cai1"].max()
    worst = {k: float(np.max(np.abs(np.asarray(ours[k]) - theirs[k])) / np.max(np.abs(theirs[k])))
             for k in (f"{s}{i}" for s in ("v", "cai") for i in range(4))}
    # The same exponential-Euler updates and the same tree solve in both: rounding only; 1e-6 of each
    # trace's largest magnitude is the bound. It can fail: a thin shell's volume is nearly
    # area x thickness, so the area enters through the sphere's curvature only, yet one shell for the
    # section (the middle compartment's area) moves cai1 and cai3 by 4e-3 and 5e-3 of range (seen)
    assert max(worst.values()) < 1e-6, worst


def test_tapered_cell_with_pools_round_trips(tmp_path):
    """Export (validated) and import again: the section keeps its nseg and points, so its pools get
    the same per-compartment areas and the traces are the same to 1e-9 (issue 18's round-trip bound)."""
    cell = neuroml.read(write(tapered_cell_document(), tmp_path / "in.nml")).cells["cell"].cell
    again = next(iter(neuroml.read(neuroml.save(cell, tmp_path / "out.nml")).cells.values())).cell
    traces, pools = [], []
    for c in (cell, again):
        pools.append(next(k for k, m in c.mechanisms.items() if getattr(m, "neuroml_pool", None)))  # renamed
        sim = ex.Simulation(c, dt=DT, temperature=CELSIUS, v_init=-80.0)
        sim.stimulate(ex.IClamp(c.soma, amplitude=AMP, delay=2.0, duration=TSTOP))
        sim.record(f"{pools[-1]}.concentration", ex.Location("dend", 5 / 6), label="cai")
        sim.record("v")
        traces.append(sim.run(10.0))
    np.testing.assert_allclose(again.mechanism_at_sites(pools[1]).area_um2,
                               cell.mechanism_at_sites(pools[0]).area_um2, rtol=1e-12)
    for k in ("v", "cai"):
        np.testing.assert_allclose(traces[1][k], traces[0][k], rtol=0, atol=1e-9 * np.ptp(traces[0][k]))
    assert np.ptp(traces[0]["cai"]) > 1e-5  # mM: the pool moves, so the comparison is not of flat lines
