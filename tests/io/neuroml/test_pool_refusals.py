"""What a second sweep of OpenSourceBrain's NeuroML files found running wrongly without a word:
a concentration model's clip written as a <DerivedVariable> inside an <OnCondition> (Bahl et al.
2012's cad.nml), which libNeuroML dropped; a Ca2+ channel of species "Ca" (Channelpedia's Cav2.1)
under a density of ion "ca" beside a Ca2+ pool, which never fed it; and a file of abstract cells
only (Izhikevich's TonicSpiking.nml), read as an empty model. Each is refused (or named) in one
line at its file:line; the clip written as LEMS has it runs, checked against its closed form."""

from __future__ import annotations

import re

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError

pytest.importorskip("neuroml")
from excitable.io import neuroml  # noqa: E402

from .test_neuron_side import neuron  # noqa: E402,F401 - the fixture: NEURON with the comparison mechanisms

#: Bahl et al.'s cad (Destexhe's Ca2+ pool) on a soma with a passive Ca2+ conductance (erev 80 mV):
#: {clip} is the OnCondition of the published file or the ConditionalDerivedVariable LEMS has.
CELL = """<neuroml xmlns="http://www.neuroml.org/schema/neuroml2" id="bahl">
    <ionChannel id="caLeak" type="ionChannelPassive" species="{species}" conductance="10pS"/>
    <ComponentType name="bahlCa" extends="concentrationModel">
        <Parameter name="minCai" dimension="concentration"/>
        <Parameter name="decay" dimension="time"/>
        <Parameter name="depth" dimension="length"/>
        <Constant name="Faraday" dimension="charge_per_mole" value="96485.3C_per_mol"/>
        <Constant name="TIME" dimension="time" value="1ms"/>
        <Constant name="CONC" dimension="concentration" value="1mM"/>
        <Requirement name="iCa" dimension="current"/>
        <Text name="ion"/>
        <Dynamics>
            <StateVariable name="concentration" exposure="concentration" dimension="concentration"/>
            <DerivedVariable name="raw" dimension="none" value="-(iCa / surfaceArea / (2 * Faraday * depth)) * (TIME / CONC)"/>
            {clip}
            <TimeDerivative variable="concentration" value="-(drive * CONC / TIME) - (concentration - minCai) / decay"/>
        </Dynamics>
    </ComponentType>
    <concentrationModel id="cad" type="bahlCa" ion="ca" minCai="1e-4 mM" decay="200 ms" depth="0.1 um"/>
    <cell id="c">
        <morphology id="m"><segment id="0" name="soma"><proximal x="0" y="0" z="0" diameter="10"/><distal x="10" y="0" z="0" diameter="10"/></segment></morphology>
        <biophysicalProperties id="b">
            <membraneProperties>
                <channelDensity id="d" ionChannel="caLeak" condDensity="1 S_per_m2" erev="80mV" ion="{ion}"/>
                <specificCapacitance value="1 uF_per_cm2"/>
            </membraneProperties>
            <intracellularProperties>
                <species id="ca" ion="ca" concentrationModel="cad" initialConcentration="1e-4 mM" initialExtConcentration="2 mM"/>
            </intracellularProperties>
        </biophysicalProperties>
    </cell>
</neuroml>
"""
PUBLISHED = """<DerivedVariable name="drive" dimension="none" value="raw"/>
            <OnCondition test="drive .gt. 0">
                <DerivedVariable variable="drive" value="0"/>
            </OnCondition>"""
AS_LEMS = """<ConditionalDerivedVariable name="drive" dimension="none">
                <Case condition="raw .gt. 0" value="0"/><Case value="raw"/>
            </ConditionalDerivedVariable>"""
UNCLIPPED = '<DerivedVariable name="drive" dimension="none" value="raw"/>'


def cell_file(tmp_path, clip=AS_LEMS, species="ca", ion="ca", edit=None, name="bahl.nml"):
    text = CELL.format(clip=clip, species=species, ion=ion)
    path = tmp_path / name
    path.write_text(edit(text) if edit else text)
    return path


def line_of(path, text):
    """The 1-based line of ``path`` where ``text`` first appears."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def refused(path, message, **kw):
    """``read`` refuses ``path`` with exactly ``message``, in one line."""
    with pytest.raises(ModelError, match="^" + re.escape(message) + "$") as e:
        neuroml.read(path, **kw)
    assert "\n" not in str(e.value)


def test_a_derived_variable_inside_an_on_condition_is_refused_with_what_to_write(tmp_path):
    path = cell_file(tmp_path, clip=PUBLISHED)
    refused(path, f"NeuroML: bahl.nml:{line_of(path, '<DerivedVariable variable=')}: ComponentType 'bahlCa': "
                  "<DerivedVariable variable='drive'> inside <OnCondition test='drive .gt. 0'> is not LEMS (an "
                  "OnCondition holds StateAssignment, EventOut, Transition; jLEMS and jNeuroML's NEURON export drop "
                  "it, so nothing is clipped there); to clip a derived value, write it as a "
                  "ConditionalDerivedVariable with <Case>s")


def clamped_at_120(path):
    """[Ca]i (mM) of the pool with the soma clamped at +120 mV from the start (outward Ca2+ current)."""
    cell = neuroml.read(path).cells["c"].cell
    sim = ex.Simulation(cell, dt=0.025, temperature=34.0, v_init=120.0)
    sim.stimulate(ex.VClamp(cell.soma, levels=((10.0, 120.0),), rs=0.01))
    sim.record("cad.concentration")
    return np.asarray(sim.run(10.0)["cad.concentration"])


def test_the_clip_written_as_lems_holds_the_pool_at_its_floor(tmp_path):
    """Closed form: above erev the current flows out, the clip holds the drive at 0, and from
    [Ca]i = minCai the rate -(C - minCai)/decay is exactly 0, so the forward-Euler update leaves
    [Ca]i at 1e-4 mM to the bit; without the clip the outward current pulls it below (what the
    published file ran without a word)."""
    clipped = clamped_at_120(cell_file(tmp_path))
    assert np.all(clipped == 1e-4), clipped.min()
    unclipped = clamped_at_120(cell_file(tmp_path, clip=UNCLIPPED, name="noclip.nml"))
    assert unclipped[-1] < 0.5e-4  # the test fails if the clip were lost: 1e-4 -> below half of it


@pytest.mark.parametrize(("old", "new", "message"), [
    ('<Text name="ion"/>', '<Text name="ion"/><Child name="buffer" type="buffer"/>',
     "element <Child> in <ComponentType> is not read in a concentration model (<ComponentType> holds Constant, "
     "Dynamics, Exposure, Parameter, Requirement, Text there)"),
    ('<ConditionalDerivedVariable', '<KineticScheme name="k"/><ConditionalDerivedVariable',
     "element <KineticScheme> in <Dynamics> is not read in a concentration model (<Dynamics> holds "
     "ConditionalDerivedVariable, DerivedVariable, OnCondition, OnStart, StateVariable, TimeDerivative there)"),
    ('<DerivedVariable name="raw" dimension="none"', '<DerivedVariable name="raw" dimension="none" '
     'valueCondition="iCa .gt. 0" valueIfFalse="0"', "attribute valueCondition='iCa .gt. 0' of <DerivedVariable> is "
     "not read in a concentration model (<DerivedVariable> takes description, dimension, exposure, name, value)"),
])
def test_what_libneuroml_drops_from_a_concentration_model_is_refused_at_its_line(tmp_path, old, new, message):
    """libNeuroML keeps no <Child>, <KineticScheme> or LEMS's older valueCondition; each would
    change the model and vanish without a word."""
    path = cell_file(tmp_path, edit=lambda text: text.replace(old, new, 1))
    refused(path, f"NeuroML: bahl.nml:{line_of(path, new)}: ComponentType 'bahlCa': {message}")


def test_a_ca_density_whose_channel_carries_another_species_is_refused_beside_a_pool(tmp_path):
    """NeuroML's LEMS feeds a Ca2+ pool from the densities of ion 'ca' (Cells.xml's
    channelDensities[ion='ca']), jNeuroML's NEURON export from the channels of species 'ca'
    (USEION <species>: 'Ca' is an ion of its own in NEURON): where they disagree beside a pool the
    two runs differ, so it is refused; with [Ca] held (no pool) nothing reads the current."""
    path = cell_file(tmp_path, species="Ca")
    refused(path, f"NeuroML: bahl.nml:{line_of(path, '<channelDensity')}: cell 'c' channelDensity 'd': ion 'ca' but "
                  "ionChannel 'caLeak' has species 'Ca', on section 'soma' beside the Ca2+ pool 'cad' of species "
                  "'ca': NeuroML's LEMS feeds the pool from the density's ion, jNeuroML's NEURON export from the "
                  "channel's species (case-sensitive), so they differ; give both ion=\"ca\" on the density and "
                  "species=\"ca\" on the ionChannel, or neither")
    # the other way round: a Ca2+ channel under a non-specific density, which LEMS does not count
    path = cell_file(tmp_path, ion="non_specific", name="ns.nml")
    with pytest.raises(ModelError, match=r"^NeuroML: ns.nml:\d+: cell 'c' channelDensity 'd': ion 'non_specific' "
                                         r"but ionChannel 'caLeak' has species 'ca', on section 'soma'"):
        neuroml.read(path)
    held = neuroml.read(cell_file(tmp_path, species="Ca", name="held.nml"), concentrations="fixed").cells["c"].cell
    assert sorted(held.mechanisms) == ["caLeak"]  # no pool: the channel runs as its own species says


IZHIKEVICH = '<izhikevichCell id="{id}" v0="-70mV" thresh="30mV" a="0.02" b="0.2" c="-65.0" d="6"/>'


def test_abstract_cells_are_named_as_not_imported(tmp_path):
    """Izhikevich's TonicSpiking.nml holds one <izhikevichCell>: an empty model before, now one line
    naming it; beside an ion channel, ``read`` warns and lists it, ``load_cell`` names it."""
    only = tmp_path / "izh.nml"
    only.write_text('<neuroml xmlns="http://www.neuroml.org/schema/neuroml2" id="izh">\n'
                    f'    {IZHIKEVICH.format(id="TonicSpiking")}\n'
                    '    <iafCell id="iaf" leakReversal="-70mV" thresh="-50mV" reset="-70mV" C="1nF" '
                    'leakConductance="50nS"/>\n</neuroml>\n')
    message = ("NeuroML: izh.nml:2: izhikevichCell 'TonicSpiking', iafCell 'iaf': abstract cells are not imported "
               "(only <cell>, morphology + biophysics, and ion channels are), and izh.nml has nothing else to import")
    refused(only, message)
    with pytest.raises(ModelError, match="^" + re.escape(message) + "$"):
        neuroml.load_cell(only)
    both = tmp_path / "both.nml"
    both.write_text(CELL.format(clip=AS_LEMS, species="ca", ion="ca").replace(
        "<cell id=", IZHIKEVICH.format(id="izh") + "\n    <cell id=").replace(
        '<neuroml xmlns="http://www.neuroml.org/schema/neuroml2" id="bahl">', '<neuroml xmlns="http://www.neuroml.'
        'org/schema/neuroml2" id="bahl">\n' + IZHIKEVICH.format(id="second")))
    line = line_of(both, 'id="izh"')
    with pytest.warns(UserWarning, match=re.escape(f"NeuroML: both.nml: abstract cells are not imported: izhikevichCell "
                                                   f"'second' (both.nml:2), izhikevichCell 'izh' (both.nml:{line})")):
        model = neuroml.read(both)
    assert model.not_imported == [("izhikevichCell 'second'", "both.nml:2"), ("izhikevichCell 'izh'", f"both.nml:{line}")]
    assert sorted(model.cells) == ["c"]
    channels = tmp_path / "chan.nml"
    channels.write_text(only.read_text().replace("<iafCell", '<ionChannel id="leak" type="ionChannelPassive" '
                                                             'conductance="10pS"/>\n    <iafCell'))
    with pytest.warns(UserWarning), pytest.raises(ModelError, match="^" + re.escape(
            "NeuroML: chan.nml has no <cell> (morphology + biophysics) to import; its abstract cells are not "
            "imported: izhikevichCell 'TonicSpiking' (chan.nml:2), iafCell 'iaf' (chan.nml:4)") + "$"):
        neuroml.load_cell(channels)


def test_a_species_starting_at_zero_runs_beside_a_fixed_erev_density_as_in_neuron(neuron, tmp_path):  # noqa: F811
    """[Ca]i may start at 0 mM (ACnet2's pyramidal cell does; it was refused): test_fixed_erev_pool's
    cell (a Ca2+ channel at a fixed 80 mV feeding a fixed-factor pool that a K+ channel's gates
    read) from cai = 0, beside NEURON from cai0_ca_ion = 0. A Nernst density cannot start there (its
    potential is infinite): refused in one line."""
    from tests.reference.nrnmech import neuron_loaded

    from . import test_fixed_erev_pool as fixed
    from .nml_models import write
    from .test_neuron_side import channel_cell_document

    h = neuron_loaded(fixed.MODS, "nrnmech-neuroml-fixed-erev", "nml_cafixerev.mod and nml_ffpool.mod")
    doc = fixed.fixed_erev_document()
    doc.cells[0].biophysical_properties.intracellular_properties.species[0].initial_concentration = "0 mM"
    cell = neuroml.read(write(doc, tmp_path / "zero.cell.nml")).cells["cell"].cell
    sim = ex.Simulation(cell, dt=fixed.DT, temperature=fixed.CELSIUS, v_init=-80.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=fixed.AMP_NA, delay=2.0, duration=fixed.TSTOP))
    for signal in ("v", "caFixed.concentration", "kCa.q"):
        sim.record(signal)
    ours = sim.run(fixed.TSTOP)
    theirs = fixed.neuron_trace(h, cai_mM=0.0)
    assert theirs["cai"][0] == 0.0 == float(ours["caFixed.concentration"][0])
    assert ours["v"].max() > 0 and theirs["cai"].max() > 1e-3  # it fires and the pool fills from 0
    pairs = {"v": ours["v"], "cai": ours["caFixed.concentration"], "q": ours["kCa.q"]}
    worst = {k: float(np.max(np.abs(np.asarray(m) - theirs[k])) / np.max(np.abs(theirs[k]))) for k, m in pairs.items()}
    # the same updates as test_fixed_erev_pool's comparison: rounding only (1.2e-14 seen); 1e-6 of
    # each trace's largest magnitude is its bound
    assert max(worst.values()) < 1e-6, worst
    doc = channel_cell_document()  # the Ca2+ channel under channelDensityNernst
    doc.cells[0].biophysical_properties.intracellular_properties.species[0].initial_concentration = "0 mM"
    path = write(doc, tmp_path / "nernst.cell.nml")
    refused(path, f"NeuroML: nernst.cell.nml:{line_of(path, '<channelDensityNernst')}: cell 'cell' "
                  "channelDensityNernst 'caN': species 'ca' starts [Ca]i at 0 mM, where the Nernst potential "
                  "RT/(zF) ln([Ca]o/[Ca]i) is infinite; give initialConcentration > 0")
    doc.cells[0].biophysical_properties.intracellular_properties.species[0].initial_concentration = "-1 uM"
    path = write(doc, tmp_path / "negative.cell.nml")
    refused(path, f"NeuroML: negative.cell.nml:{line_of(path, '<species')}: cell 'cell' species 'ca': "
                  "concentrations must be >= 0 mM inside and > 0 mM outside, got initialConcentration -0.001, "
                  "initialExtConcentration 2")
