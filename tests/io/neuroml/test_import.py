"""NeuroML 2 import (issue 18, item 5): an HH cell written with libNeuroML's API gives our built-in
HH's traces; a cell with sections, segment groups and densities per group gives the traces of the same
cell built with excitable's API; malformed or unsupported files give one line naming what is wrong."""

from __future__ import annotations

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError

from .nml_models import (N, biophysics, hh_cell_document, hh_channels, point, run,
                         write)

from excitable.io import neuroml  # noqa: E402


@pytest.mark.parametrize("temperature", [6.3, 18.5])
def test_neuroml_hh_cell_gives_builtin_hh_traces(tmp_path, temperature):
    path = write(hh_cell_document(), tmp_path / "hh.cell.nml")
    neuroml.validate(path)
    model = neuroml.read(path)
    imported = model.cells["hhcell"]
    assert imported.v_init_mV == -65.0 and imported.spike_threshold_mV == 0.0
    ours = ex.Cell.cylinder(length=20, diameter=20).insert(ex.HH())
    a = run(ours, ["v", "HH.m", "HH.h", "HH.n"], temperature=temperature)
    b = run(imported.cell, ["v", "naChan.m", "naChan.h", "kChan.n"], temperature=temperature)
    assert a["v"].max() > 20  # it fires: the comparison covers a whole action potential
    # The same rate functions: the linear form is rate/scale * vtrap(-(V - midpoint), scale), HH's
    # alpha_m exactly, and the exponentials differ from HH's shared products of exponentials by
    # ~1e-16 relative, so the traces agree to rounding carried through 600 steps: 1e-9 mV (and 1e-11
    # in the gates) has three orders of margin over the 4e-14 seen.
    np.testing.assert_allclose(b["v"], a["v"], rtol=0, atol=1e-9)
    for ours_, theirs in (("HH.m", "naChan.m"), ("HH.h", "naChan.h"), ("HH.n", "kChan.n")):
        np.testing.assert_allclose(b[theirs], a[ours_], rtol=0, atol=1e-11)


def branched_document():
    """A soma, a 3-segment tapered dendrite (one section, nseg 3) hanging from the soma's middle and
    an axon of 2 segments (two sections: no section groups for them), with per-group densities."""
    doc = N.NeuroMLDocument(id="branched")
    hh_channels(doc)
    m = N.Morphology(id="morph")
    seg = lambda i, name, prox, dist, parent=None, frac=None: m.segments.append(N.Segment(  # noqa: E731
        id=i, name=name, proximal=prox, distal=dist,
        parent=None if parent is None else N.SegmentParent(segments=parent, fraction_along=1.0 if frac is None else frac)))
    seg(0, "soma", point(0, 0, 0, 15), point(15, 0, 0, 15))
    seg(1, "dend0", point(7.5, 0, 0, 3), point(7.5, 100, 0, 2.5), 0, 0.5)
    seg(2, "dend1", None, point(7.5, 200, 0, 2), 1)
    seg(3, "dend2", None, point(7.5, 300, 0, 1.5), 2)
    seg(4, "axon0", point(15, 0, 0, 1), point(215, 0, 0, 1), 0, 1.0)
    seg(5, "axon1", point(215, 0, 0, 1), point(415, 0, 0, 1), 4)
    groups = {"soma_group": [0], "dendrite_group": [1, 2, 3], "axon_group": [4, 5]}
    for gid, members in groups.items():
        m.segment_groups.append(N.SegmentGroup(id=gid, members=[N.Member(segments=s) for s in members]))
    m.segment_groups.append(N.SegmentGroup(
        id="dend", neuro_lex_id="sao864921383", members=[N.Member(segments=s) for s in (1, 2, 3)],
        properties=[N.Property(tag="numberInternalDivisions", value="3")]))
    m.segment_groups.append(N.SegmentGroup(id="active", includes=[N.Include(segment_groups="soma_group"),
                                                                 N.Include(segment_groups="axon_group")]))
    densities = [("naChan", "120 mS_per_cm2", "50mV", "na", "soma_group"),
                 ("naChan", "200 mS_per_cm2", "50mV", "na", "axon_group"),
                 ("kChan", "36 mS_per_cm2", "-77mV", "k", "active"),
                 ("passiveChan", "0.3 mS_per_cm2", "-54.3mV", "non_specific", "active"),
                 ("passiveChan", "0.1 mS_per_cm2", "-65mV", "non_specific", "dendrite_group")]
    doc.cells.append(N.Cell(id="branched", morphology=m, biophysical_properties=biophysics(densities)))
    return doc


def test_multicompartment_cell_with_groups_runs_as_built_here(tmp_path):
    path = write(branched_document(), tmp_path / "branched.cell.nml")
    imported = neuroml.read(path).cells["branched"]
    cell = imported.cell
    assert [s.name for s in cell.morphology.sections] == ["soma", "dend", "axon0", "axon1"]
    assert [s.region for s in cell.morphology.sections] == ["soma", "dend", "axon", "axon"]
    assert list(cell.compartments.nseg) == [1, 3, 1, 1]
    assert imported.groups["active"] == ["soma", "axon0", "axon1"]
    # the same cell through excitable's API: HH on soma and axon (gNa 120 / 200), a leak on the dendrite
    b = ex.Morphology.builder()
    b.add("soma", points=[[0, 0, 0, 15], [15, 0, 0, 15]])
    b.add("dend", points=[[7.5, 0, 0, 3], [7.5, 100, 0, 2.5], [7.5, 200, 0, 2], [7.5, 300, 0, 1.5]],
          parent="soma", x=0.5, region="dend")
    b.add("axon0", points=[[15, 0, 0, 1], [215, 0, 0, 1]], parent="soma", x=1.0, region="axon")
    b.add("axon1", points=[[215, 0, 0, 1], [415, 0, 0, 1]], parent="axon0", x=1.0, region="axon")
    ours = ex.Cell(b.build(), nseg=[1, 3, 1, 1], ra=35.4)
    ours.insert(ex.HH(), where=["soma", "axon"]).set("HH.gNa", 200.0, where="axon")
    ours.insert(ex.channels.Leak(g=0.1, e=-65.0), where="dend")
    end = ex.Location(3, 1.0)
    a = run(ours, ["v", ("v", end)], amplitude=0.3, tstop=12.0)
    c = run(cell, ["v", ("v", end)], amplitude=0.3, tstop=12.0)
    assert a["v@" + str(end)].max() > 0  # the spike reached the axon's end
    # one model, two constructions: same geometry, densities and nseg, so the traces agree to rounding
    for label in a.traces:
        np.testing.assert_allclose(c[label], a[label], rtol=0, atol=1e-9)


def one_line_error(path, match, **kw):
    with pytest.raises(ModelError, match=match) as e:
        neuroml.read(path, **kw)
    assert "\n" not in str(e.value)
    return str(e.value)


def test_malformed_and_unsupported_files_are_one_line_errors(tmp_path):
    p = tmp_path / "x.nml"
    p.write_text("<neuroml><cell id='c'")
    one_line_error(p, r"x.nml:\d+: could not be parsed")
    p.write_text('<?xml version="1.0"?><!DOCTYPE neuroml [<!ENTITY e SYSTEM "secret.txt">]><neuroml>&e;</neuroml>')
    one_line_error(p, "DTD or entity")
    p.write_text("<notneuroml/>")
    one_line_error(p, "not a NeuroML 2 document")
    one_line_error(tmp_path / "absent.nml", "no file")

    doc = hh_cell_document()
    doc.ion_channel_hhs[0].gate_hh_rates[0].forward_rate.type = "myOwnRate"
    one_line_error(write(doc, p), r"ionChannel 'naChan' gate 'm' forward_rate: type 'myOwnRate' is not a standard")
    doc = hh_cell_document()
    doc.cells[0].biophysical_properties.membrane_properties.channel_densities[0].cond_density = "120 mS_per_foo"
    one_line_error(write(doc, p), r"channelDensity 'd0' condDensity: unit 'mS_per_foo'")
    doc = hh_cell_document()
    doc.cells[0].biophysical_properties.membrane_properties.channel_densities[0].ion_channel = "nope"
    one_line_error(write(doc, p), r"no ionChannel 'nope'; known: ")
    doc = hh_cell_document()
    doc.cells[0].biophysical_properties.membrane_properties.channel_density_v_shifts.append(
        N.ChannelDensityVShift(id="vs", ion_channel="kChan", cond_density="1 S_per_m2", erev="-77mV", ion="k",
                               v_shift="5mV"))
    one_line_error(write(doc, p), r"x.nml:\d+: cell 'hhcell': channelDensityVShift 'vs' is not supported")
    doc = hh_cell_document()
    doc.includes.append(N.IncludeType(href="http://example.org/na.nml"))
    one_line_error(write(doc, p), "not URLs")
    doc = branched_document()
    doc.cells[0].morphology.segment_groups.append(N.SegmentGroup(id="half", members=[N.Member(segments=2)]))
    doc.cells[0].biophysical_properties.membrane_properties.channel_densities[0].segment_groups = "half"
    one_line_error(write(doc, p), "segment group 'half' covers part of section 'dend'")


def test_includes_beside_the_file_are_followed(tmp_path):
    channels = N.NeuroMLDocument(id="channels")
    hh_channels(channels)
    write(channels, tmp_path / "hh.channels.nml")
    doc = hh_cell_document()
    doc.ion_channel_hhs, doc.ion_channel = [], []
    doc.includes.append(N.IncludeType(href="hh.channels.nml"))
    model = neuroml.read(write(doc, tmp_path / "cell.nml"))
    assert set(model.channels) == {"naChan", "kChan", "passiveChan"}
    assert set(model.cells["hhcell"].cell.mechanisms) == {"naChan", "kChan", "passiveChan"}


def test_work_is_bounded_before_the_cell_is_built(tmp_path, monkeypatch):
    path = write(branched_document(), tmp_path / "b.nml")
    monkeypatch.setenv("EXCITABLE_MAX_COMPARTMENTS", "4")
    one_line_error(path, "EXCITABLE_MAX_COMPARTMENTS")


def test_imported_channels_stay_out_of_the_compiled_program_store(tmp_path):
    import jax

    from excitable.engine.programs import _own_types

    chans = neuroml.load_channels(write(hh_cell_document(), tmp_path / "hh.nml"))
    # their numbers come from a file, which the store's key does not hash
    assert not _own_types(jax.tree.structure(chans["naChan"]()))
    assert _own_types(jax.tree.structure(ex.HH()))
