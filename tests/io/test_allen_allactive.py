"""Allen all-active fit files (excitable.io.allen_allactive): the truncated axon the Allen SDK puts in
place of the reconstruction's, its parameters, and Allen's nseg = 1 + 2*int(L/40), on excitable's cell
(``model_parameters.apply``), on ``mod compare --cell``'s NEURON side and in ``run model``.

The reference is NEURON with the cell built here, with ``h`` directly, by the Allen SDK's steps
(``allensdk.model.biophysical.utils.AllActiveUtils``: ``generate_morphology``, the default "truncated"
axon, and ``load_cell_parameters``; written out from what they do, nothing of theirs run): Import3d,
nseg = 1 + 2*int(L/40), the diameters of axon[0] and of the first axon section whose middle is over
60 µm from soma[0](0), the axon deleted and two 30 µm sections of those diameters hung from soma[0](1)
and axon[0](1), nseg again; then Ra and pas everywhere, the genome entry by entry, ena / ek where the
ion is. The channels are NEURON's built-in hh and pas, so nothing is compiled.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io import allen_allactive
from excitable.io import model_parameters as mp
from tests.conftest import neuron_h
from tests.io.test_allen_fits import _run_neuron, same_run

#: A cell of our own: a two-point soma, a 100 µm dendrite (Allen's rule gives it 5 segments,
#: excitable's dx_um = 40 rule 3), and an axon that branches 23 µm from the soma into a short branch and
#: a long tapering one whose middle is over 60 µm away: the SDK's second diameter is that one's.
SWC = """# id type x y z radius parent
1 1 0 0 0 6 -1
2 1 12 0 0 6 1
3 3 -10 0 0 1.0 1
4 3 -60 0 0 0.8 3
5 3 -110 0 0 0.6 4
6 2 20 0 0 0.8 2
7 2 35 0 0 0.6 6
8 2 45 5 0 0.45 7
9 2 60 -5 0 0.35 7
10 2 140 -5 0 0.25 9
"""

#: The all-active layout of the published files (318331342_fit.json, bmtk 1.0.8): "passive" gives only
#: ra; the genome sets g_pas, e_pas, cm and Ra per section type and the channels. The dendrite's pas
#: is left at NEURON's defaults (the SDK inserts pas everywhere) and it has no hh, so its ena / ek are
#: not set (the SDK sets them only where the ion is).
FIT = {
    "passive": [{"ra": 100.0}],
    "fitting": [{"junction_potential": -14.0, "sweeps": [40]}],
    "genome": [{"section": s, "name": n, "value": str(v), "mechanism": ""}
               for s, vals in (("soma", (1e-4, -68.0, 1.1, 80.0)), ("axon", (2e-4, -72.0, 1.4, 150.0)))
               for n, v in zip(("g_pas", "e_pas", "cm", "Ra"), vals)]
    + [{"section": "dend", "name": "cm", "value": "2.0", "mechanism": ""},
       {"section": "dend", "name": "Ra", "value": "120.0", "mechanism": ""},
       {"section": "soma", "name": "gnabar_hh", "value": "0.12", "mechanism": "hh"},
       {"section": "soma", "name": "gkbar_hh", "value": "0.036", "mechanism": "hh"},
       {"section": "axon", "name": "gnabar_hh", "value": "0.3", "mechanism": "hh"},
       {"section": "axon", "name": "gkbar_hh", "value": "0.05", "mechanism": "hh"}],
    "conditions": [{"celsius": 6.3, "v_init": -65.0,
                    "erev": [{"section": s, "ena": 53.0, "ek": -90.0} for s in ("soma", "axon", "dend")]}],
}
DT, TSTOP, STEP = 0.025, 40.0, (0.4, 5.0, 30.0)  # ms, ms, (nA, delay ms, duration ms): a few spikes


class _Owner:
    def __str__(self):
        return "sdk"


def _sdk_neuron(h, swc, fit):
    """NEURON's cell of ``fit`` on ``swc`` by the Allen SDK's all-active steps (module docstring):
    (owner, sections by name, the stub's two diameters)."""
    h.load_file("import3d.hoc")
    reader = h.Import3d_SWC_read()
    reader.quiet = 1
    reader.input(str(swc))
    owner = _Owner()
    h.Import3d_GUI(reader, 0).instantiate(owner)
    for sec in owner.all:
        sec.nseg = 1 + 2 * int(sec.L / 40.0)
    axon = list(owner.axon)
    diams = [axon[0].diam, axon[0].diam]
    h.distance(sec=owner.soma[0])
    for sec in axon:
        if h.distance(0.5, sec=sec) > 60:
            diams[1] = sec.diam
            break
    names = {sec.name() for sec in axon}
    secs = [s for s in owner.all if s.name() not in names]
    for sec in axon:
        h.delete_section(sec=sec)
    stub = [h.Section(name=f"sdk.axon[{k}]") for k in range(2)]
    for sec, d in zip(stub, diams):
        sec.L, sec.diam = 30.0, d
    secs += stub
    for sec in secs:
        sec.nseg = 1 + 2 * int(sec.L / 40.0)
    stub[0].connect(owner.soma[0](1.0), 0)
    stub[1].connect(stub[0](1.0), 0)
    lists = {"soma": list(owner.soma), "dend": list(owner.dend), "apic": [], "axon": stub}
    for sec in secs:  # load_cell_parameters: passive's ra and pas everywhere (its cm and e_pas unread)
        sec.Ra = fit["passive"][0]["ra"]
        sec.insert("pas")
    for p in fit["genome"]:
        for sec in lists[p["section"]]:
            if p["mechanism"] and not h.ismembrane(p["mechanism"], sec=sec):
                sec.insert(p["mechanism"])
            setattr(sec, p["name"], float(p["value"]))
    for e in fit["conditions"][0]["erev"]:
        for sec in lists[e["section"]]:
            if h.ismembrane("k_ion", sec=sec):
                sec.ek = e["ek"]
            if h.ismembrane("na_ion", sec=sec):
                sec.ena = e["ena"]
    return owner, {s.name().partition(".")[2]: s for s in secs}, diams


def _files(tmp_path, fit, swc=SWC):
    path = tmp_path / "fit.json"
    path.write_text(json.dumps(fit))
    if swc is None:
        return None, path
    (tmp_path / "cell.swc").write_text(swc)
    return tmp_path / "cell.swc", path


def _ours(swc, path):
    params = mp.read(path)
    return mp.apply(params, ex.Cell(ex.Morphology.from_swc(swc), dx_um=40.0)), params


def _per_section(cell, mech, field):
    """A value of each section (its first node with membrane), in the cell's section order."""
    c = cell.compartments
    first = [int(np.flatnonzero((c.section == i) & (c.area_um2 > 0))[0]) for i in range(len(c.section_names))]
    if mech is None:
        return [float(cell.cm[n]) for n in first]
    present = cell._present[mech]
    return [float(cell._values[mech][field][n]) if present[n] else None for n in first]


def _neuron_sections(cell, by_name):
    """NEURON's sections in excitable's order (excitable calls a lone soma[0] "soma", as Import3d's own
    topology printout does)."""
    return [by_name.get(n) or by_name[n + "[0]"] for n in cell.compartments.section_names]


@pytest.mark.neuron
def test_the_truncated_axon_and_each_sections_values_equal_the_sdks_and_so_do_v_and_spikes(tmp_path):
    h = neuron_h()
    swc, path = _files(tmp_path, FIT)
    cell, params = _ours(swc, path)
    owner, by_name, diams = _sdk_neuron(h, swc, FIT)
    assert params.allen == "all-active"
    secs = _neuron_sections(cell, by_name)
    assert len(secs) == len(by_name)
    c, morph = cell.compartments, cell.morphology
    # The SDK's second diameter is the long branch's middle segment, not axon[0]'s (the case at stake).
    assert abs(diams[1] - diams[0]) > 0.1
    # Geometry: L within 1e-4 µm (Import3d keeps 3-D points in float32: 6e-8 of 100 µm); nseg exact;
    # the stub's diameters from the same float32 points, to 1e-12 µm (only the order of the sums differs).
    assert np.allclose(c.length_um, [s.L for s in secs], rtol=0, atol=1e-4)
    assert list(c.nseg) == [s.nseg for s in secs]
    assert [m.name for m in morph.sections[-2:]] == ["axon[0]", "axon[1]"] and "axon[2]" not in c.section_names
    assert np.allclose([m.points[0, 3] for m in morph.sections[-2:]], diams, rtol=0, atol=1e-12)
    assert [m.length_um for m in morph.sections[-2:]] == [30.0, 30.0]
    index = {s.name(): i for i, s in enumerate(secs)}
    theirs = [(None, 1.0) if s.parentseg() is None else (index[s.parentseg().sec.name()], s.parentseg().x)
              for s in secs]
    assert [(m.parent, m.parent_x) for m in morph.sections] == theirs  # axon[0] at soma(1), axon[1] at axon[0](1)
    # Parameters per section, exactly the file's numbers on both sides (hh and pas: NEURON's S/cm² are
    # excitable's mS/cm² x 1000, exact for these values); the dendrite's pas at NEURON's defaults.
    assert [float(r) for r in cell._ra_per_section] == [s.Ra for s in secs]
    assert _per_section(cell, None, None) == [s.cm for s in secs]
    for mech, field, name, factor in (("HH", "gNa", "gnabar_hh", 1e3), ("HH", "gK", "gkbar_hh", 1e3),
                                      ("Leak", "g", "g_pas", 1e3), ("Leak", "e", "e_pas", 1.0)):
        theirs = [getattr(s(0.5), name) * factor if h.ismembrane(name.split("_")[1], sec=s) else None
                  for s in secs]
        ours = _per_section(cell, mech, field)
        assert [x is None for x in ours] == [x is None for x in theirs], name  # inserted in the same sections
        assert [x for x in ours if x is not None] == pytest.approx([x for x in theirs if x is not None],
                                                                   rel=1e-12), name
    # The run: soma V within 1e-9 of its scale (both integrate the same equations with backward Euler at
    # the same dt on the same compartments: rounding only), spike times within 0.05 ms.
    same_run(h, cell, params, owner.soma[0], FIT, step=STEP, v_tol=1e-9, spike_tol=0.05)


@pytest.mark.neuron
def test_mod_compare_builds_the_sdks_cell_and_says_so(tmp_path):
    """``mod compare --cell`` (workflows.neuron_cell): its NEURON cell is the SDK's (soma V equal to the
    one built here to 1e-9 of its scale: two NEURON runs of one cell differ only if the cells do)."""
    from excitable.workflows import neuron_cell

    h = neuron_h()
    swc, path = _files(tmp_path, FIT)
    cmp = neuron_cell.compare_cell([], {}, swc, path, amplitude_nA=STEP[0], dt=DT, celsius=None, tstop=TSTOP,
                                   delay=STEP[1], duration=STEP[2])
    assert cmp.agrees and len(cmp.spikes_neuron) >= 2
    owner, _, diams = _sdk_neuron(h, swc, FIT)
    _, v_n = _run_neuron(h, owner.soma[0], FIT, STEP)
    n = min(len(v_n), len(cmp.v_neuron))
    assert np.max(np.abs(cmp.v_neuron[:n] - v_n[:n])) / np.max(np.abs(v_n)) < 1e-9
    assert any("the Allen SDK's truncated axon" in s and f"{diams[1]:.4g} um" in s and "1 + 2*int(L/40)" in s
               for s in cmp.notes)


@pytest.mark.neuron
def test_on_the_shipped_allen_reconstruction_every_nseg_is_the_sdks_formula(tmp_path):
    """The shipped allen-scnn1a cell (an Allen reconstruction: a 78 µm axon[0] and a short axon[1]
    whose middle is 84 µm from the soma's 0-end): the stub's diameters and every section's nseg as the
    SDK's steps give them, nseg = 1 + 2*int(L/40) with NEURON's L, which excitable's dx_um = 40 rule
    does not give every section."""
    h = neuron_h()
    _, path = _files(tmp_path, FIT, swc=None)
    cell, _ = _ours("allen-scnn1a", path)
    from excitable.io import morphologies

    _, by_name, diams = _sdk_neuron(h, morphologies.path("allen-scnn1a"), FIT)
    secs = _neuron_sections(cell, by_name)
    c = cell.compartments
    assert list(c.nseg) == [1 + 2 * int(s.L / 40.0) for s in secs]
    dx_rule = ex.Cell(cell.morphology, dx_um=40.0).compartments.nseg
    assert list(dx_rule) != list(c.nseg)  # the rule matters on this cell
    assert np.allclose([m.points[0, 3] for m in cell.morphology.sections[-2:]], diams, rtol=0, atol=1e-12)
    assert diams[0] != diams[1]


def test_run_model_says_which_rule_and_a_given_dx_um_wins(tmp_path, capsys):
    """``run model``: an all-active file's cell is the SDK's (its compartments) with Allen's rule, said
    in the summary; ``--set dx_um=...`` keeps the user's rule on the same
    truncated axon."""
    from excitable.interfaces.cli.main import main

    swc, path = _files(tmp_path, FIT)
    args = ["run", "model", "--json", "--set", f"swc={swc}", "--set", f"parameters={path}", "--set", "tstop=1"]
    assert main(args) == 0
    s = json.loads(capsys.readouterr().out)
    cell, _ = _ours(swc, path)
    assert s["n_compartments"] == int((cell.compartments.area_um2 > 0).sum())
    assert "truncated axon" in s["discretization"] and allen_allactive.RULE in s["discretization"]
    assert main(args + ["--set", "dx_um=39"]) == 0  # given: the user's rule
    s = json.loads(capsys.readouterr().out)
    ours = mp.apply(mp.read(path), ex.Cell(ex.Morphology.from_swc(swc), dx_um=39.0), allen_nseg=False)
    assert s["n_compartments"] == int((ours.compartments.area_um2 > 0).sum()) < int(
        (cell.compartments.area_um2 > 0).sum())  # the dendrite: 3 segments, not 5
    assert "truncated axon" in s["discretization"] and "Allen's nseg" not in s["discretization"]


def test_an_ambiguous_file_and_a_cell_without_an_axon_are_refused_in_one_line(tmp_path):
    bad = dict(FIT, passive=[{"ra": 100.0, "e_pas": -70.0}])
    with pytest.raises(ModelError, match=r"^fit.json: passive\[0\].e_pas: an all-active fit .* is ambiguous"):
        mp.parse(bad, "fit.json")
    no_axon = "\n".join(ln for ln in SWC.splitlines() if not ln.split()[1:2] == ["2"])
    swc, path = _files(tmp_path, FIT, swc=no_axon)
    with pytest.raises(ModelError) as err:
        _ours(swc, path)
    assert "needs the reconstruction's axon (section axon[0])" in str(err.value) and "\n" not in str(err.value)


def test_the_kinds_of_allen_files():
    peri = {"passive": [{"ra": 100.0, "cm": [{"section": "soma", "cm": 1.0}], "e_pas": -70.0}],
            "genome": [{"section": "soma", "name": "g_pas", "value": 1e-4, "mechanism": ""}]}
    assert mp.parse(peri, "f").allen == ""  # no axon_morph, no per-section cm or Ra: run as written
    assert mp.parse(FIT, "f").allen == "all-active"
    assert [allen_allactive.nseg(L) for L in (0.5, 39.99, 40.0, 79.9, 80.0, 125.0)] == [1, 1, 3, 3, 5, 7]
