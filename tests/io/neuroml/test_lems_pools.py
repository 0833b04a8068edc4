"""Calcium concentration models defined in LEMS (issue 18): a Hay-style pool (Hay et al. 2011's
CaDynamics_E2 with the drive clipped at 0 as Destexhe's cad.mod does, and a floor by an OnCondition),
our own ComponentType, on a compartment with a Ca2+ channel and a Ca2+-dependent K+ gate, side by side
with NEURON running the pool as jNeuroML's NEURON export writes it (``nml_hayca`` of
test_neuron_side); units; one-line refusals; export (the ComponentType in the document, the instance in a
sibling file it includes) and the round trip."""

from __future__ import annotations

import numpy as np
import pytest
from lxml import etree

import excitable as ex
from excitable.errors import ModelError

from .nml_models import N, run, write
from .test_lems_rates import kca_cell_document
from .test_neuron_side import CELSIUS, DT, clamp, neuron, neuron_run  # noqa: F401 - the fixture

from excitable.io import neuroml  # noqa: E402

TSTOP = 40.0
INSTANCE = '<concentrationModel id="caHay" type="hayCa" ion="ca" gamma="0.05" decay="80 ms" depth="0.1 um" ' \
           'minCai="1e-4 mM"/>'


def hay_type(clip=True):
    """dC/dt = drive - (C - minCai)/decay, drive = gamma iCa/(surfaceArea 2 F depth) when Ca2+ flows
    in, else 0 (``clip``); C floored at minCai by an OnCondition."""
    drive = "currDensCa * gamma / (2 * Faraday * depth)"
    cases = [N.Case(condition="currDensCa .gt. 0", value=drive), N.Case(value="0")] if clip else [N.Case(value=drive)]
    dyn = N.Dynamics(
        StateVariable=[N.StateVariable(name="concentration", dimension="concentration", exposure="concentration"),
                       N.StateVariable(name="extConcentration", dimension="concentration", exposure="extConcentration")],
        DerivedVariable=[N.DerivedVariable(name="currDensCa", dimension="currentDensity", value="iCa / surfaceArea")],
        ConditionalDerivedVariable=[N.ConditionalDerivedVariable(name="drive", dimension="concentration_per_time",
                                                                 Case=cases)],
        TimeDerivative=[N.TimeDerivative(variable="concentration", value="drive - (concentration - minCai) / decay")],
        OnStart=N.OnStart(StateAssignment=[N.StateAssignment(variable="concentration", value="initialConcentration"),
                                           N.StateAssignment(variable="extConcentration",
                                                             value="initialExtConcentration")]),
        OnCondition=[N.OnCondition(test="concentration .lt. minCai",
                                   StateAssignment=[N.StateAssignment(variable="concentration", value="minCai")])])
    return N.ComponentType(
        name="hayCa", extends="concentrationModel",
        Parameter=[N.Parameter(name=n, dimension=d) for n, d in
                   (("gamma", "none"), ("decay", "time"), ("depth", "length"), ("minCai", "concentration"))],
        Constant=[N.Constant(name="Faraday", dimension="charge_per_mole", value="96485.3 C_per_mol")],
        Requirement=[N.Requirement(name="iCa", dimension="current")], Dynamics=[dyn])


def hay_file(path, *, clip=True, instance=INSTANCE, edit=None):
    """``kca_cell_document`` (Ca2+ channel under channelDensityNernst, the Ca2+-dependent K+ channel)
    with its species' model the LEMS pool; the instance is XML that libNeuroML cannot hold, so it is
    written into the file after libNeuroML's writer."""
    doc = kca_cell_document()
    doc.cells[0].biophysical_properties.intracellular_properties.species[0].concentration_model = "caHay"
    doc.ComponentType.append(hay_type(clip))
    if edit:
        edit(doc)
    write(doc, path)
    path.write_text(path.read_text().replace("</neuroml>", f"    {instance}\n</neuroml>"))
    return path


def ours(path, step=None, tstop=TSTOP):
    cell = neuroml.read(path).cells["cell"].cell
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-80.0)
    if step is None:
        sim.stimulate(ex.IClamp(cell.soma, amplitude=0.02, delay=2.0, duration=tstop))
    else:
        sim.stimulate(ex.VClamp(cell.soma, levels=clamp(step), rs=0.01))
    for signal in ("v", "caHay.concentration", "caHay.ci", "kCa.q", "kCa.c"):
        sim.record(signal)
    return sim.run(tstop)


def worst(mine, theirs):
    pairs = {"v": mine["v"], "cai": mine["caHay.ci"], "q": mine["kCa.q"], "c": mine["kCa.c"]}
    return {k: float(np.max(np.abs(np.asarray(m) - theirs[k])) / np.max(np.abs(theirs[k]))) for k, m in pairs.items()}


def test_lems_pool_follows_neuron_as_jneuroml_exports_it(neuron, tmp_path):
    path = hay_file(tmp_path / "hay.cell.nml")
    mine = ours(path)
    theirs = neuron_run(neuron, pool="nml_hayca", tstop=TSTOP, also=("nml_bkca", ("c", "q")))
    # a real test: it fires, the pool fills to 4.5 x minCai, the K+ gate follows it
    assert mine["v"].max() > 0 and theirs["cai"].max() > 3 * 1e-4 and np.ptp(theirs["q"]) > 0.3
    # the floor: [Ca]i starts at the species' 5e-5 mM, under minCai; the OnCondition lifts the state
    # to minCai after the first step while the [Ca]i written in that step stays below (NEURON's order)
    assert theirs["cai"][1] < 1e-4 and abs(float(mine["caHay.concentration"][1]) - 1e-4) < 1e-18
    # The same forward-Euler update of the same rate (our SI against the .mod's nA/um2/mM/ms), the
    # same current of the step's start: rounding only; 1e-6 of each trace's range is the bound
    assert max(worst(mine, theirs).values()) < 1e-6, worst(mine, theirs)  # 5e-15 seen
    # above E_Ca (+160 mV, E_Ca ~ +138 mV) the Ca2+ current flows out and the clip holds the drive at
    # 0; without the clip it pulls [Ca]i down (a test that fails if the clip were lost)
    theirs = neuron_run(neuron, step=160.0, pool="nml_hayca", tstop=20.0, also=("nml_bkca", ("c", "q")))
    assert np.max(theirs["ica"]) > 1e-3  # outward, mA/cm²
    assert max(worst(ours(path, 160.0, 20.0), theirs).values()) < 1e-6  # 3e-11 seen (V: the clamp's solve)
    unclipped = ours(hay_file(tmp_path / "noclip.nml", clip=False), 160.0, 20.0)
    assert worst(unclipped, theirs)["cai"] > 1e-2  # 1.8e-2 of the range seen


def test_parameter_units_are_converted_as_lems_does(tmp_path):
    """The same instance in other units (cm, s, uM) gives the same run to rounding; a unit of
    another dimension, or none, is refused naming the parameter; so is a missing parameter."""
    a = ours(hay_file(tmp_path / "a.nml"), tstop=10.0)
    other = INSTANCE.replace('"80 ms"', '"0.08 s"').replace('"0.1 um"', '"1e-5 cm"').replace('"1e-4 mM"', '"0.1 uM"')
    b = ours(hay_file(tmp_path / "b.nml", instance=other), tstop=10.0)
    for k in ("v", "caHay.ci"):  # the unit factors are exact up to one rounding (1e-15 relative)
        np.testing.assert_allclose(b[k], a[k], rtol=1e-12, atol=0)
    # the instance written as an element named by its type (as some OSB files do): the same pool,
    # its parameters fields in SI (decay 80 ms = 0.08 s)
    same = INSTANCE.replace('<concentrationModel id="caHay" type="hayCa"', '<hayCa id="caHay"')
    cell = neuroml.read(hay_file(tmp_path / "tag.nml", instance=same)).cells["cell"].cell
    pool = cell.mechanisms["caHay"]
    assert (pool.gamma, pool.decay, pool.depth, pool.minCai) == (0.05, 0.08, 1e-7, 1e-4)
    assert type(pool).units["decay"] == "s" and type(pool).states == ("concentration", "ci")
    for bad, match in ((INSTANCE.replace('"80 ms"', '"80"'), r"parameter 'decay': '80' is not a time quantity"),
                       (INSTANCE.replace('"0.1 um"', '"0.1 mV"'), r"parameter 'depth': '0.1 mV' is not a length"),
                       (INSTANCE.replace(' gamma="0.05"', ''), r"parameter 'gamma': missing"),
                       (INSTANCE.replace(' gamma="0.05"', ' gama="0.05"'),
                        r"gama='0.05' is not a Parameter of ComponentType 'hayCa' \(decay, depth"),
                       (INSTANCE.replace('ion="ca"', 'ion="k"'), r"ion 'k'; the pools here write Ca2\+")):
        with pytest.raises(ModelError, match=r"^NeuroML: c.nml:\d+: concentration model 'caHay':? " + match) as e:
            neuroml.read(hay_file(tmp_path / "c.nml", instance=bad))
        assert "\n" not in str(e.value)


def refused(path, match):
    with pytest.raises(ModelError, match=match) as e:
        neuroml.read(path)
    assert "\n" not in str(e.value)


def test_constructs_outside_the_subset_are_refused_at_their_line(tmp_path):
    def dyn(doc):
        return doc.ComponentType[-1].Dynamics[0]

    cases = [
        (lambda d: setattr(dyn(d), "OnEvent", [N.OnEvent(port="in")]), r"OnEvent is not supported"),
        (lambda d: setattr(dyn(d), "Regime", [N.Regime(name="r")]), r"Regime is not supported"),
        (lambda d: dyn(d).StateVariable.append(N.StateVariable(name="buffer", dimension="concentration")),
         r"StateVariable 'buffer' is not supported"),
        (lambda d: dyn(d).TimeDerivative.append(N.TimeDerivative(variable="extConcentration", value="0")),
         r"TimeDerivative of 'extConcentration' is not supported"),
        (lambda d: d.ComponentType[-1].Requirement.append(N.Requirement(name="v", dimension="voltage")),
         r"Requirement 'v' is not supported"),
        (lambda d: setattr(dyn(d).TimeDerivative[0], "value", "random(1) - concentration / decay"),
         r"TimeDerivative: 'random\(1\) - concentration / decay': 'random' is not supported"),
        (lambda d: dyn(d).OnCondition[0].EventOut.append(N.EventOut(port="spike")),
         r"OnCondition: EventOut/Transition is not supported"),
    ]
    for edit, match in cases:
        refused(hay_file(tmp_path / "r.nml", edit=edit), r"^NeuroML: r.nml:\d+: ComponentType 'hayCa' " + match)
    # a gate's rate type with an OnStart (one element in libNeuroML, not a list): refused in one line too
    refused(hay_file(tmp_path / "r.nml", edit=lambda d: setattr(d.ComponentType[2].Dynamics[0], "OnStart", N.OnStart(
        StateAssignment=[N.StateAssignment(variable="x", value="0")]))),
        r"^NeuroML: r.nml:\d+: ComponentType 'skInf' OnStart is not supported")
    refused(hay_file(tmp_path / "r.nml", instance=INSTANCE.replace("/>", ' cai0="1 mM"/>'),
                     edit=lambda d: d.ComponentType[-1].Parameter.append(N.Parameter(name="cai0",
                                                                                     dimension="concentration"))),
            r"parameter 'cai0': the name is taken by the pool's own fields")


def test_the_pool_update_differentiates_and_runs_in_the_fused_kernel(tmp_path):
    """One step's [Ca]i against its closed form (forward Euler: dt x rate), its derivative in gamma
    (dt x drive / gamma, exact: the drive is linear in gamma) by jax.grad; and the fused
    single-compartment kernel (Pallas; its interpreter on a CPU) equal to the scan."""
    import jax

    cell = neuroml.read(hay_file(tmp_path / "g.nml")).cells["cell"].cell
    pool = cell.mechanisms["caHay"]
    area, ica, c0, dt = 314.159, -2e-3, 2e-4, 0.025  # um2, mA/cm2 (inward), mM, ms
    drive = 2e-3 * 10 * 0.05 / (2 * 96485.3 * 1e-7) * 1e-3  # mM/ms: gamma |ica| / (2 F depth), ica in A/m2
    rate = drive - (c0 - 1e-4) / 80.0

    def step(gamma):
        p = type(pool)(gamma=gamma, ica=ica, area_um2=area)
        return p.advance(-20.0, {"concentration": c0, "ci": c0}, CELSIUS, dt, {})["ci"]

    # 1e-12 relative: the closed form and the code round differently (SI vs mM/ms factors)
    np.testing.assert_allclose(float(jax.jit(step)(0.05)), c0 + dt * rate, rtol=1e-12)
    np.testing.assert_allclose(float(jax.grad(step)(0.05)), dt * drive / 0.05, rtol=1e-12)
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-80.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.02, delay=2.0, duration=15.0))
    sim.record("v")
    sim.record("caHay.ci")
    scan, fused = sim.run(15.0, kernel="scan"), sim.run(15.0, kernel="fused")
    for k in ("v", "caHay.ci"):  # the same operations in another program: rounding at most
        np.testing.assert_allclose(fused[k], scan[k], rtol=0, atol=1e-10 * np.ptp(scan[k]))


def component_type_xml(path, name):
    """The canonical XML (exclusive C14N, blank text dropped) of ComponentType ``name`` in a file."""
    tree = etree.parse(str(path), etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True))
    found = [ct for ct in tree.iter("{*}ComponentType") if ct.get("name") == name]
    assert len(found) == 1, (path, name)
    return etree.tostring(found[0], method="c14n", exclusive=True)


def test_a_lems_pool_exports_with_its_component_type_and_round_trips(tmp_path):
    """Export writes the pool's ComponentType into the document and its instance into the sibling
    file the document includes; libNeuroML's validator (which follows the include) and the schema
    accept the document; read again, the same pool (parameters to the bit) and the same traces."""
    from neuroml.utils import validate_neuroml2

    def exposures(doc):  # an Exposure too, as OSB's files declare them: it must be written back
        doc.ComponentType[-1].Exposure = [N.Exposure(name="concentration", dimension="concentration")]

    src = hay_file(tmp_path / "in.nml", edit=exposures)
    cell = neuroml.read(src).cells["cell"].cell
    out = tmp_path / "out"
    out.mkdir()
    back = neuroml.save(cell, out / "hay.nml")  # validated before it is kept
    assert sorted(p.name for p in out.iterdir()) == ["hay.lems.nml", "hay.nml"]  # no temporary left
    neuroml.validate(back)
    validate_neuroml2(str(back))  # libNeuroML's own validator, the reference
    # the ComponentType as the original defined it: names, dimensions, expressions, element by element
    assert component_type_xml(back, "hayCa") == component_type_xml(src, "hayCa")
    assert b'<Exposure dimension="concentration" name="concentration">' in component_type_xml(back, "hayCa")
    root = etree.parse(str(back)).getroot()
    assert [i.get("href") for i in root.findall("{*}include")] == ["hay.lems.nml"]
    # the instance in SI units (repr: the same floats back)
    pools = list(etree.parse(str(out / "hay.lems.nml")).getroot().iter("{*}concentrationModel"))
    assert [dict(p.attrib) for p in pools] == [{"id": "caHay", "type": "hayCa", "ion": "ca", "gamma": "0.05",
                                               "decay": "0.08 s", "depth": "1e-07 m", "minCai": "0.0001 mM"}]
    again = neuroml.read(back).cells["cell"].cell
    a, b = cell.mechanisms["caHay"], again.mechanisms["caHay"]
    assert type(b).neuroml_lems_type == "hayCa" and type(b).states == type(a).states
    for k in ("gamma", "decay", "depth", "minCai", "cai0", "cao"):
        assert getattr(b, k) == getattr(a, k), k
    mine, theirs = ours(src, tstop=20.0), ours(back, tstop=20.0)
    assert np.ptp(mine["caHay.ci"]) > 1e-4 and mine["v"].max() > 0  # it fires and the pool fills
    for k in ("v", "caHay.ci", "caHay.concentration", "kCa.q"):  # issue 18's round-trip bound
        np.testing.assert_allclose(theirs[k], mine[k], rtol=0, atol=1e-9)


def test_what_cannot_hold_a_lems_pool_is_refused_in_one_line(tmp_path):
    """``to_document`` returns one libNeuroML document, which cannot hold the instance; a pool whose
    parameters vary within a section has no single instance there."""
    cell = neuroml.read(hay_file(tmp_path / "in.nml")).cells["cell"].cell
    with pytest.raises(ModelError, match=r"^NeuroML export: pool 'caHay' is a concentration model defined in LEMS "
                                         r"\(ComponentType 'hayCa'\), whose instance a libNeuroML document cannot "
                                         r"hold; neuroml.save writes it into a sibling file$") as e:
        neuroml.to_document(cell)
    assert "\n" not in str(e.value)


def tapered_lems_file(path):
    """test_pool_sections' soma and tapered dendrite (nseg 3) with the Hay pool on both."""
    from .test_pool_sections import tapered_cell_document

    doc = tapered_cell_document()
    doc.cells[0].biophysical_properties.intracellular_properties.species[0].concentration_model = "caHay"
    doc.ComponentType.append(hay_type())
    write(doc, path)
    path.write_text(path.read_text().replace("</neuroml>", f"    {INSTANCE}\n</neuroml>"))
    return path


def test_a_lems_pool_set_per_section_exports_one_instance_per_value(tmp_path):
    """The pool's gamma set to another value on the dendrite: two instances in the sibling file (the
    pool's name kept for the first), the same parameters and V back; varied within the dendrite, it
    has no NeuroML form (an instance serves whole segment groups): one line, nothing written."""
    cell = neuroml.read(tapered_lems_file(tmp_path / "t.nml")).cells["cell"].cell
    cell.set("caHay.gamma", 0.02, where=["dend"])
    back = neuroml.save(cell, tmp_path / "per.nml")
    pools = etree.parse(str(tmp_path / "per.lems.nml")).getroot().findall("{*}concentrationModel")
    assert sorted((p.get("id"), p.get("gamma")) for p in pools) == [("caHay", "0.05"), ("caHay_2", "0.02")]
    again = neuroml.read(back).cells["cell"].cell
    gammas = {n: np.ravel(again.mechanism_at_sites(n).gamma).tolist() for n in again.mechanisms if "caHay" in n}
    assert sorted(gammas.values()) == [[0.02, 0.02, 0.02], [0.05]]
    a, b = (run(c, ["v"], tstop=10.0, amplitude=0.05, temperature=CELSIUS) for c in (cell, again))
    assert np.ptp(a["v"]) > 5  # the step moves V (6 mV)
    np.testing.assert_allclose(b["v"], a["v"], rtol=0, atol=1e-9)  # issue 18's round-trip bound
    cell.set("caHay.gamma", lambda d: 0.01 + 1e-3 * d, where=["dend"])
    with pytest.raises(ModelError, match=r"^NeuroML export: pool 'caHay' varies within section 'dend'$"):
        neuroml.save(cell, tmp_path / "graded.nml")
    assert not (tmp_path / "graded.nml").exists() and not list(tmp_path.glob(".graded*"))


def test_a_lems_pool_on_a_section_of_several_compartments_has_each_ones_area(tmp_path):
    """``surfaceArea`` is each compartment's own membrane area, as NEURON's ``area`` per segment in
    jNeuroML's export: on test_pool_sections' tapered dendrite (nseg 3) the LEMS pool's areas are the
    standard decaying pool's, which that file checks against NEURON's (1e-12)."""
    from .test_pool_sections import tapered_cell_document

    from .test_pool_sections import tapered_cell_document

    standard = neuroml.read(write(tapered_cell_document(), tmp_path / "std.nml")).cells["cell"].cell
    cell = neuroml.read(tapered_lems_file(tmp_path / "lems.nml")).cells["cell"].cell
    areas = np.asarray(cell.mechanism_at_sites("caHay").area_um2)
    np.testing.assert_array_equal(areas, standard.mechanism_at_sites("caPool").area_um2)
    assert len(areas) == 4 and np.ptp(areas[1:]) > 50  # µm²: the soma and three different compartments


def test_an_onstart_other_than_the_species_level_leaves_neurons_cai_until_the_first_step(tmp_path):
    """OnStart concentration = minCai (1e-4 mM), the species at 5e-5 mM, no OnCondition: jNeuroML's
    INITIAL sets the state, not cai, so the readers' INITIAL and the first step see 5e-5 mM; here the
    written [Ca]i is the state ``ci``, at the species' level until the first update."""
    def edit(doc):
        dyn = doc.ComponentType[-1].Dynamics[0]
        dyn.OnStart.StateAssignment[0].value = "minCai"
        dyn.OnCondition = []

    cell = neuroml.read(hay_file(tmp_path / "s.nml", edit=edit)).cells["cell"].cell
    assert type(cell.mechanisms["caHay"]).states == ("concentration", "ci")
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-80.0)
    sim.record("caHay.concentration")
    sim.record("caHay.ci")
    out = sim.run(1.0)
    assert float(out["caHay.concentration"][0]) == 1e-4 and float(out["caHay.ci"][0]) == 5e-5
    # from the first step on, [Ca]i is the state's forward-Euler update (equal to rounding)
    np.testing.assert_allclose(out["caHay.ci"][1:], out["caHay.concentration"][1:], rtol=1e-15)
    assert 9e-5 < float(out["caHay.ci"][1]) < 1.1e-4
