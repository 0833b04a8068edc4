"""Gate rates defined in LEMS (issue 18, item 5): a Ca2+-dependent K+ channel whose gates are
ComponentTypes of the file (rates of V and [Ca2+]i, as the NeuroML2 examples and OSB models write
them), run beside NEURON running the same channel written as a .mod file (``nml_bkca`` of
test_neuron_side), with the decaying Ca2+ pool filled by a Ca2+ channel; and the expression subset's
one-line refusals. The ComponentTypes are our own, written for the test."""

from __future__ import annotations

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError

from .nml_models import N, write
from .test_neuron_side import CAI, CELSIUS, DT, channel_cell_document, neuron, neuron_run  # noqa: F401 - the fixture

from excitable.io import neuroml  # noqa: E402
from excitable.io.neuroml.lems import compile_expression  # noqa: E402

TSTOP = 40.0


def constant(name, dimension, value):
    return N.Constant(name=name, dimension=dimension, value=value)


def component(name, extends, constants, derived, conditional=()):
    return N.ComponentType(name=name, extends=extends, Constant=[constant(*c) for c in constants],
                           Dynamics=[N.Dynamics(DerivedVariable=[N.DerivedVariable(**d) for d in derived],
                                                ConditionalDerivedVariable=list(conditional))])


def kca_types():
    """Four ComponentTypes: two rates of V and [Ca2+]i (one with the temperature, one with V clamped
    by a ConditionalDerivedVariable), a steady state of [Ca2+]i, a time course of V."""
    ms, mm = ("TIME_SCALE", "time", "1 ms"), ("CONC_SCALE", "concentration", "1 mM")
    alpha = component("kcaAlpha", "baseVoltageConcDepRate",
                      [ms, mm, ("F", "charge_per_mole", "96485.3 C_per_mol"),
                       ("R", "idealGasConstantDims", "8.3144621 J_per_K_per_mol")],
                      [dict(name="ca", dimension="none", value="caConc / CONC_SCALE"),
                       dict(name="k1", dimension="none", value="0.18e-3 * exp(-2 * 0.84 * F * v / (R * temperature))"),
                       dict(name="r", dimension="per_time", exposure="r", value="0.48 * ca / (ca + k1) / TIME_SCALE")])
    clamp = N.ConditionalDerivedVariable(name="Vc", dimension="none", Case=[
        N.Case(condition="V .lt. -70", value="-70"), N.Case(condition="V .gt. 20 .or. V .eq. 20", value="20"),
        N.Case(value="V")])
    beta = component("kcaBeta", "baseVoltageConcDepRate", [ms, mm, ("VOLT_SCALE", "voltage", "1 mV")],
                     [dict(name="V", dimension="none", value="v / VOLT_SCALE"),
                      dict(name="r", dimension="per_time", exposure="r",
                           value="0.28 / (1 + caConc / CONC_SCALE / (0.011 * exp(-0.07 * Vc))) / TIME_SCALE")],
                     [clamp])
    inf = component("skInf", "baseVoltageConcDepVariable", [("KD", "concentration", "0.4 uM")],
                    [dict(name="x", dimension="none", exposure="x", value="caConc^2 / (caConc^2 + KD^2)")])
    tau = component("skTau", "baseVoltageDepTime", [ms, ("VOLT_SCALE", "voltage", "1 mV")],
                    [dict(name="t", dimension="time", exposure="t",
                          value="(4 + 12 / (1 + exp((v / VOLT_SCALE + 40) / 8))) * TIME_SCALE")])
    return [alpha, beta, inf, tau]


def kca_cell_document():
    """``channel_cell_document`` (the Ca2+ channel under channelDensityNernst and the decaying pool)
    plus the K+ channel kCa (gateHHrates c, gateHHtauInf q: generic <gate> elements) at 1 mS/cm²."""
    doc = channel_cell_document("caPool")
    ch = N.IonChannelHH(id="kCa", conductance="10pS", species="k")
    ch.gates.append(N.GateHHUndetermined(id="c", type="gateHHrates", instances=1,
                                         forward_rate=N.HHRate(type="kcaAlpha"), reverse_rate=N.HHRate(type="kcaBeta")))
    ch.gates.append(N.GateHHUndetermined(id="q", type="gateHHtauInf", instances=1,
                                         steady_state=N.HHVariable(type="skInf"), time_course=N.HHTime(type="skTau")))
    doc.ion_channel_hhs.append(ch)
    doc.ComponentType.extend(kca_types())
    doc.cells[0].biophysical_properties.membrane_properties.channel_densities.append(
        N.ChannelDensity(id="kCaD", ion_channel="kCa", cond_density="10 S_per_m2", erev="-90mV", ion="k"))
    return doc


def test_calcium_dependent_k_channel_of_lems_rates_follows_neuron(neuron, tmp_path):
    path = write(kca_cell_document(), tmp_path / "kca.cell.nml")
    neuroml.validate(path)
    cell = neuroml.read(path).cells["cell"].cell
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-80.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.02, delay=2.0, duration=TSTOP))
    for signal in ("v", "caPool.concentration", "kCa.c", "kCa.q"):
        sim.record(signal)
    ours = sim.run(TSTOP)
    theirs = neuron_run(neuron, pool="nml_capool", tstop=TSTOP, also=("nml_bkca", ("c", "q")))
    # a real test: the pool fills, and the K+ gates follow it (q from ~0 to most of its range)
    assert theirs["cai"].max() > 20 * CAI and np.ptp(theirs["q"]) > 0.3 and np.ptp(theirs["c"]) > 0.1, \
        {k: (v.min(), v.max()) for k, v in theirs.items()}
    pairs = {"v": ours["v"], "cai": ours["caPool.concentration"], "c": ours["kCa.c"], "q": ours["kCa.q"]}
    worst = {k: float(np.max(np.abs(np.asarray(mine) - theirs[k])) / np.max(np.abs(theirs[k])))
             for k, mine in pairs.items()}
    # The same formulas (LEMS's SI units against the .mod's mV and mM) and the same exponential-Euler
    # updates in both, the gates reading the step's starting [Ca2+]i: rounding only; 1e-6 of each
    # trace's largest magnitude is the bound
    assert max(worst.values()) < 1e-6, worst
    # the gates are elementwise jax.numpy, so the fused single-compartment kernel runs them too (Pallas;
    # its interpreter on a CPU): the same operations in another program, rounding at most (0 seen)
    scan, fused = sim.run(15.0, kernel="scan"), sim.run(15.0, kernel="fused")
    for k in ("v", "kCa.c", "kCa.q"):
        np.testing.assert_allclose(fused[k], scan[k], rtol=0, atol=1e-10 * np.ptp(scan[k]))


def test_lems_rates_round_trip_with_their_component_types(tmp_path):
    """Export writes the ComponentTypes the gates name (validated by libNeuroML and the schema);
    imported again, the same traces to 1e-9 (issue 18's round-trip bound)."""
    cell = neuroml.read(write(kca_cell_document(), tmp_path / "in.nml")).cells["cell"].cell
    back = neuroml.save(cell, tmp_path / "back.nml")
    again = next(iter(neuroml.read(back).cells.values())).cell
    traces = []
    for c in (cell, again):
        sim = ex.Simulation(c, dt=DT, temperature=CELSIUS, v_init=-80.0)
        sim.stimulate(ex.IClamp(c.soma, amplitude=0.02, delay=2.0, duration=TSTOP))
        sim.record("v")
        sim.record("kCa.q")
        traces.append(sim.run(20.0))
    assert np.ptp(traces[0]["kCa.q"]) > 0.1  # the Ca2+-dependent gate moves
    for k in ("v", "kCa.q"):
        np.testing.assert_allclose(traces[1][k], traces[0][k], rtol=0, atol=1e-9)


@pytest.mark.parametrize("text, match", [
    ("log(v)", r"'log' is not supported"),                     # LEMS tools disagree on its base
    ("__import__('os')", r"'__import__' is not supported"),     # only the whitelisted functions
    ("v.real", r"'Attribute' is not supported"),
    ("exp(v)[0]", r"'Subscript' is not supported"),
    ("'mV'", r"'Constant' is not supported"),
    ("lambda: 1", r"'Lambda' is not supported"),
    ("v ** 2", r"LEMS writes powers with \^"),
    ("w * 2", r"unknown name 'w'; known: caConc, v"),
    ("v .gt. 0", r"'Compare' is not supported"),               # a comparison outside a Case's condition
    ("exp(v", r"is not an expression read here"),
    ("v + " * 600 + "v", r"over 2000 characters"),
    ("-" * 100 + "v", r"-v': nested deeper than 64"),  # bounded before Python's own recursion limit
    ("-" * 200 + "v", r"-\.\.\.': nested deeper than 64"),  # and the message quotes 120 characters of it
])
def test_expressions_outside_the_subset_are_one_line_refusals(text, match):
    with pytest.raises(ModelError, match=match) as e:
        compile_expression(text, {"v", "caConc"}, "here")
    assert str(e.value).startswith("here: ") and "\n" not in str(e.value)


def test_the_expression_walk_computes_lems_arithmetic():
    # against the same arithmetic written in Python (exact: the same operations in float64)
    fn, names = compile_expression("-2^2 + 3 * v / (1 - caConc) - abs(-v) + ln(exp(1.5))", {"v", "caConc"}, "x")
    assert names == {"v", "caConc"}
    assert float(fn({"v": 0.5, "caConc": 0.25})) == -2 ** 2 + 3 * 0.5 / (1 - 0.25) - abs(-0.5) + 1.5
    test, _ = compile_expression("v .gt. 0 .and. (caConc .leq. 1 .or. v .eq. 2)", {"v", "caConc"}, "x", condition=True)
    assert [bool(test({"v": v, "caConc": c})) for v, c in ((1, 2), (1, 0.5), (2, 3), (-1, 0))] == [False, True, True, False]


def refused(tmp_path, doc, match):
    with pytest.raises(ModelError, match=match) as e:
        neuroml.read(write(doc, tmp_path / "r.nml"))
    assert "\n" not in str(e.value)


def test_component_types_outside_the_subset_are_refused_at_their_line(tmp_path):
    doc = kca_cell_document()
    # (a Parameter set by the element's attribute is read: test_lems_parameters.py; a missing one is refused there)
    doc.ComponentType[0].DerivedParameter = [N.DerivedParameter(name="k", dimension="none", value="2")]
    refused(tmp_path, doc, r"^NeuroML: r.nml:\d+: ComponentType 'kcaAlpha' DerivedParameter 'k' is not supported")
    doc = kca_cell_document()
    doc.ComponentType[2].Dynamics[0].StateVariable = [N.StateVariable(name="s", dimension="none")]
    refused(tmp_path, doc, r"^NeuroML: r.nml:\d+: ComponentType 'skInf' StateVariable is not supported")
    doc = kca_cell_document()
    doc.ComponentType[0].Dynamics[0].DerivedVariable[0].value = "caConc / CONC_SCALE * nope"
    refused(tmp_path, doc, r"^NeuroML: r.nml:\d+: ComponentType 'kcaAlpha' DerivedVariable 'ca': "
                           r"'caConc / CONC_SCALE \* nope': unknown name 'nope'")
    doc = kca_cell_document()
    doc.ComponentType[0].Dynamics[0].DerivedVariable[0].value = "r * 2"  # ca reads r, r reads ca
    refused(tmp_path, doc, r"ComponentType 'kcaAlpha': derived variables depend on each other in a cycle")
    doc = kca_cell_document()
    doc.ComponentType[3].Requirement = [N.Requirement(name="caConcExt", dimension="concentration")]
    # (skTau is a gate's time course: the gate's rateScale may be required, Channels.xml's gates expose it)
    refused(tmp_path, doc, r"ComponentType 'skTau' Requirement 'caConcExt' is not supported \(rateScale, temperature, v\)")
    doc = kca_cell_document()
    doc.ComponentType[0].Constant[0].value = "1 fortnight"
    refused(tmp_path, doc, r"ComponentType 'kcaAlpha' Constant 'TIME_SCALE': '1 fortnight' is not a number")
    doc = kca_cell_document()  # a rate where a steady state belongs
    doc.ion_channel_hhs[-1].gates[1].steady_state.type = "kcaAlpha"
    refused(tmp_path, doc, r"ComponentType 'kcaAlpha' extends 'baseVoltageConcDepRate'; as a gate's variable it "
                           r"must extend baseVoltageDepVariable or baseVoltageConcDepVariable \(used by .*gate 'q'")
    doc = kca_cell_document()
    doc.ComponentType[3].Dynamics[0].DerivedVariable[0].name = "tau"
    refused(tmp_path, doc, r"ComponentType 'skTau': needs a DerivedVariable 't' of dimension 'time'")


def test_a_gate_reading_calcium_needs_the_species(tmp_path):
    doc = kca_cell_document()
    doc.cells[0].biophysical_properties.intracellular_properties.species = []
    doc.cells[0].biophysical_properties.membrane_properties.channel_density_nernsts = []
    refused(tmp_path, doc, r"channelDensity 'kCaD': ionChannel 'kCa' has gates that read caConc, and section "
                           r"'soma' has no species of ion 'ca' to give it")
    # held at the species' level without its pool: imported, and [Ca]i stays where it starts
    doc = kca_cell_document()
    cell = neuroml.read(write(doc, tmp_path / "f.nml"), concentrations="fixed").cells["cell"].cell
    assert "caPool" not in cell.mechanisms and float(cell.mechanism_at_sites("kCa").cai[0]) == CAI


def test_export_of_a_calcium_reader_needs_a_species_to_write(tmp_path):
    """A cell whose only Ca2+ reader is the K+ channel's gates: its pool carries the species (exported
    and read back to the same cell); without the pool there is none to write: one line."""
    doc = kca_cell_document()
    doc.cells[0].biophysical_properties.membrane_properties.channel_density_nernsts = []
    cell = neuroml.read(write(doc, tmp_path / "in.nml")).cells["cell"].cell
    assert list(cell.mechanisms) == ["caPool", "kCa"]  # the pool is there for the gates
    again = next(iter(neuroml.read(neuroml.save(cell, tmp_path / "out.nml")).cells.values())).cell
    assert [type(m).__name__ for m in again.mechanisms.values()] == ["caConc", "kCa"]
    cell = neuroml.read(write(doc, tmp_path / "fixed.nml"), concentrations="fixed").cells["cell"].cell
    with pytest.raises(ModelError, match=r"^NeuroML export: kCa's gates read \[Ca2\+\]i \(5e-05 mM at the start\) on "
                                         r"section 'soma', which has no Ca2\+ channelDensityNernst/GHK or pool") as e:
        neuroml.save(cell, tmp_path / "none.nml")
    assert "\n" not in str(e.value) and not (tmp_path / "none.nml").exists()


def test_lems_gates_run_under_jit_vmap_and_grad(tmp_path):
    """The closures are jax.numpy: the K+ gate's steady state differentiates through V and [Ca2+]i
    (against central differences; 1e-6 relative: the differences' truncation error at h = 1e-4 is
    ~1e-8 of the slope), vectorizes over sites and compiles."""
    import jax

    chan = neuroml.load_channels(write(kca_cell_document(), tmp_path / "k.nml"))["kCa"]()

    def q_inf(v, cai):
        return chan.__class__(gbar=1.0, erev=-90.0, cai=cai).gates(v, CELSIUS)["q"][0]

    def c_inf(v, cai):
        return chan.__class__(gbar=1.0, erev=-90.0, cai=cai).gates(v, CELSIUS)["c"][0]

    for f, (v, cai) in ((q_inf, (-40.0, 3e-4)), (c_inf, (-55.0, 1e-3))):
        dv, dca = jax.grad(f, argnums=(0, 1))(v, cai)
        h_v, h_c = 1e-4, 1e-4 * cai
        fd_v = (f(v + h_v, cai) - f(v - h_v, cai)) / (2 * h_v)
        fd_c = (f(v, cai + h_c) - f(v, cai - h_c)) / (2 * h_c)
        assert abs(float(dca)) > 0 and np.isclose(float(dca), float(fd_c), rtol=1e-6, atol=0)
        assert np.isclose(float(dv), float(fd_v), rtol=1e-6, atol=1e-12)
    vs, cas = np.linspace(-80, 20, 5), np.geomspace(5e-5, 5e-3, 5)
    batched = jax.jit(jax.vmap(c_inf))(vs, cas)
    np.testing.assert_allclose(batched, [float(c_inf(v, c)) for v, c in zip(vs, cas)], rtol=1e-14)
