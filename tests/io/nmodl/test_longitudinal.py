"""LONGITUDINAL_DIFFUSION (NMODL): a state that diffuses along the cell, side by side with NEURON
running the same files on cells of several compartments (a single compartment has no neighbour:
there the statement changes nothing, in NEURON too).

- the wheel's cabpump.mod (ten radial Ca shells with a pump, read from the installed package) with
  the statement the NEURON Book's cadifus.mod has, ``LONGITUDINAL_DIFFUSION i, DFree*diam*diam*vol[i]
  {ca}``, added after its COMPARTMENT line (SUFFIX renamed, so it loads beside the original): an
  array species, a GLOBAL ASSIGNED ``vol[i]`` from INITIAL in the rate, ``cai = ca[0]`` set in the
  block (NEURON's ion keeps the value of before the diffusion until the next step);
- tests/reference/mod/nm_cadiff1.mod: the ion's ``cai`` itself diffusing (NEURON moves the ion's
  value), a scalar species; nm_cadiff2.mod, the same with ``COMPARTMENT i, ... {cai}`` (an index on a
  scalar: nocmodl applies the volume, which NEURON's NMODL framework dropped: 3.8 of cai's range off);
- cachan1.mod (the wheel's) on the soma only lets Ca in there; the dendrites get it by diffusion.

Cells: a soma (nseg 3) and a thin dendrite (nseg 5) at soma(1); a branched cell where a section
without the mechanism (dendB, at soma(0.5)) carries a child with it (dendC at dendB(0.5)), which
NEURON's ldifus.cpp links to the soma through dendB (the parent's parent), and a section at x = 0 of
a non-root section (dendD at dendA(0): its node is the soma's 1-end, linked to the soma's last
segment). Compared at every step: each compartment's diffusing states and V.

Tolerance: 1e-6 of each trace's largest magnitude (issue 18): float64 on both sides and the same
equations; excitable solves NEURON's matrix with its rows scaled to make it symmetric
(engine/diffusion.py), so the two differ by round-off (1e-12 expected), while a missing or wrong
link, a dx or volume of the wrong compartment, or diffusing before the SOLVE moves the dendrites'
traces by far more (asserted: without diffusion they are 0.1 to 1 of their range off).
"""

from __future__ import annotations

import re

import jax
import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from tests.io.nmodl.neuron_side import DT, mod_file, neuron_with_mods
from tests.io.nmodl.test_neuron_side_by_side import worst
from tests.reference.nrnmech import neuron_loaded

pytestmark = pytest.mark.neuron
RTOL = 1e-6
CELSIUS = 16.0
CLAMP = ((5.0, -65.0), (15.0, 0.0), (10.0, -65.0))
TSTOP = 30.0
#: (name, length um, diameter um, nseg, parent, x on the parent, holds the pool)
TWO = (("soma", 20.0, 20.0, 3, None, 0.0, True), ("dend", 100.0, 2.0, 5, "soma", 1.0, True))
BRANCHED = (("soma", 20.0, 20.0, 1, None, 0.0, True), ("dendA", 60.0, 3.0, 3, "soma", 1.0, True),
            ("dendB", 30.0, 2.0, 1, "soma", 0.5, False), ("dendC", 40.0, 1.5, 2, "dendB", 0.5, True),
            ("dendD", 30.0, 1.0, 2, "dendA", 0.0, True))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """{stem: .mod path}: cabpump.mod with the statement (SUFFIX cadifpmp_ld) and nm_cadiff1.mod."""
    lines = mod_file("cabpump").read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("COMPARTMENT i,")) + 1
    lines.insert(at, "\tLONGITUDINAL_DIFFUSION i, DFree*diam*diam*vol[i] {ca}")
    text = re.sub(r"SUFFIX\s+cadifpmp\b", "SUFFIX cadifpmp_ld", "\n".join(lines) + "\n")
    path = tmp_path_factory.mktemp("ld") / "cadifpmp_ld.mod"
    path.write_text(text)
    return {"cadifpmp_ld": path, "nm_cadiff1": mod_file("nm_cadiff1"), "nm_cadiff2": mod_file("nm_cadiff2")}


def centres(nseg: int) -> list[float]:
    return [(k + 0.5) / nseg for k in range(nseg)]


def traced(suffix: str) -> list[str]:
    return ["ca[0]", "ca[4]", "ca[9]"] if suffix == "cadifpmp_ld" else ["cai"]


def ours(path, suffix, sections, diffusion=None):
    b = ex.Morphology.builder()
    for name, length, diam, _, parent, x, _ in sections:
        b.add(name, length=length, diameter=diam, **({} if parent is None else {"parent": parent, "x": x}))
    cell = ex.Cell(b.build(), nseg=[s[3] for s in sections])
    pool = load_mod(path)(**({} if diffusion is None else {("DFree" if suffix == "cadifpmp_ld" else "D"): diffusion}))
    cell.insert(pool, where=[s[0] for s in sections if s[6]])
    cell.insert(load_mod(mod_file("cachan1"))(), where="soma")
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-65.0)
    sim.stimulate(ex.VClamp(cell.soma, levels=CLAMP, rs=0.01))
    for name, _, _, nseg, *_rest, holds in sections:
        for x in centres(nseg):
            sim.record("v", at=ex.Location(name, x), label=f"{name}({x:g}).v")
            for var in traced(suffix) if holds else ():
                sim.record(f"{suffix}.{var}", at=ex.Location(name, x), label=f"{name}({x:g}).{var}")
    return sim.run(TSTOP)


def neurons(path, suffix, sections, diffusion=None):
    neuron_with_mods()
    h = neuron_loaded([path], f"nrnmech-ld-{suffix}", f"the LONGITUDINAL_DIFFUSION test file {path.name}")
    secs = {}
    for name, length, diam, nseg, parent, x, holds in sections:
        sec = h.Section(name=f"ld_{suffix}_{name}")
        sec.L, sec.diam, sec.nseg, sec.cm, sec.Ra = length, diam, nseg, 1.0, 35.4
        if parent is not None:
            sec.connect(secs[parent](x))
        if holds:
            sec.insert(suffix)
            if diffusion is not None:
                for seg in sec:
                    setattr(getattr(seg, suffix), "DFree" if suffix == "cadifpmp_ld" else "D", diffusion)
        secs[name] = sec
    secs["soma"].insert("cachan1")
    h.usetable_cachan1 = 0  # its rates exactly, as excitable computes them (NEURON's tables are a speed device)
    h.dt, h.secondorder, h.celsius = DT, 0, CELSIUS
    stim = h.SEClamp(secs["soma"](0.5))
    stim.rs = 0.01
    (stim.dur1, stim.amp1), (stim.dur2, stim.amp2), (stim.dur3, stim.amp3) = CLAMP
    vecs = {}
    for name, _, _, nseg, *_rest, holds in sections:
        for x in centres(nseg):
            seg = secs[name](x)
            vecs[f"{name}({x:g}).v"] = h.Vector().record(seg._ref_v)
            for var in traced(suffix) if holds else ():
                base, _, index = var.partition("[")
                ref = seg._ref_cai if var == "cai" else getattr(getattr(seg, suffix), f"_ref_{base}")[int(index[:-1])]
                vecs[f"{name}({x:g}).{var}"] = h.Vector().record(ref)
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    out = {k: np.array(v) for k, v in vecs.items()}
    del stim, secs
    return out


@pytest.mark.parametrize("suffix", ["cadifpmp_ld", "nm_cadiff1", "nm_cadiff2"])
@pytest.mark.parametrize("cell", ["two", "branched"])
def test_longitudinal_diffusion_matches_neuron(files, suffix, cell):
    sections = TWO if cell == "two" else BRANCHED
    mine, theirs = ours(files[suffix], suffix, sections), neurons(files[suffix], suffix, sections)
    diffs = {k: worst(mine[k], theirs[k]) for k in theirs}
    bad = {k: d for k, d in diffs.items() if not d <= RTOL}
    assert not bad, f"largest differences (of each trace's magnitude): {bad}"
    # Not a comparison of constants: without diffusion the dendrites' Ca is far from NEURON's (0.1 to
    # 1 of its range), and so is that of dendC and dendD, which only NEURON's links through a section
    # without the mechanism and at a section's 0-end reach (each traced element of theirs > 1e-2 off)
    still = ours(files[suffix], suffix, sections, diffusion=0.0)
    off = {k: worst(still[k], theirs[k]) for k in theirs if not k.startswith("soma") and not k.endswith(".v")}
    assert max(off.values()) > 0.1, off
    linked = {k: d for k, d in off.items() if k.startswith(("dendC", "dendD")) and k.endswith(traced(suffix)[0])}
    assert all(d > 1e-2 for d in linked.values()) and len(linked) == (4 if cell == "branched" else 0), linked


def test_gradient_through_the_diffusion_constant_matches_finite_differences(files):
    """d [Ca]i(25 ms) at the dendrite's middle / d D by jax.grad through the run (the tree solve of
    every step), against a central difference (h = 1e-5 of D: truncation ~1e-10, rounding ~1e-11 of
    the value relative; 1e-5 is wide for both and far below a missing path through the solve)."""
    b = ex.Morphology.builder()
    b.add("soma", length=20.0, diameter=20.0)
    b.add("dend", length=100.0, diameter=2.0, parent="soma", x=1.0)
    cell = ex.Cell(b.build(), nseg=[3, 5]).insert(load_mod(files["nm_cadiff1"])())
    cell.insert(load_mod(mod_file("cachan1"))(), where="soma")
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-65.0)
    sim.stimulate(ex.VClamp(cell.soma, levels=CLAMP, rs=0.01))
    sim.record("nm_cadiff1.cai", at=ex.Location("dend", 0.5))
    run, p0 = sim.function(25.0), sim.parameters()

    def ca_end(d):
        return run(ex.with_param(p0, "nm_cadiff1.D", d))[-1, 0]

    exact = float(jax.grad(ca_end)(0.6))
    central = (float(ca_end(0.6 + 6e-6)) - float(ca_end(0.6 - 6e-6))) / 1.2e-5
    assert abs(central) > 1e-6
    assert exact == pytest.approx(central, rel=1e-5)


BAD = """NEURON { SUFFIX badld USEION ca READ ica, cao WRITE cai }
UNITS { (mM) = (milli/liter) }
PARAMETER { D = 0.6 }
ASSIGNED { diam ica (mA/cm2) cao (mM) }
STATE { cai (mM) x }
BREAKPOINT { SOLVE k METHOD sparse }
KINETIC k {
%s
    ~ cai << (-ica)
    ~ x <-> cai (1, 1)
}
"""


@pytest.mark.parametrize("body, line, what", [
    # nocmodl drops the statement silently where the block has no COMPARTMENT: refused, not dropped
    ("    LONGITUDINAL_DIFFUSION D {cai}", 8, "LONGITUDINAL_DIFFUSION of cai without a COMPARTMENT"),
    ("    COMPARTMENT diam {x}\n    LONGITUDINAL_DIFFUSION D {cai}", 9, "LONGITUDINAL_DIFFUSION of cai without"),
    # the rate and volume are given fields, states and geometry; an ion's value is not filled there
    ("    COMPARTMENT diam {cai}\n    LONGITUDINAL_DIFFUSION D*cao {cai}", 9,
     "LONGITUDINAL_DIFFUSION whose rate or COMPARTMENT volume reads cao"),
], ids=["no-compartment", "another-species-compartment", "reads-an-ion"])
def test_what_is_not_run_is_refused_with_its_line(tmp_path, body, line, what):
    path = tmp_path / "badld.mod"
    path.write_text(BAD % body)
    with pytest.raises(ModelError, match=rf"badld\.mod:{line}: {what}") as err:
        load_mod(path)
    assert "\n" not in str(err.value)
    report, problems = check_file(path)
    assert problems and any(f"badld.mod:{line}: {what}" in r for r in report), report


def test_mod_check_accepts_the_statement(files):
    report, problems = check_file(files["cadifpmp_ld"])
    assert not problems, report
    assert "  longitudinal diffusion: ca along the cell, after every step's SOLVE (NEURON's stagger)" in report


def test_mod_compare_runs_a_cable_where_a_file_diffuses(tmp_path, monkeypatch):
    """``excitable mod compare`` checks the diffusion itself (on its single compartment nothing
    diffuses): a cable protocol, the together cell with a dendrite, one row per diffusing element
    over every compartment; within 1e-6 of NEURON. The protocol can fail: our side given D = 0 while
    NEURON's diffuses differs by far more than the tolerance."""
    import shutil

    from excitable.workflows import neuron_compare_cable as cable
    from excitable.workflows.neuron_compare import compare_mods

    for stem in ("nm_cadiff1", "cachan1"):
        shutil.copy(mod_file(stem), tmp_path / f"{stem}.mod")
    settings = ["nm_cadiff1.D=0.6"]
    result = compare_mods([tmp_path], celsius=CELSIUS, settings=settings)
    rows = {r.trace: r.difference for r in result.rows if r.case == cable.PROTOCOL}
    assert set(rows) == {"v at soma(0.5)", "v at dend(0.9)", "nm_cadiff1.cai (6 compartments)"}, rows
    assert result.agrees and max(rows.values()) <= RTOL, result.report()
    monkeypatch.setattr(cable, "python_names", lambda v: {k: (0.0 if k == "D" else x) for k, x in v.items()})
    off = compare_mods([tmp_path], celsius=CELSIUS, settings=settings)
    assert not off.agrees
    assert [r.difference for r in off.rows if r.trace == "nm_cadiff1.cai (6 compartments)"][0] > 1e-3
