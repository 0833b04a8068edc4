"""NeuroML 2 export (issue 18, item 5): our cells and built-in channels written as NeuroML that
libNeuroML's validator accepts, read back to the same traces; what NeuroML cannot say is refused."""

from __future__ import annotations

import builtins
import sys

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.physics.channels import pospischil

from .nml_models import run

from excitable.io import neuroml  # noqa: E402


def branched_cell():
    """Soma, an axon of nseg 5 at soma(1) with more Na+, a tapered dendrite of nseg 3 (3 points: two
    NeuroML segments) at soma(0) with two branches, a leak only, its own cm and ra."""
    b = ex.Morphology.builder()
    b.add("soma", length=15, diameter=15)
    b.add("axon", length=400, diameter=1, parent="soma", x=1.0)
    b.add("dend[0]", points=[[-7.5, 0, 0, 3], [-107.5, 0, 0, 2.5], [-307.5, 0, 0, 1.5]], parent="soma", x=0.0)
    b.add("dend[1]", length=100, diameter=1, parent="dend[0]", x=1.0)   # on the last of its 2 segments
    b.add("dend[2]", length=80, diameter=1, parent="dend[0]", x=0.5)    # inside its second segment
    cell = ex.Cell(b.build(), nseg=[1, 5, 3, 1, 1], ra=35.4)
    cell.insert(ex.HH(), where=["soma", "axon"]).set("HH.gNa", 200.0, where="axon")
    cell.insert(ex.channels.Leak(g=0.1, e=-65.0), where="basal")
    cell.set("cm", 2.0, where="basal").set("ra", 100.0, where="basal")
    return cell


def test_round_trip_of_a_branched_cell(tmp_path):
    cell = branched_cell()
    path = neuroml.save(cell, tmp_path / "branched.nml", cell_id="branched")  # validated before it is kept
    neuroml.validate(path)
    back = neuroml.read(path).cells["branched"].cell
    assert [(s.name, s.region, s.parent) for s in back.morphology.sections] == \
        [(s.name, s.region, s.parent) for s in cell.morphology.sections]
    # x = 0.5 goes through a fraction along the second segment and back: rounding, 1e-15
    np.testing.assert_allclose([s.parent_x for s in back.morphology.sections[1:]],
                               [s.parent_x for s in cell.morphology.sections[1:]], rtol=0, atol=1e-15)
    assert [s.parent_x for s in back.morphology.sections[1:4]] == [1.0, 0.0, 1.0]  # ends stay exact
    assert list(back.compartments.nseg) == [1, 5, 3, 1, 1]
    np.testing.assert_array_equal(back.cm, cell.cm)
    np.testing.assert_array_equal(back.compartments.g_axial_nS, cell.compartments.g_axial_nS)
    end = ex.Location(1, 1.0)
    a = run(cell, ["v", ("v", end), "HH.m"], amplitude=0.3, tstop=12.0)
    b = run(back, ["v", ("v", end), "HH_na.m"], amplitude=0.3, tstop=12.0)
    assert a["v@" + str(end)].max() > 0  # a spike ran down the axon
    # The rates are the same functions (see test_import), the geometry bit for bit the same
    # (asserted above): the traces agree to rounding, 1e-9 mV with orders of margin.
    np.testing.assert_allclose(b["v"], a["v"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(b["v@" + str(end)], a["v@" + str(end)], rtol=0, atol=1e-9)
    np.testing.assert_allclose(b["HH_na.m"], a["HH.m"], rtol=0, atol=1e-11)
    # an imported cell is written back with its own channels, and is valid again
    neuroml.save(back, tmp_path / "again.nml")


def test_round_trip_of_the_pospischil_channels(tmp_path):
    """Leak, NaTraub, KdTraub, KMYamada and CaLReuveni (the bursting cell) in the standard forms."""
    preset = pospischil.intrinsically_bursting()
    cell = ex.Cell.cylinder(length=preset.length, diameter=preset.diameter, cm=preset.cm)
    for ch in preset.channels:
        cell.insert(ch)
    back = neuroml.read(neuroml.save(cell, tmp_path / "ib.nml")).cells["cell"].cell
    assert set(back.mechanisms) == {"Leak", "NaTraub_na", "KdTraub_k", "KMYamada_k", "CaLReuveni_ca"}
    a = run(cell, ["v", "KMYamada.p", "CaLReuveni.q"], temperature=30.0, amplitude=10.0, tstop=15.0)
    b = run(back, ["v", "KMYamada_k.p", "CaLReuveni_ca.q"], temperature=30.0, amplitude=10.0, tstop=15.0)
    assert a["v"].max() > 0
    # VT and tau_max folded into midpoints and rates (VT + 13, 3.3 / tau_max): rounding of 1e-16
    # relative in the rates, 1e-9 mV in V after 600 steps with margin; at 30 degC the q10s (3 from
    # 36, 2.3 for the M gate, none for L) are exercised too.
    np.testing.assert_allclose(b["v"], a["v"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(b["KMYamada_k.p"], a["KMYamada.p"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(b["CaLReuveni_ca.q"], a["CaLReuveni.q"], rtol=0, atol=1e-11)


def refused(cell, tmp_path, match):
    with pytest.raises(ModelError, match=match) as e:
        neuroml.save(cell, tmp_path / "no.nml")
    assert "\n" not in str(e.value) and not (tmp_path / "no.nml").exists()


def test_what_neuroml_cannot_say_is_refused(tmp_path):
    cat = ex.Cell.cylinder().insert(pospischil.CaTHuguenard())
    refused(cat, tmp_path, "CaTHuguenard has no NeuroML standard form")
    graded = ex.Cell(ex.Morphology.cylinder(length=200, diameter=2), nseg=5).insert(ex.HH())
    graded.set("HH.gNa", lambda d: 100 + d, where="all")
    refused(graded, tmp_path, r"HH.gNa/eNa varies within section 'soma'")
    vt = ex.Cell(ex.Morphology.ball_and_stick(), nseg=1).insert(pospischil.NaTraub())
    vt.set("NaTraub.VT", -60.0, where="axon")
    refused(vt, tmp_path, r"NaTraub.VT must be one value over the cell")


def test_without_libneuroml_one_line_naming_the_extra(monkeypatch, tmp_path):
    real = builtins.__import__

    def fake(name, *args, **kw):
        if name == "neuroml" or name.startswith("neuroml."):
            raise ImportError("No module named 'neuroml'")
        return real(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", fake)
    for key in [k for k in sys.modules if k == "neuroml" or k.startswith("neuroml.")]:
        monkeypatch.delitem(sys.modules, key)
    with pytest.raises(ModelError, match=r"pip install 'excitable\[neuroml\]'"):
        neuroml.read(tmp_path / "any.nml")
    with pytest.raises(ModelError, match=r"pip install 'excitable\[neuroml\]'"):
        neuroml.save(ex.Cell.cylinder().insert(ex.HH()), tmp_path / "x.nml")


def test_validation_runs_offline_and_refuses_what_the_schema_does_not_allow(tmp_path, monkeypatch):
    import socket

    path = neuroml.save(ex.Cell.cylinder().insert(ex.HH()), tmp_path / "hh.nml")

    def no_network(*args, **kw):
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    neuroml.validate(path)  # libNeuroML's validator and the schema it ships: no network needed
    bad = tmp_path / "bad.nml"
    bad.write_text(path.read_text().replace("<spikeThresh", "<bogus/><spikeThresh", 1))
    with pytest.raises(ModelError, match=r"bad.nml is not valid NeuroML 2 \(NeuroML_v2.3.1.xsd, line \d+\)"):
        neuroml.validate(bad)


def test_a_channel_mixing_gate_kinds_is_written_as_generic_gates(tmp_path):
    """NeuroML's schema takes one kind of gate element per channel (libNeuroML writes each kind as
    its own element, in an order the schema refuses when they mix); the export writes
    <gate type="..."> elements then, which the schema takes in any mix: validated, and the same trace."""
    from .nml_models import N, hh_cell_document, write

    doc = hh_cell_document()
    ka = N.IonChannelHH(id="kA", conductance="10pS", species="k")
    ka.gates.append(N.GateHHUndetermined(
        id="a", type="gateHHtauInf", instances=2, q10_settings=N.Q10Settings(type="q10Fixed", fixed_q10="2"),
        time_course=N.HHTime(type="fixedTimeCourse", tau="5ms"),
        steady_state=N.HHVariable(type="HHSigmoidVariable", rate="1", midpoint="-30mV", scale="8mV")))
    ka.gates.append(N.GateHHUndetermined(id="b", type="gateHHInstantaneous", instances=1, steady_state=N.HHVariable(
        type="HHSigmoidVariable", rate="1", midpoint="-60mV", scale="-6mV")))
    doc.ion_channel_hhs.append(ka)
    doc.cells[0].biophysical_properties.membrane_properties.channel_densities.append(N.ChannelDensity(
        id="ka", ion_channel="kA", cond_density="40 S_per_m2", erev="-90mV", ion="k"))
    cell = neuroml.read(write(doc, tmp_path / "mix.nml")).cells["hhcell"].cell
    path = neuroml.save(cell, tmp_path / "back.nml")  # validated before it is kept
    assert path.read_text().count("<gate ") == 2
    again = next(iter(neuroml.read(path).cells.values())).cell
    # the same rate forms written with repr() of every float: the same numbers, the same trace
    np.testing.assert_array_equal(run(again, ["v"])["v"], run(cell, ["v"])["v"])
