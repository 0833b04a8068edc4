"""NeuroML densities that depend on the concentrations (issue 18, item 5): channelDensityNernst,
channelDensityGHK and channelDensityGHK2 with the cell's Ca2+ species, each against the closed form
of NeuroML's own LEMS definition (written here in SI units, apart from our mV/mM/µA/cm² code path),
and the one-line refusals (a concentration model defined in LEMS, another ion, a section without a
species). The pools themselves are compared with NEURON in test_neuron_side.py."""

from __future__ import annotations

import numpy as np
import pytest

from excitable.errors import ModelError

from .nml_models import N, point, run, write

from excitable.io import neuroml  # noqa: E402

R, F = 8.3144621, 96485.3  # NeuroML's constants (Cells.xml), J/(K mol) and C/mol
CAI, CAO = 5e-5, 2.0  # mM = mol/m3


def ca_cell_document(kind="nernst", *, ion="ca", species_group="all", model="caPool"):
    """One 20 x 20 um segment with a gateless Ca2+ channel under a density of ``kind`` (and a leak,
    so that V moves), the cell's species ca (5e-5 mM in, 2 mM out) and its pool."""
    doc = N.NeuroMLDocument(id="ca")
    doc.ion_channel.append(N.IonChannel(id="caChan", type="ionChannelPassive", conductance="10pS", species="ca"))
    doc.ion_channel.append(N.IonChannel(id="leakChan", type="ionChannelPassive", conductance="10pS"))
    doc.decaying_pool_concentration_models.append(N.DecayingPoolConcentrationModel(
        id="caPool", ion="ca", resting_conc="5e-5mM", decay_constant="20ms", shell_thickness="0.1um"))
    morph = N.Morphology(id="morph")
    morph.segments.append(N.Segment(id=0, name="soma", proximal=point(0, 0, 0, 20), distal=point(20, 0, 0, 20)))
    morph.segment_groups.append(N.SegmentGroup(id="soma_group", members=[N.Member(segments=0)]))
    mp = N.MembraneProperties()
    mp.channel_densities.append(N.ChannelDensity(id="leak", ion_channel="leakChan", cond_density="1 S_per_m2",
                                                 erev="-65mV", ion="non_specific"))
    if kind == "nernst":
        mp.channel_density_nernsts.append(N.ChannelDensityNernst(id="caN", ion_channel="caChan",
                                                                 cond_density="10 S_per_m2", ion=ion))
    elif kind == "ghk":
        mp.channel_density_ghks.append(N.ChannelDensityGHK(id="caG", ion_channel="caChan",
                                                           permeability="1e-6 m_per_s", ion=ion))
    else:
        mp.channel_density_ghk2s.append(N.ChannelDensityGHK2(id="caG2", ion_channel="caChan",
                                                             cond_density="10 S_per_m2", ion=ion))
    mp.specific_capacitances.append(N.SpecificCapacitance(value="1.0 uF_per_cm2"))
    mp.spike_threshes.append(N.SpikeThresh(value="0mV"))
    mp.init_memb_potentials.append(N.InitMembPotential(value="-65mV"))
    ip = N.IntracellularProperties(species=[N.Species(
        id="ca", ion="ca", concentration_model=model, initial_concentration=f"{CAI}mM",
        initial_ext_concentration=f"{CAO * 1e-6}mol_per_cm3", segment_groups=species_group)])
    bio = N.BiophysicalProperties(id="bio", membrane_properties=mp, intracellular_properties=ip)
    doc.cells.append(N.Cell(id="cacell", morphology=morph, biophysical_properties=bio))
    return doc


def imported(tmp_path, kind, **kw):
    path = write(ca_cell_document(kind, **kw), tmp_path / f"{kind}.cell.nml")
    neuroml.validate(path)  # the test files are valid NeuroML 2 (schema and libNeuroML)
    return neuroml.read(path, concentrations="fixed").cells["cacell"].cell


@pytest.mark.parametrize("celsius", [6.3, 36.0])
def test_nernst_density_reverses_at_the_nernst_potential(tmp_path, celsius):
    cell = imported(tmp_path, "nernst")
    res = run(cell, ["v", "caChan.ica"], tstop=20.0, temperature=celsius, amplitude=0.0)
    kelvin = celsius + 273.15
    e_ca = R * kelvin / (2 * F) * np.log(CAO / CAI) * 1e3  # NeuroML's erev, V -> mV
    g_ca, g_leak = 1.0, 0.1  # mS/cm2 (10 and 1 S/m2)
    v_rest = (g_ca * e_ca + g_leak * -65.0) / (g_ca + g_leak)
    # i = gDensity (v - erev) (NeuroML's inward sign flipped) at the recorded V, every step: the same
    # float64 operations in another order, 1e-12 relative of the current's range is rounding
    np.testing.assert_allclose(res["caChan.ica"], g_ca * (res["v"] - e_ca), rtol=0,
                               atol=1e-12 * np.ptp(res["caChan.ica"]))
    # Two conductances in parallel rest at their weighted mean; after 20 ms = 220 time constants
    # (cm / g_total = 0.91 ms) V is there to rounding: 1e-9 relative (the brief asks 1e-6)
    assert res["v"][-1] == pytest.approx(v_rest, rel=1e-9)


def ghk_inward_SI(kind, v_mV, kelvin):
    """NeuroML's iDensity (A/m2, inward positive) of the gateless channel from its LEMS definition,
    in SI: v in volts, concentrations in mol/m3, permeability in m/s, conductance in S/m2."""
    v = v_mV * 1e-3
    if kind == "ghk":
        k = 2 * F / (R * kelvin)
        exp_kv = np.exp(-k * v)
        return -1 * 1e-6 * 2 * F * k * v * (CAI - CAO * exp_kv) / (1 - exp_kv)
    tmp = 25 * kelvin / (293.15 * 2)  # ghk2: the "V" of the definition is v in mV
    V = v_mV
    return 10.0 * tmp * 1e-3 * (1 - (CAI / CAO) * np.exp(V / tmp)) * ((V / tmp) / (np.exp(V / tmp) - 1))


@pytest.mark.parametrize("kind", ["ghk", "ghk2"])
def test_ghk_densities_give_neuroml_currents(tmp_path, kind):
    cell = imported(tmp_path, kind)
    res = run(cell, ["v", "caChan.ica"], tstop=6.0, temperature=22.0, amplitude=0.5)
    assert np.ptp(res["v"]) > 50  # the step sweeps V over a wide range of the curved I-V
    reference = -ghk_inward_SI(kind, res["v"], 22.0 + 273.15) * 100  # A/m2 -> µA/cm², outward positive
    # The same law through other units and another arrangement of the singularity (none is hit:
    # V is never within 1e-6 x tmp of 0 here): rounding only, 1e-9 relative of the range
    np.testing.assert_allclose(res["caChan.ica"], reference, rtol=0, atol=1e-9 * np.ptp(reference))


@pytest.mark.parametrize("kind", ["ghk", "ghk2"])
def test_ghk_laws_at_zero_millivolts_take_their_limits(tmp_path, kind):
    """At V = 0 both laws are 0/0; they give the limits (x / (1 - e^-x) -> 1), finite, with finite
    slopes (the engine linearizes every current by differentiation)."""
    import jax

    mech = imported(tmp_path, kind).mechanisms["caChan"]
    kelvin = 295.15
    s = {"T_K": np.full(3, kelvin)}
    v = np.array([0.0, 1e-9, -1e-9])
    i = np.asarray(mech.currents(v, s)["ica"])
    if kind == "ghk":  # P zF (ci - co): 1e-4 cm/s (1e-6 m/s) x 2 F x mM, in µA/cm²
        limit = 1e-4 * 2 * F * (CAI - CAO)
    else:  # -g (1 - ci/co) tmp, tmp = 25 T / (293.15 x 2) mV, g 1 mS/cm²
        limit = -1.0 * (1 - CAI / CAO) * 25 * kelvin / (293.15 * 2)
    # 1e-9 mV from 0 moves the current by ~1e-10 of itself (its slope x 1e-9 mV); the expansion's
    # own error there is ~(1e-9 / 25)^2: 1e-9 relative bounds both
    np.testing.assert_allclose(i, limit, rtol=1e-9)
    slope = jax.grad(lambda x: mech.currents(x, {"T_K": kelvin})["ica"])(0.0)
    assert np.isfinite(float(slope)) and float(slope) != 0.0


def test_concentration_dynamics_and_other_ions_are_one_line_refusals(tmp_path):
    def refused(doc, match, **kw):
        path = write(doc, tmp_path / "r.nml")
        with pytest.raises(ModelError, match=match) as e:
            neuroml.read(path, **kw)
        assert "\n" not in str(e.value)

    refused(ca_cell_document(model="hayPool"), r"r.nml:\d+: cell 'cacell' channelDensityNernst 'caN': species 'ca' "
                                               r"changes \[Ca\]i by concentration model 'hayPool', which is not one "
                                               r"of NeuroML's standard models .*concentrations='fixed'")
    # (a decaying pool on a section of several compartments now runs: test_pool_sections.py)
    # (a Ca2+ channelDensity beside a pool now runs, its erev fixed: test_fixed_erev_pool.py)
    refused(ca_cell_document("ghk", ion="k"), r"channelDensityGHK 'caG': ion 'k': NeuroML defines "
                                               r"channelDensityGHK for Ca2\+ only", concentrations="fixed")
    refused(ca_cell_document(species_group="soma_group_missing"), r"no segment group 'soma_group_missing'",
            concentrations="fixed")
    refused(ca_cell_document(), r"concentrations must be None or 'fixed', got 'dynamic'", concentrations="dynamic")
    doc = ca_cell_document()
    doc.cells[0].biophysical_properties.intracellular_properties.species = []
    refused(doc, r"section 'soma' has no species of ion 'ca'", concentrations="fixed")
    doc = ca_cell_document()
    doc.cells[0].biophysical_properties.membrane_properties.channel_densities[0].ion_channel = "caChan"
    refused(doc, r"ionChannel 'caChan' is also used with another kind of density", concentrations="fixed")


def test_what_kinetic_schemes_refuse_names_the_element_and_the_file(tmp_path):
    from .test_neuron_side import ks_channel_document

    def refused(doc, name, match):
        with pytest.raises(ModelError, match=match) as e:
            neuroml.read(write(doc, tmp_path / name))
        assert "\n" not in str(e.value)

    doc = ks_channel_document()
    doc.ion_channel_kses[0].gate_kses[0].q10_settings = N.Q10Settings(type="q10ExpTemp", q10_factor="3",
                                                                      experimental_temp="6.3 degC")
    refused(doc, "q.nml", r"^NeuroML: q.nml: ionChannelKS 'kKS' gateKS 'n': q10Settings on a gateKS is not supported")
    doc = ks_channel_document()
    doc.ion_channel_kses[0].gate_kses[0].forward_transition[0].to = "c9"
    refused(doc, "s.nml", r"^NeuroML: s.nml: ionChannelKS 'kKS' gateKS 'n' forwardTransition 'f': no state 'c9'")
    doc = ca_cell_document()
    doc.ion_channel[0].gates.append(N.GateHHUndetermined(id="k", type="gateKS", instances=1))
    refused(doc, "gks.nml", r"^NeuroML: gks.nml:\d+: ionChannel 'caChan' gate 'k': gate type 'gateKS' is not supported")
    doc = ca_cell_document()  # a kinetic scheme under a Nernst density
    ks = ks_channel_document().ion_channel_kses[0]
    ks.species = "ca"
    doc.ion_channel_kses.append(ks)
    doc.cells[0].biophysical_properties.membrane_properties.channel_density_nernsts[0].ion_channel = "kKS"
    refused(doc, "kn.nml", r"ionChannelKS 'kKS' under channelDensityNernst is not supported")


@pytest.mark.parametrize("kind, policy", [("nernst", None), ("ghk", "fixed"), ("ghk2", "fixed")])
def test_round_trip_of_concentration_dependent_densities_and_pools(tmp_path, kind, policy):
    """Import, export (validated), import again: the same densities, species and pool, the same
    traces. Held concentrations go out as a fixedFactorConcentrationModel of rho 0 resting at the
    initial level, which keeps [Ca]i where it starts, exactly."""
    path = write(ca_cell_document(kind), tmp_path / "in.nml")
    cell = neuroml.read(path, concentrations=policy).cells["cacell"].cell
    back = neuroml.save(cell, tmp_path / "out.nml")
    again = next(iter(neuroml.read(back).cells.values())).cell
    records = ["v", "caChan.ica"]
    a = run(cell, records, tstop=10.0, temperature=22.0, amplitude=0.3)
    b = run(again, records, tstop=10.0, temperature=22.0, amplitude=0.3)
    # every number is written with repr() and read back to the same float: the same trace, bit for bit
    # (1e-9 mV is the round trip bound of issue 18)
    for label in records:
        np.testing.assert_allclose(b[label], a[label], rtol=0, atol=1e-9)
    assert np.ptp(a["v"]) > 10  # the cell does something: the comparison is not of two flat lines


def test_round_trip_of_a_kinetic_scheme(tmp_path):
    """An ionChannelKS imported, exported (validated: states, transitions and their <rate> children)
    and imported again runs the same trace."""
    from .test_neuron_side import ks_channel_document

    cell = neuroml.read(write(ks_channel_document(), tmp_path / "ks.nml")).cells["cell"].cell
    again = next(iter(neuroml.read(neuroml.save(cell, tmp_path / "back.nml")).cells.values())).cell
    a, b = (run(c, ["v", "kKS.n_o"], amplitude=0.05) for c in (cell, again))
    assert np.ptp(a["v"]) > 10 and np.max(a["kKS.n_o"]) > 0.01  # the channel opens during the step
    # every number written with repr(): the same floats back, the same trace (1e-9 mV: issue 18's bound)
    for label in ("v", "kKS.n_o"):
        np.testing.assert_allclose(b[label], a[label], rtol=0, atol=1e-9)
