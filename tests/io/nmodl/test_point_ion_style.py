"""NEURON's ion style promoted by a point process (issue 18), side by side with NEURON.

In NEURON a point process that READs an ion's concentrations (tests/io/nmodl/mod_events/
pp_careader.mod: ``USEION ca READ cai, cao``) promotes that ion's style in its section, as a density
mechanism does (tests/io/nmodl/test_ion_style.py): every mechanism of the section then reads eca =
Nernst(cai, cao) at the run's celsius. Here pp_careader sits at the soma beside nm_instant.mod
(reads eca, carries a Ca current); the dendrite has nm_instant alone and keeps 132.458 mV. Both are
clamped to 0 mV, so the clamp currents carry the Ca currents and measure eca.

Tolerance: every trace within 1e-6 of its range (issue 18) at every step; both sides are float64 and
evaluate the same expressions (1e-12..1e-9 expected, as in test_ion_style; measured 2e-9 for the
clamp currents). Without the rule the soma's eca would be 132.458 mV instead of Nernst's 138.4 mV
(30 °C): its Ca current (0.1 nA) moves by 4.5 %, the clamp current by 2.7e-4 of its range (which
the capacitive transient of the step, 20 nA, sets), 270 times the tolerance (checked below).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.io.nmodl import load_mod
from excitable.physics.ions import nernst
from tests.io.nmodl.neuron_side import DT
from tests.io.nmodl.test_ion_style import CLAMP, SECTIONS, cls, neuron_h, of_range
from tests.io.nmodl.test_point_convergence import neuron_points

pytestmark = pytest.mark.neuron
FILE = Path(__file__).parent / "mod_events" / "pp_careader.mod"
RTOL = 1e-6
CELSIUS = 30.0
TSTOP = 25.0
#: (section, signal) recorded on both sides besides V and the clamp currents.
RECORDS = (("soma", "nm_instant.h"), ("dend", "nm_instant.h"))


def ours(reader_cls) -> dict[str, np.ndarray]:
    """Our cell: soma (nm_instant + ``reader_cls`` at its middle) and dendrite (nm_instant), a 0.1
    mS/cm² leak everywhere, each clamped by CLAMP."""
    b = ex.Morphology.builder()
    for k, (name, length, diam) in enumerate(SECTIONS):
        b.add(name, length=length, diameter=diam, **({} if k == 0 else {"parent": "soma", "x": 1.0}))
    cell = ex.Cell(b.build(), nseg=1)
    cell.insert(cls("nm_instant")())
    cell.insert(cls("passive")(g=1e-4, e=-65.0))
    cell.place(reader_cls(), cell.soma)
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-80.0)
    for k, (name, _, _) in enumerate(SECTIONS):
        sim.stimulate(ex.VClamp(ex.Location(name, 0.5), levels=CLAMP, rs=0.01))
        sim.record("v", at=ex.Location(name, 0.5), label=f"{name}:v")
        sim.record(f"vclamp[{k}]", at=ex.Location(name, 0.5), label=f"{name}:i_clamp")
    for sec, signal in RECORDS:
        sim.record(signal, at=ex.Location(sec, 0.5), label=f"{sec}:{signal}")
    res = sim.run(TSTOP)
    return {k: np.asarray(x).ravel() for k, x in res.traces.items()}


def neurons() -> dict[str, np.ndarray]:
    """NEURON's run of the same cell, eca of both segments recorded too."""
    h = neuron_points(neuron_h())  # nm_instant's library, then the point processes' (one compilation)
    secs, stims, vecs = {}, [], {}
    for k, (name, length, diam) in enumerate(SECTIONS):
        sec = secs[name] = h.Section(name=f"ppstyle_{name}")
        sec.L, sec.diam, sec.nseg, sec.cm, sec.Ra = length, diam, 1, 1.0, 35.4
        if k:
            sec.connect(secs["soma"](1.0))
        sec.insert("nm_instant")
        sec.insert("pas")
        sec(0.5).pas.g, sec(0.5).pas.e = 1e-4, -65.0
        stim = h.SEClamp(sec(0.5))
        stim.rs = 0.01
        (stim.dur1, stim.amp1), (stim.dur2, stim.amp2), (stim.dur3, stim.amp3) = CLAMP
        stims.append(stim)
        vecs[f"{name}:i_clamp"] = h.Vector().record(stim._ref_i)
        vecs[f"{name}:v"] = h.Vector().record(sec(0.5)._ref_v)
        vecs[f"{name}:eca"] = h.Vector().record(sec(0.5)._ref_eca)
    reader = h.pp_careader(secs["soma"](0.5))
    for sec, signal in RECORDS:
        suffix, var = signal.split(".")
        vecs[f"{sec}:{signal}"] = h.Vector().record(getattr(getattr(secs[sec](0.5), suffix), f"_ref_{var}"))
    h.dt, h.secondorder, h.celsius = DT, 0, CELSIUS
    h.finitialize(-80.0)
    h.continuerun(TSTOP)
    out = {k: np.array(v) for k, v in vecs.items()}
    vecs.clear()
    del reader, stims, secs
    return out


@pytest.fixture(scope="module")
def neurons_run():
    return neurons()


def test_a_point_process_reading_cai_makes_eca_nernst_in_its_section(neurons_run):
    theirs = neurons_run
    # NEURON's own eca, against the closed form: Nernst(5e-5 mM, 2 mM, z = 2) at the soma (1e-9:
    # CODATA 2018 constants on both sides, rounding only); the dendrite's untouched
    assert theirs["soma:eca"][0] == pytest.approx(float(nernst(5e-5, 2.0, 2, CELSIUS)), rel=1e-9)
    assert theirs["dend:eca"][0] == 132.4579341637009
    mine = ours(load_mod(FILE))
    diffs = {k: of_range(mine[k], theirs[k]) for k in mine}
    assert set(diffs) == {k for k in theirs if not k.endswith(":eca")}
    bad = {k: d for k, d in diffs.items() if not d <= RTOL}
    assert not bad, f"largest differences (of each trace's range): {bad}"


def test_without_the_rule_the_soma_misses_neuron(neurons_run, tmp_path):
    """The same file with its ``ion_constants`` removed (a point process that promotes nothing, as
    before): the soma's eca stays 132.458 mV and its clamp current misses NEURON's by far more than
    RTOL; the dendrite's still agrees."""
    copy = tmp_path / FILE.name  # another class (load_mod keeps one per file), traced afresh
    copy.write_text(FILE.read_text())
    plain = load_mod(copy)
    plain.ion_constants = {}
    mine = ours(plain)
    assert of_range(mine["soma:i_clamp"], neurons_run["soma:i_clamp"]) > 100 * RTOL
    assert of_range(mine["dend:i_clamp"], neurons_run["dend:i_clamp"]) <= RTOL


def comparison_rows() -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of the run above, for the table in docs/nmodl.md
    (benchmarks/nmodl_table.py)."""
    from tests.io.nmodl.neuron_side import mod_file

    theirs, mine = neurons(), ours(load_mod(FILE))
    traces = ", ".join(f"{k} {of_range(mine[k], theirs[k]):.1e}" for k in mine)
    row = ("pp_careader (pp_careader.mod, a point process reading cai, cao) + nm_instant (nm_instant.mod) at a "
           "soma, nm_instant alone at a 2-µm dendrite, 30 °C, both clamped to 0 mV: a point process promotes the "
           "ion style")
    return [(row, [FILE, mod_file("nm_instant")], f"{traces} (of each trace's range)", "clamped")]
