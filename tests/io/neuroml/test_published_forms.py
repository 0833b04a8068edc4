"""Forms of published NeuroML files (a sweep of OpenSourceBrain models and the NeuroML2 examples):
what libNeuroML drops is refused at its line, never imported silently as a bare membrane; a
segment group may declare an inhomogeneousParameter; a NeuroML 1 or LEMS file is named as such;
OpenSourceBrain's ``../../channels`` includes are followed, cycles and deep nesting refused."""

from __future__ import annotations

import re

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError

from .nml_models import N, hh_cell_document, run, write

from excitable.io import neuroml  # noqa: E402
from excitable.io.neuroml.files import MAX_DEPTH, read_documents  # noqa: E402

NS = 'xmlns="http://www.neuroml.org/schema/neuroml2"'
SOMA = """<morphology id="m"><segment id="0" name="soma"><proximal x="0" y="0" z="0" diameter="20"/>
<distal x="20" y="0" z="0" diameter="20"/></segment></morphology>"""


def refused(path, match, **kw) -> str:
    with pytest.raises(ModelError, match=match) as e:
        neuroml.read(path, **kw)
    assert "\n" not in str(e.value)
    return str(e.value)


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def test_a_cell_element_libneuroml_drops_is_refused_at_its_line(tmp_path):
    # OSB SolinasEtAl-GolgiCell's TestSoma.cell.nml: <cell type="cellTwoCaPools"> with its biophysics in
    # <biophysicalProperties_twoCa>, a ComponentType of the file; libNeuroML keeps neither
    text = f"""<neuroml {NS} id="g">
<ComponentType name="cellTwoCaPools" extends="baseCellMembPot"/>
<cell id="golgi" type="cellTwoCaPools">
{SOMA}
<biophysicalProperties_twoCa id="bio"><membraneProperties_twoCa>
<initMembPotential value="-65mV"/></membraneProperties_twoCa></biophysicalProperties_twoCa>
</cell></neuroml>"""
    (p := tmp_path / "golgi.nml").write_text(text)
    at = line_of(text, "<biophysicalProperties_twoCa")
    refused(p, rf"^NeuroML: golgi.nml:{at}: cell 'golgi': element <biophysicalProperties_twoCa> in <cell> is not "
               r"supported .*cell type 'cellTwoCaPools'")
    # the type attribute alone (standard content) is refused too: a ComponentType's cell runs in LEMS only
    p.write_text(text.replace(text[text.index("<biophysicalProperties_twoCa"):text.index("</cell>")], ""))
    refused(p, r"^NeuroML: golgi.nml:3: cell 'golgi': attribute type='cellTwoCaPools'")
    # NeuroML2's examples/NML2_FullCell.nml: a <reversalPotential> in membraneProperties
    text = f"""<neuroml {NS} id="f"><cell id="full">{SOMA}
<biophysicalProperties id="b"><membraneProperties>
<reversalPotential species="na" value="50mV"/>
</membraneProperties></biophysicalProperties></cell></neuroml>"""
    (p := tmp_path / "full.nml").write_text(text)
    refused(p, rf"^NeuroML: full.nml:{line_of(text, '<reversalPotential')}: cell 'full': element <reversalPotential> "
               r"in <membraneProperties> is not supported")


def test_a_top_level_element_is_read_or_refused(tmp_path):
    text = f"""<neuroml {NS} id="t">
<ComponentType name="myThing"/>
<myThing id="one"/>
<ionChanelHH id="typo" species="na"/>
</neuroml>"""
    (p := tmp_path / "t.nml").write_text(text)
    refused(p, r"^NeuroML: t.nml:4: element <ionChanelHH> is not read .* not supported")
    # an instance of a ComponentType of the files read, and nothing else: named in one line (test_lems_kept.py)
    p.write_text(text.replace('<ionChanelHH id="typo" species="na"/>\n', ""))
    refused(p, r"^NeuroML: t.nml:3: myThing 'one' \(a LEMS ComponentType\): instances of LEMS ComponentTypes are not imported")


@pytest.fixture(scope="module")
def hh_reference():
    """Built-in HH on the 20 x 20 um soma of ``hh_cell_document``: what its import gives to 1e-9 mV
    (test_import.test_neuroml_hh_cell_gives_builtin_hh_traces)."""
    return run(ex.Cell.cylinder(length=20, diameter=20).insert(ex.HH()), ["v"])


def test_a_group_declaring_an_inhomogeneous_parameter_imports_unchanged(tmp_path, hh_reference):
    # NeuroML2's examples/NML2_InhomogeneousParams.nml (and pyNeuroML's exports of NEURON cells): the
    # declaration is a metric for a channelDensityNonUniform (test_nonuniform.py); alone it changes nothing
    doc = hh_cell_document()
    group = doc.cells[0].morphology.segment_groups[0]
    group.inhomogeneous_parameters.append(N.InhomogeneousParameter(
        id="PathLengthOverSoma", variable="p", metric="Path Length from root",
        proximal=N.ProximalDetails(translation_start="0")))
    for d in doc.cells[0].biophysical_properties.membrane_properties.channel_densities:
        d.segment_groups = "soma_group"
    imported = neuroml.read(write(doc, tmp_path / "inh.nml")).cells["hhcell"]
    ours = run(imported.cell, ["v"])
    assert hh_reference["v"].max() > 20  # a spike: the comparison covers one
    # the same model as built-in HH: rounding only (test_import's 1e-9 mV, three orders over 4e-14)
    np.testing.assert_allclose(ours["v"], hh_reference["v"], rtol=0, atol=1e-9)
    # a non-uniform density without the variableParameter that would use it is refused, at its own line
    nonuniform = N.ChannelDensityNonUniform(id="nonuni", ion_channel="naChan", ion="na", erev="50mV")
    doc.cells[0].biophysical_properties.membrane_properties.channel_density_non_uniforms.append(nonuniform)
    text = (p := write(doc, tmp_path / "inh.nml")).read_text()
    refused(p, rf"inh.nml:{line_of(text, '<channelDensityNonUniform')}: cell 'hhcell': channelDensityNonUniform "
               r"'nonuni' is not supported")
    # a path or subTree does change membership: refused with the advice that fits it
    doc.cells[0].biophysical_properties.membrane_properties.channel_density_non_uniforms.clear()
    group.paths.append(N.Path(from_=N.SegmentEndPoint(segments=0)))
    text = (p := write(doc, tmp_path / "inh.nml")).read_text()
    refused(p, rf"inh.nml:{line_of(text, '<segmentGroup')}: cell 'hhcell': segment group 'soma_group' uses "
               r"path/subTree, which is not supported \(list its members\)")


def test_a_channel_density_without_erev_says_so_at_its_line(tmp_path):
    # NeuroML2's examples/NML2_FullCell.nml: channelDensity 'pasChans' gives no erev
    doc = hh_cell_document()
    doc.cells[0].biophysical_properties.membrane_properties.channel_densities[2].erev = None
    text = (p := write(doc, tmp_path / "noerev.nml")).read_text()
    at = line_of(text, 'id="d2"')
    refused(p, rf"^NeuroML: noerev.nml:{at}: cell 'hhcell' channelDensity 'd2': erev is "
               r"missing")


def test_documents_that_are_not_neuroml_2_are_named_by_their_root(tmp_path):
    # OSB GranCellSolinasEtAl10's neuroConstruct/morphologies/*.nml: NeuroML 1.8.1 (MorphML)
    (p := tmp_path / "v1.nml").write_text('<?xml version="1.0"?>\n<neuroml xmlns="http://morphml.org/neuroml/schema">'
                                          '<cells><cell name="c"/></cells></neuroml>')
    refused(p, r"^NeuroML: v1.nml:2: NeuroML version 1 \(namespace http://morphml.org/neuroml/schema\) is not "
               r"read; convert it to NeuroML 2 \(e.g. with pyNeuroML/jNeuroML\)$")
    # OSB PospischilEtAl2008's LEMS_Leak.xml: the simulation file jNeuroML runs
    (p := tmp_path / "LEMS_x.xml").write_text('<Lems xmlns="http://www.neuroml.org/lems/0.7.2">\n'
                                              '<Include file="Cells.xml"/><Include file="leak.cell.nml"/></Lems>')
    refused(p, r"^NeuroML: LEMS_x.xml:1: a LEMS file \(its root is <Lems>\), not a NeuroML 2 document "
               r"\(<neuroml>\); read the NeuroML files it includes \(leak.cell.nml\)$")
    (p := tmp_path / "svg.nml").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    refused(p, r"svg.nml:1: svg.nml is not a NeuroML 2 document \(its root is <svg> \(namespace "
               r"http://www.w3.org/2000/svg\), not <neuroml>\)")


def include_file(path, *hrefs):
    doc = N.NeuroMLDocument(id=re.sub(r"\W", "_", path.stem))
    doc.includes.extend(N.IncludeType(href=h) for h in hrefs)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write(doc, path)


def test_includes_follow_the_osb_layout_and_refuse_cycles_and_deep_chains(tmp_path):
    # OSB's layout: NeuroML2/cells/X/X.cell.nml includes ../../channels/Y/Y.channel.nml
    channels = N.NeuroMLDocument(id="channels")
    channels.ion_channel_hhs.extend(hh_cell_document().ion_channel_hhs)
    channels.ion_channel.extend(hh_cell_document().ion_channel)
    (tmp_path / "channels" / "hh").mkdir(parents=True)
    write(channels, tmp_path / "channels" / "hh" / "hh.channel.nml")
    doc = hh_cell_document()
    doc.ion_channel_hhs, doc.ion_channel = [], []
    doc.includes.append(N.IncludeType(href="../../channels/hh/hh.channel.nml"))
    (tmp_path / "cells" / "hh").mkdir(parents=True)
    cell = write(doc, tmp_path / "cells" / "hh" / "hh.cell.nml")
    assert set(neuroml.read(cell).cells["hhcell"].cell.mechanisms) == {"naChan", "kChan", "passiveChan"}
    # a caller serving files it did not choose keeps includes inside one folder
    with pytest.raises(ModelError, match=r"hh.cell.nml:\d+: include '../../channels/hh/hh.channel.nml' is outside "
                                         r"the folder 'hh'"):
        read_documents(cell, within=cell.parent)
    # a cycle, at the include that closes it
    include_file(tmp_path / "a.nml", "sub/b.nml")
    include_file(tmp_path / "sub" / "b.nml", "../a.nml")
    refused(tmp_path / "a.nml", r"^NeuroML: b.nml:\d+: include '../a.nml' is a cycle \(a.nml -> b.nml -> a.nml\)$")
    # a diamond (two files including one) is read once; a chain deeper than MAX_DEPTH is refused
    include_file(tmp_path / "d.nml", "e1.nml", "e2.nml")
    include_file(tmp_path / "e1.nml", "f.nml")
    include_file(tmp_path / "e2.nml", "f.nml")
    include_file(tmp_path / "f.nml")
    assert [p.name for p, _ in read_documents(tmp_path / "d.nml")] == ["d.nml", "e1.nml", "f.nml", "e2.nml"]
    for i in range(MAX_DEPTH + 1):
        include_file(tmp_path / "chain" / f"c{i}.nml", f"c{i + 1}.nml")
    include_file(tmp_path / "chain" / f"c{MAX_DEPTH + 1}.nml")
    refused(tmp_path / "chain" / "c0.nml", rf"c{MAX_DEPTH - 1}.nml:\d+: include 'c{MAX_DEPTH}.nml' nests deeper than "
                                           rf"{MAX_DEPTH} files")
    include_file(tmp_path / "chain" / f"c{MAX_DEPTH - 1}.nml")  # MAX_DEPTH files: read
    assert len(read_documents(tmp_path / "chain" / "c0.nml")) == MAX_DEPTH


def test_refusals_name_the_file_and_the_line(tmp_path):
    """The sweep's minor finding: refusals named the file but not the line."""
    doc = hh_cell_document()
    doc.cells[0].morphology.segments[0].parent = N.SegmentParent(segments=7)
    text = (p := write(doc, tmp_path / "l.nml")).read_text()
    refused(p, rf"^NeuroML: l.nml:{line_of(text, '<segment ')}: cell 'hhcell': segment 0 has parent 7, which is not")
    doc = hh_cell_document()
    doc.cells.append(hh_cell_document().cells[0])
    text = (p := write(doc, tmp_path / "l.nml")).read_text()
    second = text.index("<cell", text.index("<cell") + 1)
    refused(p, rf"^NeuroML: l.nml:{text[:second].count(chr(10)) + 1}: cell 'hhcell' is defined twice$")
    # what libNeuroML keeps but nothing here reads is refused too, at its line
    doc = hh_cell_document()
    doc.cell2_ca_poolses.append(N.Cell2CaPools(id="two", morphology=doc.cells[0].morphology))
    text = (p := write(doc, tmp_path / "l.nml")).read_text()
    refused(p, rf"^NeuroML: l.nml:{line_of(text, '<cell2CaPools')}: cell2CaPools 'two' \(two Ca2\+ pools\) is not "
               r"supported")
    doc = hh_cell_document()
    doc.cells[0].biophysical_properties.extracellular_properties = N.ExtracellularProperties(species=[N.Species(
        id="cao", ion="ca", initial_concentration="2mM", initial_ext_concentration="2mM")])
    text = (p := write(doc, tmp_path / "l.nml")).read_text()
    refused(p, rf"^NeuroML: l.nml:{line_of(text, '<species')}: cell 'hhcell': extracellularProperties species 'cao' "
               r"is not supported")
    p.write_text('<?xml version="1.0"?>\n<!DOCTYPE neuroml><neuroml/>')
    refused(p, r"^NeuroML: l.nml:2: a DTD or entity declaration is not read")
