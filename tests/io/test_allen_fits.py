"""Allen fit files as published (excitable.io.model_parameters, excitable.io.allen_axon): the order in
which the Allen SDK's loader applies the parts (passive on every section, then the genome per section,
then the reversal potentials: the last value set wins), and the stub axon of ``"axon_morph"``.

The reference is NEURON with the cell built here, with ``h`` directly, by the Allen SDK's steps
(``allensdk.model.biophysical.utils.Utils``: ``generate_morphology`` and ``load_cell_parameters``,
written out from their description, nothing of theirs run): Import3d, nseg = 1 + 2*int(L/40), the axon
deleted and two 30 µm stubs connected at soma[0](0.5) and axon[0](1), then passive, genome, erev. The
channels are NEURON's built-in hh and pas, so nothing is compiled.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

import excitable as ex
from excitable.analysis import spike_times
from excitable.errors import ModelError
from excitable.io import allen_axon
from excitable.io import model_parameters as mp
from tests.conftest import neuron_h

#: A small cell of our own: a soma (two points, 12 µm across), a dendrite, and an axon that branches;
#: every section is shorter than 80 µm, where Allen's nseg rule (1 + 2*int(L/40)) and excitable's
#: dx_um = 40 rule (smallest odd nseg with segments <= 40 µm) give the same nseg.
SWC = """# id type x y z radius parent
1 1 0 0 0 6 -1
2 1 12 0 0 6 1
3 3 -10 0 0 1.0 1
4 3 -40 8 0 0.8 3
5 3 -70 12 0 0.6 4
6 2 20 2 0 0.9 2
7 2 45 4 0 0.7 6
8 2 70 20 0 0.5 7
9 2 75 -15 0 0.4 7
"""

#: The stub as the Allen files give it (hoc lines in "axon_morph"; never run, matched line by line).
AXON_MORPH = [{"delete_axon": ["forsec axonal{delete_section()}", "create axon[2]",
                               "axon[0]{", "L = 30", "diam = 1", "nseg = 1+2*int(L/40)", "all.append()",
                               "axonal.append()", "}", "axon[1]{", "L = 30", "diam = 1",
                               "nseg = 1+2*int(L/40)", "all.append()", "axonal.append()", "}", "",
                               "nSecAxonal = 2", "connect axon(0), soma(0.5)", "connect axon[1](0), axon[0](1)",
                               "access soma"],
               "setup_line": "create soma[1], dend[1], apic[1], axon[1]"}]

#: "passive" sets ra and cm everywhere, the genome sets them again per section (soma Ra 70, dend Ra 150
#: and cm 2); the axon keeps the passive values. hh at 6.3 °C fires on a step. Without "axon_morph" such
#: a file is an ambiguous all-active one (tests/io/test_allen_allactive.py), so it is used with it here.
FIT = {
    "passive": [{"ra": 100.0, "e_pas": -70.0, "cm": [{"section": s, "cm": 1.0} for s in ("soma", "dend", "axon")]}],
    "genome": [
        {"section": "soma", "name": "Ra", "value": 70.0, "mechanism": ""},
        {"section": "dend", "name": "Ra", "value": 150.0, "mechanism": ""},
        {"section": "dend", "name": "cm", "value": 2.0, "mechanism": ""},
        {"section": "all", "name": "g_pas", "value": 5e-5, "mechanism": ""},
        {"section": "soma", "name": "gnabar_hh", "value": 0.12, "mechanism": "hh"},
        {"section": "soma", "name": "gkbar_hh", "value": 0.036, "mechanism": "hh"},
        {"section": "axon", "name": "gnabar_hh", "value": 0.25, "mechanism": "hh"},
        {"section": "axon", "name": "gkbar_hh", "value": 0.05, "mechanism": "hh"},
    ],
    "conditions": [{"celsius": 6.3, "v_init": -65.0, "erev": [{"section": "soma", "ena": 50.0, "ek": -77.0},
                                                           {"section": "axon", "ena": 55.0, "ek": -80.0}]}],
}
DT, TSTOP, STEP = 0.025, 40.0, (0.3, 5.0, 30.0)  # ms, ms, (nA, delay ms, duration ms): a few spikes


class _Owner:
    def __str__(self):
        return "allen"


def _allen_neuron(h, swc, fit):
    """NEURON's cell of ``fit`` on ``swc`` by the Allen SDK's steps (module docstring): (owner, sections
    by name: "soma", "dend[0]", "axon[1]", ...)."""
    h.load_file("import3d.hoc")
    reader = h.Import3d_SWC_read()
    reader.quiet = 1
    reader.input(str(swc))
    owner = _Owner()
    h.Import3d_GUI(reader, 0).instantiate(owner)
    secs = list(owner.all)
    for sec in secs:
        sec.nseg = 1 + 2 * int(sec.L / 40.0)
    axon = [s for s in secs if "axon" in s.name()]
    if "axon_morph" in fit:
        for sec in axon:
            h.delete_section(sec=sec)
        secs = [s for s in secs if s not in axon]
        axon = [h.Section(name=f"allen.axon[{k}]") for k in range(2)]
        for sec in axon:
            sec.L, sec.diam = 30.0, 1.0
            sec.nseg = 1 + 2 * int(sec.L / 40.0)
        axon[0].connect(owner.soma[0](0.5), 0)
        axon[1].connect(axon[0](1), 0)
        secs += axon
    lists = {"all": secs, "soma": list(owner.soma), "dend": list(owner.dend), "axon": axon}
    passive, cond = fit["passive"][0], fit["conditions"][0]
    for sec in secs:  # passive first, on every section
        sec.Ra = passive["ra"]
        sec.insert("pas")
        sec.e_pas = passive["e_pas"]
    for c in passive["cm"]:
        for sec in lists[c["section"]]:
            sec.cm = c["cm"]
    for p in fit["genome"]:  # then the genome, entry by entry
        for sec in lists[p["section"]]:
            if p["mechanism"]:
                sec.insert(p["mechanism"])
            setattr(sec, p["name"], p["value"])
    for e in cond["erev"]:  # then the reversal potentials
        for sec in lists[e["section"]]:
            sec.ek, sec.ena = e["ek"], e["ena"]
    return owner, {s.name().partition(".")[2]: s for s in secs}


def _run_neuron(h, soma, fit, step=STEP):
    """NEURON's soma V under ``step`` (nA, delay ms, duration ms) to TSTOP: (t, v)."""
    clamp = h.IClamp(soma(0.5))
    clamp.amp, clamp.delay, clamp.dur = step
    t, v = h.Vector().record(h._ref_t), h.Vector().record(soma(0.5)._ref_v)
    h.dt, h.secondorder, h.celsius = DT, 0, fit["conditions"][0]["celsius"]
    h.usetable_hh = 0  # hh's rate tables interpolate (1e-6 mV apart); excitable computes the rates, as mod compare's NEURON side does
    h.finitialize(fit["conditions"][0]["v_init"])
    h.continuerun(TSTOP)
    return np.array(t), np.array(v)


def same_run(h, cell, params, soma, fit, *, step=STEP, v_tol: float, spike_tol: float) -> None:
    """Our run of ``cell`` and NEURON's of the same cell (its ``soma``) under one current step: soma V
    within ``v_tol`` of its scale, at least two spikes, the same count, times within ``spike_tol`` ms."""
    sim = ex.Simulation(cell, dt=DT, temperature=params.celsius, v_init=params.v_init)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=step[0], delay=step[1], duration=step[2]))
    sim.record("v")
    res = sim.run(TSTOP)
    t_n, v_n = _run_neuron(h, soma, fit, step)
    v = np.asarray(res["v"])
    n = min(len(v), len(v_n))
    assert np.max(np.abs(v[:n] - v_n[:n])) / np.max(np.abs(v_n[:n])) < v_tol
    ours_sp, theirs_sp = spike_times(res.t, v), spike_times(t_n, v_n)
    assert len(theirs_sp) >= 2 and len(ours_sp) == len(theirs_sp)
    assert np.max(np.abs(ours_sp - theirs_sp)) < spike_tol


def _ours(swc, path):
    params = mp.read(path)
    return mp.apply(params, ex.Cell(ex.Morphology.from_swc(swc), dx_um=40.0)), params


def _files(tmp_path, fit):
    swc, path = tmp_path / "cell.swc", tmp_path / "fit.json"
    swc.write_text(SWC)
    path.write_text(json.dumps(fit))
    return swc, path


def _per_section(cell):
    """(name, Ra Ω·cm, cm µF/cm²) of each section of an excitable cell, in its order."""
    c = cell.compartments
    ra = cell._ra_per_section  # Ra per section, once a file sets one (the NeuroML writer reads it too)
    cm = [float(cell.cm[(c.section == i) & (c.area_um2 > 0)][0]) for i in range(len(c.section_names))]
    return [(n, float(ra[i]), cm[i]) for i, n in enumerate(c.section_names)]


def test_passive_first_then_the_genome_then_the_reversals():
    p = mp.parse(dict(FIT, axon_morph=AXON_MORPH), "fit.json")
    where = [e.where.split(" ")[0].split("[")[0] for e in p.entries]
    assert where == sorted(where, key=["passive", "genome", "conditions"].index)  # Allen's order
    ra = [(e.section, e.value) for e in p.entries if e.parameter == "ra"]
    assert ra == [("all", 100.0), ("soma", 70.0), ("dend", 150.0)]  # the genome's come last: they win


@pytest.mark.neuron
def test_each_section_gets_the_allen_loaders_values_and_neurons_spikes(tmp_path):
    h = neuron_h()
    fit = dict(FIT, axon_morph=AXON_MORPH)
    swc, path = _files(tmp_path, fit)
    cell, params = _ours(swc, path)
    owner, by_name = _allen_neuron(h, swc, fit)
    # NEURON's sections in excitable's order (excitable calls a lone soma[0] "soma", as Import3d's own
    # topology printout does)
    secs = [by_name.get(n) or by_name[n + "[0]"] for n in cell.compartments.section_names]
    assert len(secs) == len(by_name)
    got = _per_section(cell)
    # Exact: the same numbers are copied from the file on both sides.
    assert [(r, c) for _, r, c in got] == [(s.Ra, s.cm) for s in secs]
    expect = {"soma": (70.0, 1.0), "dend": (150.0, 2.0), "axon": (100.0, 1.0)}
    assert [(r, c) for _, r, c in got] == [expect[n.split("[")[0]] for n, _, _ in got]
    # Geometry after Allen's steps: sections, L, diam, nseg and where each hangs, as NEURON has them.
    # 1e-4 µm: Import3d keeps 3-D points in float32 (relative 6e-8 of lengths under 100 µm).
    c, morph = cell.compartments, cell.morphology
    assert list(c.nseg) == [s.nseg for s in secs]
    assert np.allclose(c.length_um, [s.L for s in secs], rtol=0, atol=1e-4)
    index = {s.name(): i for i, s in enumerate(secs)}
    ours = [(m.parent, m.parent_x) for m in morph.sections]
    theirs = [(None, 1.0) if s.parentseg() is None else (index[s.parentseg().sec.name()], s.parentseg().x)
              for s in secs]
    assert [(a, pytest.approx(x, abs=1e-12)) for a, x in theirs] == ours
    names = [m.name for m in morph.sections]
    assert names[-2:] == ["axon[0]", "axon[1]"] and "axon[2]" not in names
    assert [(m.length_um, m.points[0, 3]) for m in morph.sections[-2:]] == [(30.0, 1.0)] * 2
    assert (ours[-2], ours[-1]) == ((0, 0.5), (len(secs) - 2, 1.0))
    # The run: soma V within 1e-6 of its scale (both integrate the same equations with backward Euler at
    # the same dt; what is left is float32 geometry and rounding), spike times within 0.1 ms (the whole-
    # cell criterion).
    same_run(h, cell, params, owner.soma[0], fit, v_tol=1e-6, spike_tol=0.1)


@pytest.mark.neuron
def test_mod_compare_builds_the_stub_on_both_sides(tmp_path):
    """``mod compare --cell`` (workflows.neuron_cell): its NEURON cell is the Allen SDK's (the same soma V
    as the one built here, to 1e-9 of its scale: two NEURON runs of one cell differ only if the cells do)."""
    from excitable.workflows import neuron_cell

    h = neuron_h()
    fit = dict(FIT, axon_morph=AXON_MORPH)
    swc, path = _files(tmp_path, fit)
    cmp = neuron_cell.compare_cell([], {}, swc, path, amplitude_nA=STEP[0], dt=DT, celsius=None, tstop=TSTOP,
                                   delay=STEP[1], duration=STEP[2])
    assert cmp.agrees and len(cmp.spikes_neuron) >= 2
    owner, _ = _allen_neuron(h, swc, fit)
    _, v_n = _run_neuron(h, owner.soma[0], fit)
    n = min(len(v_n), len(cmp.v_neuron))
    assert np.max(np.abs(cmp.v_neuron[:n] - v_n[:n])) / np.max(np.abs(v_n)) < 1e-9


def _bad(lines=None, **part):
    morph = copy.deepcopy(AXON_MORPH)
    if lines:
        for i, text in lines.items():
            morph[0]["delete_axon"][i] = text
    morph[0].update(part)
    return morph


BAD = [
    (_bad({4: "diam = 1; system(\"ls\")"}), "axon_morph.delete_axon[4]: 'diam = 1; system"),
    (_bad({3: "L = 300"}), "axon_morph.delete_axon[3]: L = 300 um"),
    (_bad({18: "connect axon(0), soma(2)"}), "axon_morph.delete_axon[18]: soma(2) must be in [0, 1]"),
    (_bad(setup_line="create soma[1], axon[3]"), "axon_morph.setup_line:"),
    (_bad(extra=1), "axon_morph: unknown field 'extra'"),
    ("forsec axonal{delete_section()}", "axon_morph: expected"),
    (_bad({20: "access soma", 19: "access soma"}), "axon_morph.delete_axon[19]: 'access soma' is not"),
]


@pytest.mark.parametrize("morph,message", BAD)
def test_other_hoc_in_axon_morph_is_refused_in_one_line(morph, message):
    with pytest.raises(ModelError) as err:
        mp.parse(dict(FIT, axon_morph=morph), "fit.json")
    assert str(err.value).startswith("fit.json: ") and message in str(err.value) and "\n" not in str(err.value)


def test_every_accepted_part_is_named_when_one_is_not():
    with pytest.raises(ModelError, match="unknown part 'extra'; known: genome, passive, conditions, axon_morph, "
                                         "fitting, manifest$"):
        mp.parse(dict(FIT, extra=1), "fit.json")


def test_a_section_hanging_from_the_axon_is_refused(tmp_path):
    swc = tmp_path / "odd.swc"
    swc.write_text(SWC + "10 3 80 -20 0 0.3 9\n")  # a dendrite point whose parent is an axon point
    with pytest.raises(ModelError, match="hangs from the axon"):
        allen_axon.replace(ex.Morphology.from_swc(swc), allen_axon.Stub(), "fit.json")


def test_run_model_puts_the_stub_on_and_refuses_other_hoc_with_exit_2(tmp_path, capsys):
    """``excitable run model`` (NEURON's built-ins, no .mod folder): the cell it runs has the stub's
    compartments (the reconstruction's axon has more), and a file with other hoc is refused in one line."""
    from excitable.interfaces.cli.main import main

    swc, path = _files(tmp_path, dict(FIT, axon_morph=AXON_MORPH))
    args = ["run", "model", "--json", "--set", f"swc={swc}", "--set", f"parameters={path}", "--set", "tstop=2"]
    assert main(args) == 0
    counted = json.loads(capsys.readouterr().out)["n_compartments"]
    stub_cell, _ = _ours(swc, path)
    reconstruction = ex.Cell(ex.Morphology.from_swc(swc), dx_um=40.0)  # its own axon, no file
    assert counted == int((stub_cell.compartments.area_um2 > 0).sum()) != int(
        (reconstruction.compartments.area_um2 > 0).sum())
    path.write_text(json.dumps(dict(FIT, axon_morph=_bad({0: "forall delete_section()"}))))
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "axon_morph.delete_axon[0]: 'forall delete_section()' is not" in err
