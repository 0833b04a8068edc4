"""ASSIGNED variables that no statement sets (ModelDB 82784 cadyn.mod's CAF): parameters of default 0,
set as hoc sets them in NEURON (io/nmodl/hoc_knobs.py). nm_hocknob.mod beside NEURON, unset and set."""

from __future__ import annotations

import numpy as np
import pytest

import excitable as ex
from excitable.io.nmodl.check import check_file
from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import DIAM_UM, DT, L_UM, OWN, class_loader, mod_file
from tests.reference.nrnmech import neuron_loaded

cls = class_loader()
FILE = mod_file("nm_hocknob")
#: 1e-6 of each trace's range, as the other side-by-side tests (test_neuron_side_by_side.py); a knob
#: read as 0 where it was set changes ik by a factor 2.5 and n's time constant 5-fold.
RTOL = 1e-6
CLAMP = ((3.0, -80.0), (10.0, -20.0), (3.0, -80.0))
#: unset (NEURON's 0), and set: scale per segment (Cell.set / RANGE), slow given to the instance
#: (a GLOBAL: slow_nm_hocknob in NEURON, as a model's hoc sets it).
CASES = ({}, {"scale": 1.5, "slow": 4.0})


def ours(values):
    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM)
    cell.insert(cls("nm_hocknob")(**{k: v for k, v in values.items() if k != "scale"}))
    if "scale" in values:
        cell.set("nm_hocknob.scale", values["scale"])
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-80.0)
    sim.stimulate(ex.VClamp(cell.soma, levels=CLAMP, rs=0.01))
    for name in ("v", "nm_hocknob.n"):
        sim.record(name)
    res = sim.run(sum(d for d, _ in CLAMP))
    v, n = np.asarray(res["v"]), np.asarray(res["nm_hocknob.n"])
    mech = cls("nm_hocknob")(**values)
    return {"v": v, "n": n, "ik": np.asarray(mech.currents(v, {"n": n})["ik"]) / 1000.0}  # uA/cm2 -> mA/cm2


def neurons(values):
    h = neuron_loaded([FILE], "nrnmech-nmodl-hocknob", "nm_hocknob.mod")
    sec = h.Section(name="hocknob")
    sec.L, sec.diam, sec.nseg, sec.cm = L_UM, DIAM_UM, 1, 1.0
    sec.insert("nm_hocknob")
    if "scale" in values:
        sec(0.5).nm_hocknob.scale = values["scale"]
    h.slow_nm_hocknob = values.get("slow", 0.0)  # a GLOBAL outlives the section: set every time
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    stim = h.SEClamp(sec(0.5))
    stim.rs = 0.01
    (stim.dur1, stim.amp1), (stim.dur2, stim.amp2), (stim.dur3, stim.amp3) = CLAMP
    vecs = {"v": h.Vector().record(sec(0.5)._ref_v), "ik": h.Vector().record(sec(0.5)._ref_ik),
            "n": h.Vector().record(sec(0.5).nm_hocknob._ref_n)}
    h.finitialize(-80.0)
    h.continuerun(sum(d for d, _ in CLAMP))
    out = {k: np.array(v) for k, v in vecs.items()}
    h.slow_nm_hocknob = 0.0
    del stim, sec
    return out


@pytest.mark.neuron
@pytest.mark.parametrize("values", CASES, ids=["unset", "set"])
def test_knobs_only_hoc_sets_match_neuron(values):
    """V, n at every step and ik (NEURON's sample k+1, computed by nrn_cur from the states of sample k,
    against our currents at sample k: test_neuron_side_by_side.py) within RTOL of each trace's range."""
    mine, theirs = ours(values), neurons(values)
    assert len(mine["v"]) == len(theirs["v"])
    for k in mine:
        a, b = (mine[k][:-1], theirs[k][1:]) if k == "ik" else (mine[k], theirs[k])
        assert np.max(np.abs(a - b)) <= RTOL * np.ptp(b), f"{values} {k}: {np.max(np.abs(a - b)) / np.ptp(b):.3g}"


def test_the_knobs_are_parameters_of_default_0_and_mod_check_names_them():
    C = cls("nm_hocknob")
    assert C.description.parameters["scale"] == (0.0, "1") and C.description.parameters["slow"] == (0.0, "ms")
    assert "scale" not in C.description.assigned and "ninf" in C.description.assigned  # INITIAL sets ninf
    assert C.description.set_by_hoc == ("scale", "slow")
    lines, problems = check_file(FILE)
    assert problems == 0
    assert ("  ASSIGNED that no block sets, read here as parameters of default 0 (NEURON's value until hoc sets "
            "it): scale, slow") in lines


def test_an_array_no_block_sets_is_named_and_a_file_level_local_is_no_knob(tmp_path):
    """An ASSIGNED array (267176 RampIClamp's dur[3]) stays 0, which mod check says; a file-level
    LOCAL (a C static), a POINTER and an ASSIGNED declared neither RANGE nor GLOBAL (hidden from
    NEURON's hoc: checked with NEURON 9.0.2) are not made parameters."""
    text = FILE.read_text().replace("    slow (ms)\n", "    slow (ms)\n    amp[3] (nA)\n    vgap (mV)\n    hidden\n")
    text = text.replace("    GLOBAL slow\n", "    GLOBAL slow\n    POINTER vgap\n")
    text = text.replace("STATE { n }", "LOCAL kept\n\nSTATE { n }")
    text = text.replace("(1 + scale) * n", "(1 + scale + amp[1] + kept + hidden) * n")
    path = tmp_path / "nm_hocknob_array.mod"
    path.write_text(text)
    lines, _ = check_file(path)
    assert ("  ASSIGNED array amp[3]: no block sets it; it stays 0 here (NEURON: 0 until hoc sets "
            "amp_nm_hocknob[i]), and it cannot be set") in lines
    desc = ex.load_mod(path).description
    assert desc.set_by_hoc == ("scale", "slow") and not {"kept", "vgap", "hidden"} & set(desc.parameters)


def test_a_state_start_value_the_neuron_block_names_is_a_parameter(tmp_path):
    """NEURON's implicit x0 of a STATE x (``GLOBAL b0`` for ``STATE { b[2] }``, as cadifus.mod names
    Buffer0) is settable as a parameter of default 0 and starts every element of b there (nrn_init),
    beside NEURON by ``mod compare`` at b0 = 0.5 (every trace within 1e-6, b[0] moving into b[1] over
    the clamps' 25 ms); its default is NEURON's 0."""
    import shutil

    from excitable.workflows.neuron_compare import compare_mods

    cls = load_mod(OWN / "nm_state0.mod")
    assert cls().b0 == 0.0 and float(cls(b0=0.5).steady_state(-65.0, 6.3)["b[1]"]) == 0.5
    shutil.copy(OWN / "nm_state0.mod", tmp_path / "nm_state0.mod")
    result = compare_mods([tmp_path], settings=["nm_state0.b0=0.5"])
    assert result.agrees and any(r.trace == "nm_state0.b[1]" for r in result.rows), result.report()
