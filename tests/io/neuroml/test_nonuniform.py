"""NeuroML's non-uniform channel densities (channelDensityNonUniform and its Nernst/GHK forms):
the value of each compartment against the closed form of its path length, against NEURON's own
SubsetDomainIterator (share/lib/hoc/subiter.hoc, what NeuroML's inhomogeneousParameter describes),
and the whole branched cell side by side with NEURON built by hand (hh; the Ca2+ channel of
test_neuron_side as a .mod file); then the one-line refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.neuroml.nonuniform import compile_value
from tests.conftest import neuron_h

from .nml_models import BRANCHED, N, branched_document, non_uniform, write
from .test_neuron_side import CAI, CAO, CELSIUS, channel_cell_document, neuron  # noqa: F401 - the fixture
from .test_published_forms import line_of, refused

from excitable.io import neuroml  # noqa: E402

APICAL = ("apic0", "apic1", "apic2")


def na_apical(p):
    """The apical Na+ density (S/m²) as written in the file, here in plain Python: a decay from the
    proximal end and a hot zone 150 < p < 240 µm (H: jNeuroML's Heaviside, 0.5 at 0)."""
    h = lambda x: 1.0 if x > 0 else (0.0 if x < 0 else 0.5)  # noqa: E731
    return 1200 * (0.2 + 0.8 * math.exp(-p / 100)) + 500 * h(p - 150) * h(240 - p)


HH_DENSITIES = [
    N.ChannelDensity(id="naSoma", ion_channel="naChan", cond_density="1200 S_per_m2", erev="50mV", ion="na",
                     segment_groups="soma_group"),
    non_uniform("", "naApical", "naChan", "apical", "PathOverApical",
                "1200 * (0.2 + 0.8 * exp(-p / 100)) + 500 * H(p - 150) * H(240 - p)", ion="na", erev="50mV"),
    non_uniform("", "naBasal", "naChan", "basal_group", "PathFromRoot", "600 + 2 * p", ion="na", erev="50mV"),
    N.ChannelDensity(id="kSoma", ion_channel="kChan", cond_density="360 S_per_m2", erev="-77mV", ion="k",
                     segment_groups="soma_group"),
    N.ChannelDensity(id="kBasal", ion_channel="kChan", cond_density="360 S_per_m2", erev="-77mV", ion="k",
                     segment_groups="basal_group"),
    non_uniform("", "kApical", "kChan", "apical_norm", "NormOverApical", "360 * (1 - 0.5 * p)", ion="k", erev="-77mV"),
    N.ChannelDensity(id="leak", ion_channel="passiveChan", cond_density="3.0 S_per_m2", erev="-54.3mV",
                     ion="non_specific", segment_groups="all")]


def section_lengths():
    return {name: sum(math.dist(a[:3], b[:3]) for a, b in zip(pts, pts[1:]))
            for name, (_, _, pts, _) in BRANCHED.items()}


def attachment_x(name):
    """Where a section hangs on its parent (0..1), from the parent's 3-D points: its parent segment
    (the last, or the second when the fraction is inside: BRANCHED's apic2) and the fraction."""
    parent, frac, _, _ = BRANCHED[name]
    if frac in (0.0, 1.0):
        return frac
    pts = BRANCHED[parent][2]
    seg = [math.dist(a[:3], b[:3]) for a, b in zip(pts, pts[1:])]
    return (seg[0] + frac * seg[1]) / sum(seg)


def closed_form_path(name, k):
    """Path length (µm) from the soma's 0 end to compartment k of section ``name``: NEURON connects
    a child at the node of the parent's compartment holding the attachment point (apic2 hangs at
    apic0's x = 0.65, in compartment 3 of 5: its node is x = 0.7), and the root's 0 end is where
    every path starts (basal hangs there: its own length only)."""
    lengths = section_lengths()
    parent, _, _, nseg = BRANCHED[name]
    here = (k + 0.5) / nseg * lengths[name]
    if parent is None:
        return here
    x = attachment_x(name)
    pn = BRANCHED[parent][3]
    node = x if x in (0.0, 1.0) else (min(int(x * pn), pn - 1) + 0.5) / pn
    return closed_form_path_at(parent, node) + here


def closed_form_path_at(name, x):
    parent = BRANCHED[name][0]
    return x * section_lengths()[name] + (0.0 if parent is None else closed_form_path_at(parent, attachment_x(name)))


def section_values(cell, mech, field, names):
    """The parameter per compartment of sections ``names``, in order (section, then x)."""
    comp = cell.compartments
    sites = cell.mechanism_sites(mech)
    values = getattr(cell.mechanism_at_sites(mech), field)
    out = []
    for name in names:
        s = comp.section_names.index(name)
        out += [float(values[np.flatnonzero(sites == i)[0]]) for i in np.flatnonzero((comp.section == s) & (comp.area_um2 > 0))]
    return np.array(out)


@pytest.fixture(scope="module")
def hh_cell(tmp_path_factory):
    path = write(branched_document(HH_DENSITIES), tmp_path_factory.mktemp("nu") / "branched.cell.nml")
    neuroml.validate(path)
    return neuroml.read(path).cells["branched"].cell


def test_each_compartment_gets_the_value_at_its_path_length(hh_cell):
    """The closed form: p from the section lengths alone, the formula in plain Python; S/m² -> mS/cm²
    x 0.1. 1e-12 relative: the same double operations in another order (a few ulp)."""
    p = np.array([closed_form_path(n, k) for n in APICAL for k in range(BRANCHED[n][3])])
    # translationStart 0: 0 where the group begins (apic0's 0 end, the soma's 1 end, 20 µm from the
    # root's 0 end), so apic0's first centre, 20 µm further, has p = 20
    begin, end = closed_form_path_at("apic0", 0.0), closed_form_path_at("apic1", 1.0)
    assert (begin, end) == (20.0, 320.0)
    p_apical = p - begin
    expected = 0.1 * np.array([na_apical(x) for x in p_apical])
    np.testing.assert_allclose(section_values(hh_cell, "naChan", "gbar", APICAL), expected, rtol=1e-12, atol=0)
    assert {1, 0} <= {int(150 < x < 240) for x in p_apical}  # the hot zone holds some compartments, not all
    # normalizationEnd 1: over the path from the group's beginning to its farthest end (apic1's)
    norm = p_apical / (end - begin)
    np.testing.assert_allclose(section_values(hh_cell, "kChan", "gbar", APICAL), 36.0 * (1 - 0.5 * norm),
                               rtol=1e-12, atol=0)
    # no translation: basal hangs from the root's 0 end, so p is its own path only
    p_basal = np.array([closed_form_path("basal", k) for k in range(3)])
    np.testing.assert_allclose(p_basal, (np.arange(3) + 0.5) / 3 * 80.0, rtol=1e-15)
    np.testing.assert_allclose(section_values(hh_cell, "naChan", "gbar", ["basal"]), 0.1 * (600 + 2 * p_basal),
                               rtol=1e-12, atol=0)
    # and the uniform densities beside them keep their own values
    np.testing.assert_allclose(section_values(hh_cell, "naChan", "gbar", ["soma"]), [120.0], rtol=0, atol=0)
    np.testing.assert_allclose(section_values(hh_cell, "kChan", "gbar", ["soma", "basal"]), [36.0] * 4, rtol=0, atol=0)


def test_heaviside_is_jneuroml_s_and_the_expression_reads_hays_form():
    # Hay et al.'s Ca_LVAst hot zone as OSB's L5PC.cell.nml writes it; H(0) = 0.5 (jNeuroML's NEURON export)
    f = compile_value("1.0E9 * 1.0E-8 * (0.187 + (18.513 * (H(p - 685) * H(885 - p))))", "p", "here")
    p = np.array([0.0, 684.9, 685.0, 700.0, 885.0, 900.0])
    hot = np.array([0, 0, 0.5, 1, 0.5, 0])
    np.testing.assert_allclose(f(p), 10.0 * (0.187 + 18.513 * hot), rtol=1e-15)
    assert compile_value("2 ^ (p / 10)", "p", "here")(np.array([30.0])) == pytest.approx(8.0, rel=1e-15)


# --- NEURON, built by hand ----------------------------------------------------------------------

def neuron_sections(h, prefix):
    """BRANCHED in NEURON from the same 3-D points, connected where the file hangs them."""
    secs = {}
    for name, (parent, _, pts, nseg) in BRANCHED.items():
        sec = h.Section(name=f"{prefix}_{name}")
        sec.pt3dclear()
        for pt in pts:
            sec.pt3dadd(*map(float, pt))
        sec.nseg, sec.cm, sec.Ra = nseg, 1.0, 35.4
        if parent is not None:
            sec.connect(secs[parent](attachment_x(name)))
        secs[name] = sec
    return secs


def subset_p(h, secs, proximal, distal):
    """NEURON's own p per segment centre of ``secs`` (in order): a SubsetDomainIterator with path
    metric 0 and the given proximal/distal styles (subiter.hoc)."""
    h.load_file("subiter.hoc")
    sl = h.SectionList()
    for s in secs:
        sl.append(sec=s)
    h("objref nml_subset, nml_p")
    h.nml_subset = h.SubsetDomainIterator(sl, 0, proximal, distal)
    h("nml_p = new Vector()")
    h("for nml_subset.loop() { nml_p.append(nml_subset.p) }")
    return np.array(h.nml_p)


def spike_times(t, v):
    up = np.flatnonzero((v[:-1] < 0) & (v[1:] >= 0))
    return t[up] + (0 - v[up]) / (v[up + 1] - v[up]) * (t[up + 1] - t[up])


TSTOP, AMP = 20.0, 0.6  # ms; nA from 1 ms to the end: a train of spikes at the soma


def test_branched_hh_cell_with_non_uniform_densities_equals_neuron(hh_cell):
    h = neuron_h()
    secs = neuron_sections(h, "nuhh")
    apical = [secs[n] for n in APICAL]
    p_apical = subset_p(h, apical, 1, 0)
    p_norm = subset_p(h, apical, 1, 1)
    p_basal = subset_p(h, [secs["basal"]], 0, 0)
    # NEURON's p and ours give the same values per compartment: the formula applied to NEURON's p
    np.testing.assert_allclose(section_values(hh_cell, "naChan", "gbar", APICAL),
                               0.1 * np.array([na_apical(x) for x in p_apical]), rtol=1e-12, atol=0)
    np.testing.assert_allclose(section_values(hh_cell, "kChan", "gbar", APICAL), 36.0 * (1 - 0.5 * p_norm),
                               rtol=1e-12, atol=0)
    np.testing.assert_allclose(section_values(hh_cell, "naChan", "gbar", ["basal"]), 0.1 * (600 + 2 * p_basal),
                               rtol=1e-12, atol=0)
    for sec in secs.values():
        sec.insert("hh")
        sec.ena, sec.ek = 50.0, -77.0
        for seg in sec:
            seg.hh.gnabar, seg.hh.gkbar, seg.hh.gl, seg.hh.el = 0.12, 0.036, 0.0003, -54.3
    for seg, x in zip((seg for s in apical for seg in s), p_apical):
        seg.hh.gnabar = na_apical(x) * 1e-4  # S/m² -> S/cm²
    for seg, x in zip((seg for s in apical for seg in s), p_norm):
        seg.hh.gkbar = 360 * (1 - 0.5 * x) * 1e-4
    for seg, x in zip(secs["basal"], p_basal):
        seg.hh.gnabar = (600 + 2 * x) * 1e-4
    h.usetable_hh = 0  # exact rates, as ours
    stim = h.IClamp(secs["soma"](0.5))
    stim.delay, stim.dur, stim.amp = 1.0, TSTOP, AMP
    sites = {"soma": 0.5, "apic0": 0.9, "apic1": 0.5, "apic2": 5 / 6, "basal": 0.5}
    vecs = {n: h.Vector().record(secs[n](x)._ref_v) for n, x in sites.items()}
    h.dt, h.secondorder, h.celsius = 0.025, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    theirs = {n: np.array(v) for n, v in vecs.items()}
    del stim, secs, apical
    sim = ex.Simulation(hh_cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(hh_cell.soma, amplitude=AMP, delay=1.0, duration=TSTOP))
    for n, x in sites.items():
        sim.record("v", ex.Location(n, x), label=n)
    ours = sim.run(TSTOP)
    t = np.asarray(ours.t)
    spikes = spike_times(t, theirs["apic1"])
    assert len(spikes) >= 2  # a train that reaches the apical tree: the densities there shape it
    for n in sites:
        # the same tree solve and exponential-Euler gates in both (hh vs NeuroML's HH: 1e-9 apart,
        # test_import; ours vs hh under 1e-6 on a cable, test_neuron_cable): 1e-6 of the range
        worst = np.max(np.abs(np.asarray(ours[n]) - theirs[n]))
        assert worst < 1e-6 * np.ptp(theirs[n]), (n, worst)
        a, b = spike_times(t, np.asarray(ours[n])), spike_times(t, theirs[n])
        assert len(a) == len(b) and np.max(np.abs(a - b), initial=0.0) < 0.05, n


def ca_channels(doc):
    """test_neuron_side's Ca2+ channel (the .mod nml_cachan is its NEURON twin)."""
    doc.ion_channel_hhs.append(channel_cell_document().ion_channel_hhs[0])


def ca_apical(p):
    return 10 * (1 + p / 100)  # S/m²


def test_non_uniform_nernst_density_equals_neuron(neuron, tmp_path):
    species = [N.Species(id="ca", ion="ca", concentration_model="none", initial_concentration=f"{CAI}mM",
                         initial_ext_concentration=f"{CAO}mM")]
    densities = [N.ChannelDensityNernst(id="caSoma", ion_channel="caChan", cond_density="10 S_per_m2", ion="ca",
                                        segment_groups="soma_group"),
                 non_uniform("Nernst", "caApical", "caChan", "apical", "PathOverApical", "10 * (1 + p / 100)", ion="ca"),
                 non_uniform("Nernst", "caBasal", "caChan", "basal_group", "PathFromRoot", "20 - 0.1 * p", ion="ca")]
    path = write(branched_document(nernst=densities, channels=ca_channels, species=species), tmp_path / "ca.nml")
    cell = neuroml.read(path, concentrations="fixed").cells["branched"].cell
    h = neuron
    secs = neuron_sections(h, "nuca")
    apical = [secs[n] for n in APICAL]
    p_apical, p_basal = subset_p(h, apical, 1, 0), subset_p(h, [secs["basal"]], 0, 0)
    np.testing.assert_allclose(section_values(cell, "caChan", "gbar", APICAL), 0.1 * ca_apical(p_apical),
                               rtol=1e-12, atol=0)
    for sec in secs.values():
        sec.insert("nml_cachan")
        for seg in sec:
            seg.nml_cachan.gbar = 10 * 1e-4
    for seg, x in zip((seg for s in apical for seg in s), p_apical):
        seg.nml_cachan.gbar = ca_apical(x) * 1e-4
    for seg, x in zip(secs["basal"], p_basal):
        seg.nml_cachan.gbar = (20 - 0.1 * x) * 1e-4
    h.cai0_ca_ion, h.cao0_ca_ion = CAI, CAO
    stim = h.IClamp(secs["soma"](0.5))
    stim.delay, stim.dur, stim.amp = 2.0, 30.0, 0.05
    sites = {"soma": 0.5, "apic1": 0.5, "apic2": 5 / 6, "basal": 0.5}
    vecs = {n: h.Vector().record(secs[n](x)._ref_v) for n, x in sites.items()}
    h.dt, h.secondorder, h.celsius = 0.025, 0, CELSIUS
    h.finitialize(-80.0)
    h.continuerun(30.0)
    theirs = {n: np.array(v) for n, v in vecs.items()}
    del stim, secs, apical
    sim = ex.Simulation(cell, dt=0.025, temperature=CELSIUS, v_init=-80.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.05, delay=2.0, duration=30.0))
    for n, x in sites.items():
        sim.record("v", ex.Location(n, x), label=n)
    ours = sim.run(30.0)
    assert np.ptp(theirs["apic1"]) > 10  # mV: the Ca2+ current moves the tree, not a flat line
    for n in theirs:
        # one .mod file and one NeuroML channel, the same law (test_neuron_side: 1e-6 of the range)
        worst = np.max(np.abs(np.asarray(ours[n]) - theirs[n]))
        assert worst < 1e-6 * np.ptp(theirs[n]), (n, worst)


def test_non_uniform_ghk_density_sets_each_permeability(tmp_path):
    """GHK's permeability per compartment (m/s -> cm/s x 100) in closed form; the GHK law itself is
    test_densities' closed form. A constant expression runs as the uniform density (rounding only)."""
    def doc(ghk):
        def channels(d):
            d.ion_channel.append(N.IonChannel(id="caPass", type="ionChannelPassive", conductance="10pS", species="ca"))
            d.ion_channel.append(N.IonChannel(id="passiveChan", type="ionChannelPassive", conductance="10pS"))
        species = [N.Species(id="ca", ion="ca", concentration_model="none", initial_concentration=f"{CAI}mM",
                             initial_ext_concentration=f"{CAO}mM")]
        leak = N.ChannelDensity(id="leak", ion_channel="passiveChan", cond_density="3.0 S_per_m2", erev="-65mV",
                                ion="non_specific")
        return branched_document([leak], ghk=ghk, channels=channels, species=species)

    varying = non_uniform("GHK", "caG", "caPass", "apical", "PathOverApical", "1e-6 * (1 + p / 100)", ion="ca")
    cell = neuroml.read(write(doc([varying]), tmp_path / "g.nml"), concentrations="fixed").cells["branched"].cell
    p = np.array([closed_form_path(n, k) for n in APICAL for k in range(BRANCHED[n][3])])
    np.testing.assert_allclose(section_values(cell, "caPass", "permeability", APICAL),
                               1e-4 * (1 + (p - closed_form_path_at("apic0", 0.0)) / 100), rtol=1e-12, atol=0)
    traces = []
    for ghk in ([non_uniform("GHK", "caG", "caPass", "apical", "PathOverApical", "1e-6 + 0 * p", ion="ca")],
                [N.ChannelDensityGHK(id="caG", ion_channel="caPass", permeability="1e-6 m_per_s", ion="ca",
                                     segment_groups="apical")]):
        c = neuroml.read(write(doc(ghk), tmp_path / "g.nml"), concentrations="fixed").cells["branched"].cell
        sim = ex.Simulation(c, dt=0.025, temperature=CELSIUS, v_init=-65.0)
        sim.record("v", ex.Location("apic1", 0.5), label="v")
        traces.append(np.asarray(sim.run(5.0)["v"]))
    assert np.ptp(traces[0]) > 1  # mV: the Ca2+ current depolarizes the apical tree
    np.testing.assert_allclose(traces[0], traces[1], rtol=0, atol=1e-12 * np.ptp(traces[1]))


# --- refusals -----------------------------------------------------------------------------------

@pytest.mark.parametrize("change, needle, match", [
    (lambda d: setattr(d.variable_parameters[0].inhomogeneous_value, "value", "10 * q"), "<inhomogeneousValue",
     r"inhomogeneousValue: '10 \* q': unknown name 'q'; known: p"),
    (lambda d: setattr(d.variable_parameters[0], "segment_groups", "nowhere"), "<variableParameter",
     r"variableParameter: segmentGroup 'nowhere' is not a segment group of this cell that declares an "
     r"inhomogeneousParameter; those that do: apical, apical_norm, basal_group"),
    (lambda d: setattr(d.variable_parameters[0].inhomogeneous_value, "value", "-5 + 0 * p"), "<channelDensityNonUniform",
     r"'naApical': value '-5 \+ 0 \* p' is -5 \(SI\) at p = 20 in section 'apic0'; a density must be finite and >= 0"),
    (lambda d: setattr(d.variable_parameters[0].inhomogeneous_value, "value", "1 / (p - p)"), "<channelDensityNonUniform",
     r"'naApical': value '1 / \(p - p\)' is inf \(SI\) at p = 20 in section 'apic0'; a density must be finite"),
    (lambda d: setattr(d.variable_parameters[0].inhomogeneous_value, "inhomogeneous_parameters", "PathFromRoot"),
     "<inhomogeneousValue", r"inhomogeneousParameter 'PathFromRoot' is not declared by segment group 'apical'; "
                            r"it declares PathOverApical"),
])
def test_what_a_non_uniform_density_cannot_run_is_one_line_at_its_line(tmp_path, change, needle, match):
    density = non_uniform("", "naApical", "naChan", "apical", "PathOverApical", "1200", ion="na", erev="50mV")
    change(density)
    text = (p := write(branched_document([density]), tmp_path / "bad.nml")).read_text()
    refused(p, rf"^NeuroML: .*bad\.nml:{line_of(text, needle)}: cell 'branched'.*{match}")


@pytest.mark.parametrize("attr, value, match", [
    ("metric", "3D radial position", r"metric '3D radial position' is not supported \(only 'Path Length from root'"),
    ("proximal", N.ProximalDetails(translation_start="5"), r"proximal translationStart 5\.0: only 0"),
    ("distal", N.DistalDetails(normalization_end="2"), r"distal normalizationEnd 2\.0: only 1"),
])
def test_a_metric_neuron_has_no_counterpart_for_is_refused_at_its_line(tmp_path, attr, value, match):
    density = non_uniform("", "k", "kChan", "apical_norm", "NormOverApical", "360", ion="k", erev="-77mV")
    doc = branched_document([density])
    group = next(g for g in doc.cells[0].morphology.segment_groups if g.id == "apical_norm")
    setattr(group.inhomogeneous_parameters[0], attr, value)
    text = (p := write(doc, tmp_path / "m.nml")).read_text()
    line = line_of(text, '<inhomogeneousParameter id="NormOverApical"')
    refused(p, rf"^NeuroML: .*m\.nml:{line}: cell "
               rf"'branched' inhomogeneousParameter 'NormOverApical': {match}")


def test_a_variable_parameter_in_a_plain_channel_density_is_refused(tmp_path):
    # NeuroML v2beta3's form (OSB's older L5PC.cell.nml): a channelDensity holding a variableParameter
    d = N.ChannelDensity(id="old", ion_channel="naChan", cond_density="0 S_per_m2", erev="50mV", ion="na",
                         segment_groups="apical", variable_parameters=non_uniform(
                             "", "x", "naChan", "apical", "PathOverApical", "1").variable_parameters)
    text = (p := write(branched_document([d]), tmp_path / "old.nml")).read_text()
    with pytest.raises(ModelError, match=rf"old\.nml:{line_of(text, '<channelDensity ')}: cell 'branched' "
                                         r"channelDensity 'old': variableParameter is not supported here"):
        neuroml.read(p)
