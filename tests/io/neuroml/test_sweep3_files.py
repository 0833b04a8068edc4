"""What the third sweep of published NeuroML files found, each with a small file written here:
two densities of one ion channel on one section (HNN's CELL_HH_reduced_L2Pyr.cell.nml: NeuroML does
not say which holds) refused at the second's line, and the same cell with one density per section
beside NEURON; an unused segment group covering part of a section (pyNeuroML's olm.cell.nml) no
longer refused; ``<ionChannelPassive>`` as an element (PINGnets' PassiveCell.cell.nml) read as
``<ionChannel type="ionChannelPassive">``; an attribute libNeuroML drops (a typo, v2beta's ``phi``)
refused at its line; a LEMS file reached by an include named at the include."""

from __future__ import annotations

import numpy as np
import pytest

import excitable as ex
from tests.conftest import neuron_h

from .nml_models import N, biophysics, branched_document, hh_channels, non_uniform, point, write
from .test_densities import ca_cell_document
from .test_published_forms import NS, line_of, refused

from excitable.io import neuroml  # noqa: E402

NA_SOMA, NA_DEND = "1800 S_per_m2", "1500 S_per_m2"  # 180 and 150 mS/cm2: HNN L2Pyr's soma and dendrites
OTHERS = [("kChan", "360 S_per_m2", "-77mV", "k", "all"), ("passiveChan", "3.0 S_per_m2", "-54.3mV", "non_specific", "all")]


def two_section_document(na_densities):
    """A 20 x 20 um soma and a 100 x 2 um dendrite from its 1 end (one section each), HH's
    channels (``nml_models.hh_channels``) with ``na_densities`` ((group, condDensity) of naChan)."""
    doc = N.NeuroMLDocument(id="two")
    hh_channels(doc)
    m = N.Morphology(id="morph")
    m.segments.append(N.Segment(id=0, name="soma", proximal=point(0, 0, 0, 20), distal=point(20, 0, 0, 20)))
    m.segments.append(N.Segment(id=1, name="dend", parent=N.SegmentParent(segments=0), proximal=point(20, 0, 0, 2),
                                distal=point(120, 0, 0, 2)))
    m.segment_groups.append(N.SegmentGroup(id="soma_group", members=[N.Member(segments=0)]))
    m.segment_groups.append(N.SegmentGroup(id="dend_group", members=[N.Member(segments=1)]))
    densities = [("naChan", g, "50mV", "na", group) for group, g in na_densities] + OTHERS
    doc.cells.append(N.Cell(id="two", morphology=m, biophysical_properties=biophysics(densities)))
    return doc


def test_two_densities_of_one_channel_on_a_section_are_refused_naming_both(tmp_path):
    # HNN's L2Pyr: the soma's density and one that lost its segmentGroup (so covers "all")
    path = write(two_section_document([("soma_group", NA_SOMA), ("all", NA_DEND)]), tmp_path / "dup.cell.nml")
    text = path.read_text()
    first, second = line_of(text, 'id="d0"'), line_of(text, 'id="d1"')
    message = refused(path, rf"^NeuroML: dup.cell.nml:{second}: cell 'two' channelDensity 'd1': ionChannel 'naChan' "
                            rf"already has a density on section 'soma' \(channelDensity 'd0', line {first}\);")
    assert "LEMS adds them" in message and "a segmentGroup per density" in message


def test_overlaps_of_the_other_density_forms_are_refused(tmp_path):
    # a non-uniform density and a plain one of naChan both on the apical sections
    doc = branched_document([non_uniform("", "naApical", "naChan", "apical", "PathOverApical", "1000", erev="50mV",
                                         ion="na"),
                             N.ChannelDensity(id="naAll", ion_channel="naChan", cond_density="1200 S_per_m2",
                                              erev="50mV", ion="na")])
    path = write(doc, tmp_path / "nu.cell.nml")
    text = path.read_text()
    first, second = line_of(text, 'id="naAll"'), line_of(text, 'id="naApical"')  # libNeuroML writes this order
    assert first < second
    refused(path, rf"^NeuroML: nu.cell.nml:{second}: cell 'branched' channelDensityNonUniform 'naApical': ionChannel "
                  rf"'naChan' already has a density on sections 'apic0', 'apic1', 'apic2' \(channelDensity 'naAll', "
                  rf"line {first}\)")
    # two channelDensityNernst of one Ca2+ channel on the one section
    doc = ca_cell_document()
    doc.cells[0].biophysical_properties.membrane_properties.channel_density_nernsts.append(
        N.ChannelDensityNernst(id="caN2", ion_channel="caChan", cond_density="5 S_per_m2", ion="ca",
                               segment_groups="soma_group"))
    path = write(doc, tmp_path / "ca.cell.nml")
    refused(path, r"channelDensityNernst 'caN2': ionChannel 'caChan' already has a density on section 'soma' "
                  r"\(channelDensityNernst 'caN', line \d+\)", concentrations="fixed")


TSTOP, AMP = 15.0, 0.3  # ms; nA from 1 ms for 1 ms at the soma: one spike into the dendrite


def neuron_trace(gnabar_soma):
    """The same cell in NEURON (hh, rates exact), from the same 3-D points: V at both centres."""
    h = neuron_h()
    soma, dend = h.Section(name="s3_soma"), h.Section(name="s3_dend")
    for sec, pts in ((soma, ((0, 0, 0, 20), (20, 0, 0, 20))), (dend, ((20, 0, 0, 2), (120, 0, 0, 2)))):
        sec.pt3dclear()
        for pt in pts:
            sec.pt3dadd(*map(float, pt))
        sec.nseg, sec.cm, sec.Ra = 1, 1.0, 35.4
        sec.insert("hh")
        sec.ena, sec.ek = 50.0, -77.0
        for seg in sec:
            seg.hh.gkbar, seg.hh.gl, seg.hh.el = 0.036, 0.0003, -54.3
    dend.connect(soma(1))
    soma(0.5).hh.gnabar, dend(0.5).hh.gnabar = gnabar_soma, 0.15
    h.usetable_hh = 0  # exact rates, as ours
    stim = h.IClamp(soma(0.5))
    stim.delay, stim.dur, stim.amp = 1.0, 1.0, AMP
    vecs = [h.Vector().record(soma(0.5)._ref_v), h.Vector().record(dend(0.5)._ref_v)]
    h.dt, h.secondorder, h.celsius = 0.025, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    return [np.array(v) for v in vecs]


def test_one_density_per_section_gives_the_soma_its_own_beside_neuron(tmp_path):
    path = write(two_section_document([("soma_group", NA_SOMA), ("dend_group", NA_DEND)]), tmp_path / "two.cell.nml")
    cell = neuroml.read(path).cells["two"].cell
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=AMP, delay=1.0, duration=1.0))
    for name in ("soma", "dend"):
        sim.record("v", ex.Location(name, 0.5), label=name)
    ours = sim.run(TSTOP)
    theirs = neuron_trace(0.18)
    assert theirs[0].max() > 0  # a spike: the soma's sodium shapes the trace
    for name, v in zip(("soma", "dend"), theirs):
        # the same tree solve and exponential-Euler gates (hh vs NeuroML's HH forms: 1e-9 apart,
        # test_import; test_nonuniform's branched cell: under 1e-6): 1e-6 of the range, the bound
        assert np.max(np.abs(np.asarray(ours[name]) - v)) < 1e-6 * np.ptp(v), name
    # the test tells the soma's density from the dendrite's: with 150 on the soma NEURON is far off
    wrong = neuron_trace(0.15)[0]
    assert np.max(np.abs(np.asarray(ours["soma"]) - wrong)) > 1e-2 * np.ptp(wrong)


OLM = f"""<neuroml {NS} id="olm">
    <ionChannelHH id="leak" conductance="10pS"/>
    <cell id="olm">
        <morphology id="m">
            <segment id="0" name="Seg0_soma"><proximal x="0" y="0" z="0" diameter="10"/><distal x="0" y="10" z="0" diameter="10"/></segment>
            <segment id="1" name="Seg1_soma"><parent segment="0"/><distal x="0" y="20" z="0" diameter="10"/></segment>
            <segmentGroup id="soma_0" neuroLexId="sao864921383"><member segment="0"/><member segment="1"/></segmentGroup>
            <segmentGroup id="soma_group"><include segmentGroup="soma_0"/></segmentGroup>
            <segmentGroup id="synapse_targets"><member segment="1"/></segmentGroup>
        </morphology>
        <biophysicalProperties id="b">
            <membraneProperties>
                <channelDensity id="leak_all" ionChannel="leak" condDensity="0.1 mS_per_cm2" erev="-65mV" ion="non_specific"/>
                <specificCapacitance value="1 uF_per_cm2"/>
                <initMembPotential value="-60mV"/>
            </membraneProperties>
        </biophysicalProperties>
    </cell>
</neuroml>
"""


def test_an_unused_group_covering_part_of_a_section_is_not_refused(tmp_path):
    # pyNeuroML's olm.cell.nml: connection-target groups listing one segment of a two-segment section
    (p := tmp_path / "olm.cell.nml").write_text(OLM)
    imported = neuroml.read(p).cells["olm"]
    assert imported.groups["soma_group"] == ["soma_0"] and "synapse_targets" not in imported.groups
    assert imported.cell.mechanism_at_sites("leak").gbar.tolist() == [0.1]
    # a density on it is still refused: our densities are per section
    used = OLM.replace('ion="non_specific"/>', 'ion="non_specific" segmentGroup="synapse_targets"/>')
    (p := tmp_path / "used.cell.nml").write_text(used)
    at = line_of(used, '<segmentGroup id="synapse_targets')
    refused(p, rf"^NeuroML: used.cell.nml:{at}: cell 'olm': segment "
               r"group 'synapse_targets' covers part of section 'soma_0' \(segments 1 of 2\)")


def passive_text(channel: str) -> str:
    """One 10 x 10 um compartment with a passive channel written as ``channel`` (its id: leak)."""
    return OLM.replace('<ionChannelHH id="leak" conductance="10pS"/>', channel).replace(
        '<segment id="1" name="Seg1_soma"><parent segment="0"/><distal x="0" y="20" z="0" diameter="10"/></segment>',
        "").replace('<member segment="1"/>', "").replace(
        '<segmentGroup id="synapse_targets"></segmentGroup>', "")


def test_an_ion_channel_passive_element_runs_as_the_ion_channel_of_that_type(tmp_path):
    traces = []
    for k, channel in enumerate(('<ionChannelPassive id="leak" conductance="10pS"/>',
                                 '<ionChannel id="leak" type="ionChannelPassive" conductance="10pS"/>')):
        (p := tmp_path / f"passive{k}.cell.nml").write_text(passive_text(channel))
        imported = neuroml.read(p).cells["olm"]
        sim = ex.Simulation(imported.cell, dt=0.025, temperature=6.3, v_init=imported.v_init_mV)
        sim.record("v")
        out = sim.run(20.0)
        traces.append((np.asarray(out.t), np.asarray(out["v"])))
    (t, v), (_, v_type) = traces
    np.testing.assert_array_equal(v, v_type)  # the same channel class and numbers: identical
    # from -60 mV to erev -65 mV with tau = Cm/g = 1 uF/cm2 / 0.1 mS/cm2 = 10 ms; one compartment, no
    # gates, so each step is the implicit (backward) Euler of dV/dt = -(V - E)/tau: exactly
    # (1 + dt/tau)^-n of the start, a closed form to rounding (1e-9 of the 5 mV swing)
    n = np.round(t / 0.025)
    assert np.max(np.abs(v - (-65.0 + 5.0 * (1 + 0.025 / 10.0) ** -n))) < 1e-9 * 5.0
    # and the continuous exp(-t/tau) within backward Euler's own error, t dt / (2 tau^2) x 5 mV at most
    assert np.max(np.abs(v - (-65.0 + 5.0 * np.exp(-t / 10.0)))) < 5.0 * 0.025 / (2 * 10.0) * np.exp(-1) * 1.01
    # it holds nothing but notes: a gate inside is refused at its line, not dropped
    text = passive_text('<ionChannelPassive id="leak" conductance="10pS">\n<gateHHrates id="m" instances="1"/>'
                        '</ionChannelPassive>')
    (p := tmp_path / "gated.cell.nml").write_text(text)
    refused(p, rf"^NeuroML: gated.cell.nml:{line_of(text, '<gateHHrates')}: ionChannelPassive 'leak': element "
               r"<gateHHrates> is not read")


POOL = """<neuroml {NS} id="pool">
    <fixedFactorConcentrationModel id="pool" restingConc="5.0e-5mM" decayConstant="0.2s" ion="ca" {rho}/>
</neuroml>
"""


@pytest.mark.parametrize("rho, match", [
    # PyloricNetwork's CaPool_STG.nml before its fix: v2beta's phi, which libNeuroML drops
    ('phi="74.8e6mol_per_m3_per_A_per_s"', r"fixedFactorConcentrationModel 'pool': attribute phi='74.8e6mol_per_m3_per_A_per_s' "
                                           r"is not NeuroML 2's .*phi is NeuroML v2beta's name.*NeuroML 2 reads rho, which is "
                                           r"missing: give rho in mol_per_m_per_A_per_s"),
    ("", r"fixedFactorConcentrationModel 'pool': rho is missing \(NeuroML 2 requires it\)")])
def test_a_fixed_factor_pool_without_rho_is_refused_at_its_own_line(tmp_path, rho, match):
    (p := tmp_path / "pool.nml").write_text(POOL.format(NS=NS, rho=rho))
    refused(p, rf"^NeuroML: pool.nml:2: {match}")


def test_an_attribute_libneuroml_drops_is_refused_with_the_known_ones(tmp_path):
    # segmentgroup (lower-case g) would put the soma's density on the whole cell
    text = OLM.replace('ion="non_specific"/>', 'ion="non_specific" segmentgroup="synapse_targets"/>')
    (p := tmp_path / "typo.cell.nml").write_text(text)
    message = refused(p, rf"^NeuroML: typo.cell.nml:{line_of(text, '<channelDensity')}: channelDensity 'leak_all': "
                         r"attribute segmentgroup='synapse_targets' is not NeuroML 2's .*did you mean segmentGroup\?")
    assert "condDensity, erev, id, ion, ionChannel, segment, segmentGroup" in message  # libNeuroML's own list
    # an element without an id is named by its tag
    text = OLM.replace('<member segment="1"/></segmentGroup>', '<member segment="1" fraction="1"/></segmentGroup>')
    (p := tmp_path / "member.cell.nml").write_text(text)
    refused(p, rf"^NeuroML: member.cell.nml:{line_of(text, 'fraction=')}: <member>: attribute fraction='1'")


def test_a_lems_file_reached_by_an_include_is_named_at_the_include(tmp_path):
    # FergusonEtAl2013's PVBCnet.net.nml includes PVBC.xml, a LEMS file defining and instantiating its cell
    (tmp_path / "cell.xml").write_text("""<Lems>
    <ComponentType name="myCell" extends="baseCellMembPotCap"><Parameter name="v0" dimension="voltage"/></ComponentType>
    <myCell id="PV" v0="-65mV" C="90 pF"/>
</Lems>
""")
    (p := tmp_path / "net.nml").write_text(f"""<neuroml {NS} id="net">
    <include href="cell.xml"/>
</neuroml>
""")
    refused(p, r"^NeuroML: net.nml:2: include 'cell.xml' is a LEMS file \(its root is <Lems>\), not a NeuroML 2 "
               r"document; the LEMS components it holds \(myCell 'PV' \(cell.xml:3\)\) are not imported")
    # the LEMS file read itself keeps its advice
    refused(tmp_path / "cell.xml", r"^NeuroML: cell.xml:1: a LEMS file .*read the model's NeuroML 2 \(.nml\) files")


NATG = f"""<neuroml {NS} id="natg">
    <ComponentType name="shift_slope_rate" extends="baseVoltageDepRate">
        <Constant name="TIME_SCALE" dimension="time" value="1 ms"/>
        <Constant name="VOLT_SCALE" dimension="voltage" value="1 mV"/>
        <Parameter name="multiplier" dimension="none"/>
        <Parameter name="vHalf" dimension="none"/>
        <Parameter name="slope" dimension="none"/>
        <Dynamics>
            <DerivedVariable name="V" dimension="none" value="v / VOLT_SCALE"/>
            <DerivedVariable name="r" exposure="r" dimension="per_time" value="(multiplier * (V - vHalf) / (1 - (exp (-1*( V - vHalf) / slope)))) / TIME_SCALE"/>
        </Dynamics>
    </ComponentType>
    <ionChannel id="na" conductance="10pS" type="ionChannelHH" species="na">
        <gate id="h" type="gateHHrates" instances="1">
            <forwardRate type="shift_slope_rate" multiplier="-0.015" vHalf="-66" slope="-6"/>
            <reverseRate type="shift_slope_rate" multiplier="0.015" vHalf="-66" slope="6"/>
        </gate>
    </ionChannel>
    <cell id="natg">
        <morphology id="m">
            <segment id="0" name="soma"><proximal x="0" y="0" z="0" diameter="10"/><distal x="0" y="10" z="0" diameter="10"/></segment>
        </morphology>
        <biophysicalProperties id="b">
            <membraneProperties>
                <channelDensity id="na_all" ionChannel="na" condDensity="10 mS_per_cm2" erev="50mV" ion="na"/>
                <initMembPotential value="-66mV"/>
            </membraneProperties>
        </biophysicalProperties>
    </cell>
</neuroml>
"""


def test_a_gate_that_is_0_over_0_where_the_cell_starts_is_named_when_read(tmp_path, recwarn):
    # pyNeuroML's L23-example NaTg.channel.nml writes x / (1 - exp(-x)) out: 0/0 at V = vHalf exactly
    (p := tmp_path / "natg.cell.nml").write_text(NATG)
    with pytest.warns(UserWarning, match=rf"^NeuroML: natg.cell.nml:{line_of(NATG, '<initMembPotential')}: cell "
                                         r"'natg': initMembPotential -66 mV: ionChannel 'na' gate 'h' is NaN there "
                                         r"and finite 1e-06 mV either side .*Simulation\(v_init=...\)"):
        cell = neuroml.read(p).cells["natg"].cell
    # 1e-6 mV above, u/(1 - exp(-u)) = 1 + u/2 to first order gives alpha = 0.09 (1 - dV/12), beta =
    # 0.09 (1 + dV/12) per ms, so h_inf = 1/2 - dV/24; 1 - exp(-u) at u = 1.7e-7 loses eps/u = 1.3e-9 of
    # each rate to cancellation, hence 1e-8 (the deviation itself is 4.2e-8)
    inf, _ = cell.mechanisms["na"].gates(np.float64(-66.0 + 1e-6), 6.3)["h"]
    assert abs(float(inf) - (0.5 - 1e-6 / 24)) < 1e-8
    # started elsewhere, nothing is said
    (p := tmp_path / "natg65.cell.nml").write_text(NATG.replace('value="-66mV"', 'value="-65mV"'))
    recwarn.clear()
    neuroml.read(p)
    assert not [w for w in recwarn if "is NaN there" in str(w.message)]
