"""Kinetic schemes whose transition rates are LEMS ComponentTypes (issue 18): import, and export with
the ComponentTypes written back.

References: (1) ``ks_channel_document``'s scheme with its standard rates spelled out as LEMS
ComponentTypes in SI gives the standard scheme's traces, which test_neuron_side checks against
NEURON's KINETIC block; (2) a reverse rate of V, [Ca2+]i and the temperature, beside the Ca2+
channel and the decaying pool, against the backward-Euler recursion written here in numpy from the
recorded V and [Ca2+]i, and the fused kernel equal to the scan; (3) the round trip (export, validation, import: the same traces to 1e-9, the
ComponentTypes' text as the original's). The ComponentTypes are our own, written for the test."""

from __future__ import annotations

import numpy as np
import pytest
from lxml import etree

import excitable as ex
from excitable.errors import ModelError

from .nml_models import N, write
from .test_lems_pools import component_type_xml
from .test_lems_rates import component
from .test_neuron_side import CAI, CELSIUS, DT, channel_cell_document, clamp, ks_channel_document

from excitable.io import neuroml  # noqa: E402

MS, MV = ("TIME_SCALE", "time", "1 ms"), ("VOLT_SCALE", "voltage", "1 mV")
V = dict(name="V", dimension="none", value="v / VOLT_SCALE")
KD, T0 = 1e-3, 279.45  # mM, K: the Ca2+ and temperature factors of the reverse rate below


def standard_as_lems():
    """``ks_channel_document``'s four forms (HHSigmoidRate 0.5/ms -40 8, HHExpRate 0.1/ms -60 -25,
    HHSigmoidVariable -30 6, fixedTimeCourse 3 ms) written as ComponentTypes in SI."""
    return [component("ksF", "baseVoltageDepRate", [MS, MV], [V, dict(
                name="r", dimension="per_time", exposure="r", value="0.5 / (1 + exp(-(V + 40) / 8)) / TIME_SCALE")]),
            component("ksR", "baseVoltageDepRate", [MS, MV], [V, dict(
                name="r", dimension="per_time", exposure="r", value="0.1 * exp((V + 60) / -25) / TIME_SCALE")]),
            component("ksInf", "baseVoltageDepVariable", [MV], [V, dict(
                name="x", dimension="none", exposure="x", value="1 / (1 + exp(-(V + 30) / 6))")]),
            component("ksTau", "baseVoltageDepTime", [MS], [dict(
                name="t", dimension="time", exposure="t", value="3 * TIME_SCALE")])]


def ca_reverse():
    """The reverse rate times (1 + [Ca]i/KD) and 3^((T - T0)/10 K): it reads V, caConc, temperature."""
    return component("ksCaR", "baseVoltageConcDepRate",
                     [MS, MV, ("KD", "concentration", f"{KD} mM"), ("T0", "temperature", f"{T0} K"),
                      ("TEN", "temperature", "10 K")],
                     [V, dict(name="r", dimension="per_time", exposure="r",
                              value="0.1 * exp((V + 60) / -25) * (1 + caConc / KD) * 3^((temperature - T0) / TEN)"
                                    " / TIME_SCALE")])


def lems_scheme(gate, reverse="ksR"):
    """The gateKS's forms replaced by the ComponentTypes' names."""
    gate.forward_transition[0].anytypeobjs_ = ['<rate type="ksF"/>']
    gate.reverse_transition[0].anytypeobjs_ = [f'<rate type="{reverse}"/>']
    t = gate.tau_inf_transition[0]
    t.steady_state, t.time_course = N.HHVariable(type="ksInf"), N.HHTime(type="ksTau")


def ks_document(lems=True):
    doc = ks_channel_document()
    if lems:
        lems_scheme(doc.ion_channel_kses[0].gate_kses[0])
        doc.ComponentType.extend(standard_as_lems())
    return doc


def clamped(cell, step, signals, tstop=20.0):
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-80.0)
    sim.stimulate(ex.VClamp(cell.soma, levels=clamp(step), rs=0.01))
    for s in signals:
        sim.record(s)
    return sim.run(tstop)


def test_standard_rates_written_in_lems_give_the_standard_scheme(tmp_path):
    standard = neuroml.read(write(ks_document(False), tmp_path / "std.nml")).cells["cell"].cell
    path = write(ks_document(), tmp_path / "lems.nml")
    neuroml.validate(path)  # the <rate type="ksF"/> children and the ComponentTypes pass the schema
    cell = neuroml.read(path).cells["cell"].cell
    labels = ("v", "kKS.n_c1", "kKS.n_c2", "kKS.n_o")
    a, b = clamped(standard, 20.0, labels), clamped(cell, 20.0, labels)
    assert np.ptp(a["kKS.n_o"]) > 0.5  # the step opens the channel
    # the same formulas, in SI (V = v / 1 mV) instead of mV: rounding only, 1e-12 of each range
    for k in labels:
        np.testing.assert_allclose(b[k], a[k], rtol=0, atol=1e-12 * np.ptp(a[k]))


def ca_ks_document():
    """``channel_cell_document``'s Ca2+ channel (channelDensityNernst) and decaying pool, plus the
    kinetic-scheme K+ channel at 10 S/m2 whose reverse rate reads [Ca2+]i and the temperature."""
    doc = channel_cell_document("caPool")
    ks = ks_channel_document().ion_channel_kses[0]
    lems_scheme(ks.gate_kses[0], "ksCaR")
    doc.ion_channel_kses.append(ks)
    doc.ComponentType.extend([*standard_as_lems()[:1], *standard_as_lems()[2:], ca_reverse()])
    doc.cells[0].biophysical_properties.membrane_properties.channel_densities.append(
        N.ChannelDensity(id="k", ion_channel="kKS", cond_density="10 S_per_m2", erev="-90mV", ion="k"))
    return doc


def reference(v, cai, celsius):
    """The scheme's occupancies (c1, c2, o) by backward Euler, (I - dt Q(V, [Ca]i)) x' = x at each
    step's new V and [Ca]i, from the steady state at the first: written here in mV, mM and ms."""
    def q(vm, ca):
        f = 0.5 / (1 + np.exp(-(vm + 40) / 8))
        r = 0.1 * np.exp((vm + 60) / -25) * (1 + ca / KD) * 3 ** ((celsius + 273.15 - T0) / 10)
        inf, tau = 1 / (1 + np.exp(-(vm + 30) / 6)), 3.0
        a, b = inf / tau, (1 - inf) / tau
        return np.array([[-f, r, 0], [f, -r - a, b], [0, a, -b]])

    m = q(v[0], cai[0])
    m[2] = 1.0
    x = [np.linalg.solve(m, [0, 0, 1.0])]
    for vm, ca in zip(v[1:], cai[1:]):
        x.append(np.linalg.solve(np.eye(3) - DT * q(vm, ca), x[-1]))
    return np.array(x)


def test_a_rate_of_calcium_and_temperature_follows_the_scheme_written_here(tmp_path):
    cell = neuroml.read(write(ca_ks_document(), tmp_path / "ca.nml")).cells["cell"].cell
    assert list(cell.mechanisms)[0] == "caPool" and type(cell.mechanisms["kKS"]).units["cai"] == "mM"
    assert float(cell.mechanism_at_sites("kKS").cai[0]) == CAI  # the species' level to start
    out = clamped(cell, 0.0, ("v", "caPool.concentration", "kKS.n_c1", "kKS.n_c2", "kKS.n_o"))
    cai = np.asarray(out["caPool.concentration"])
    assert cai.max() > 20 * CAI  # the pool fills: the reverse rate grows 50-fold over the step
    x = reference(np.asarray(out["v"]), cai, CELSIUS)
    # the same recursion in another program (SI against mV, LAPACK against elimination): rounding
    # only, 1e-10 of each state's range (9e-16 seen; the step's starting V or [Ca]i instead of its
    # new one moves n_o by 7e-3 or 2e-3 of its range)
    for k, state in enumerate(("n_c1", "n_c2", "n_o")):
        got = np.asarray(out[f"kKS.{state}"])
        np.testing.assert_allclose(got, x[:, k], rtol=0, atol=1e-10 * np.ptp(x[:, k]))
    # a test that fails if the rate did not read [Ca]i (held at the start) or the temperature (at T0)
    assert np.max(np.abs(reference(out["v"], np.full_like(cai, CAI), CELSIUS)[:, 2] - x[:, 2])) > 1e-2
    assert np.max(np.abs(reference(out["v"], cai, T0 - 273.15)[:, 2] - x[:, 2])) > 1e-2
    # elementwise jax.numpy: the fused single-compartment kernel runs the scheme and its rates too
    # (Pallas; its interpreter on a CPU), the same operations in another program: rounding at most
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-80.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.02, delay=2.0, duration=15.0))
    sim.record("v")
    sim.record("kKS.n_o")
    scan, fused = sim.run(15.0, kernel="scan"), sim.run(15.0, kernel="fused")
    for k in ("v", "kKS.n_o"):  # 0 seen
        np.testing.assert_allclose(fused[k], scan[k], rtol=0, atol=1e-10 * np.ptp(scan[k]))


def test_lems_rates_in_a_scheme_round_trip_with_their_component_types(tmp_path):
    src = write(ca_ks_document(), tmp_path / "in.nml")
    cell = neuroml.read(src).cells["cell"].cell
    back = neuroml.save(cell, tmp_path / "back.nml")  # validated before it is kept
    tree = etree.parse(str(back))
    rates = [r.get("type") for r in tree.iter("{*}rate")]
    assert rates == ["ksF", "ksCaR"] and not list(tree.iter("{*}concentrationModel"))
    for name in ("ksF", "ksCaR", "ksInf", "ksTau"):  # names, dimensions, expressions: as the original's
        assert component_type_xml(back, name) == component_type_xml(src, name)
    again = neuroml.read(back).cells["cell"].cell
    labels = ("v", "kKS.n_o", "kKS.n_c1")
    a, b = clamped(cell, 0.0, labels, 15.0), clamped(again, 0.0, labels, 15.0)
    for k in labels:  # every number written with repr(): issue 18's round-trip bound
        np.testing.assert_allclose(b[k], a[k], rtol=0, atol=1e-9)


def refused(tmp_path, doc, match):
    with pytest.raises(ModelError, match=match) as e:
        neuroml.read(write(doc, tmp_path / "r.nml"))
    assert "\n" not in str(e.value)


def test_what_a_scheme_cannot_take_is_refused_in_one_line(tmp_path):
    doc = ks_document()  # a steady state's ComponentType where a rate belongs
    doc.ion_channel_kses[0].gate_kses[0].forward_transition[0].anytypeobjs_ = ['<rate type="ksInf"/>']
    refused(tmp_path, doc, r"^NeuroML: r.nml:\d+: ComponentType 'ksInf' extends 'baseVoltageDepVariable'; as a "
                           r"gate's rate it must extend .* \(used by .*gateKS 'n' forwardTransition 'f' rate\)$")
    doc = ks_document()
    doc.ion_channel_kses[0].gate_kses[0].reverse_transition[0].anytypeobjs_ = ['<rate type="nope"/>']
    refused(tmp_path, doc, r"gateKS 'n' reverseTransition 'r' rate: type 'nope' is not a standard form we run")
    doc = ca_ks_document()  # a rate of [Ca2+]i where the cell has no calcium species
    doc.cells[0].biophysical_properties.intracellular_properties.species = []
    doc.cells[0].biophysical_properties.membrane_properties.channel_density_nernsts = []
    refused(tmp_path, doc, r"ionChannel 'kKS' has gates that read caConc, and section 'soma' has no species")


def test_two_definitions_of_one_component_type_name_are_refused_at_export(tmp_path):
    """A channel of another file whose ComponentType 'ksF' differs (0.6 instead of 0.5 per ms) on the
    cell: one file cannot hold both under that name: one line, nothing written. The same definition
    read twice (an identical copy) is written once."""
    cell = neuroml.read(write(ks_document(), tmp_path / "a.nml")).cells["cell"].cell
    other = ks_document()
    other.ion_channel_kses[0].id = "kKS2"
    same = neuroml.load_channels(write(other, tmp_path / "same.nml"))["kKS2"]
    cell.insert(same(gbar=1.0, erev=-90.0))
    back = neuroml.save(cell, tmp_path / "same_back.nml")
    assert [ct.get("name") for ct in etree.parse(str(back)).iter("{*}ComponentType")] == [
        "ksF", "ksR", "ksInf", "ksTau"]
    other.ComponentType[0].Dynamics[0].DerivedVariable[1].value = "0.6 / (1 + exp(-(V + 40) / 8)) / TIME_SCALE"
    other.ion_channel_kses[0].id = "kKS3"
    cell.insert(neuroml.load_channels(write(other, tmp_path / "b.nml"))["kKS3"](gbar=1.0, erev=-90.0))
    with pytest.raises(ModelError, match=r"^NeuroML export: kKS3 uses ComponentType 'ksF', and another mechanism of "
                                         r"the cell a different ComponentType of that name; not written$"):
        neuroml.save(cell, tmp_path / "two.nml")
    assert not (tmp_path / "two.nml").exists()
