"""NeuroML channels and pools side by side with NEURON (issue 18, item 5), each against the same
model written by hand as a .mod file (below) and run by NEURON (compiled once by nrnivmodl,
tests/reference/nrnmech.py), in one compartment: every trace within 1e-6 of its range at every step.

- a Ca2+ channel with a ``gateHHratesTauInf`` gate (given steady state and time course) and a
  ``gateHHrates`` gate, both with ``q10ExpTemp`` settings, under ``channelDensityNernst`` with the
  cell's species, under a voltage-clamp family (-80 mV holding, steps -60..+40 mV);
- the same channel with each of NeuroML's calcium pools (decaying, fixed factor) under a current step;
- a kinetic-scheme channel (``ionChannelKS``: forward, reverse and tauInf transitions) against
  NEURON's KINETIC block under the voltage-clamp family."""

from __future__ import annotations

import numpy as np
import pytest

import excitable as ex
from tests.reference.nrnmech import neuron_loaded

from .nml_models import N, point, write

from excitable.io import neuroml  # noqa: E402

#: The channel as NEURON runs it: erev is NeuroML's Nernst potential (its R and F, zCa = 2) of the
#: ion's fixed cai and cao (nothing writes them), both gates' tau divided by their q10 factors.
MOD = """
NEURON {
    SUFFIX nml_cachan
    USEION ca READ cai, cao WRITE ica
    RANGE gbar, erev
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) (mM) = (milli/liter) }
PARAMETER { gbar = 0.001 (S/cm2) }
ASSIGNED { v (mV) celsius (degC) ica (mA/cm2) cai (mM) cao (mM) erev (mV) minf mtau (ms) hinf htau (ms) }
STATE { m h }
UNITSOFF
BREAKPOINT {
    SOLVE states METHOD cnexp
    erev = 1000 * 8.3144621 * (celsius + 273.15) / (2 * 96485.3) * log(cao / cai)
    ica = gbar * m * m * h * (v - erev)
}
INITIAL { rates(v) m = minf h = hinf }
DERIVATIVE states { rates(v) m' = (minf - m) / mtau h' = (hinf - h) / htau }
PROCEDURE rates(v) { LOCAL a, b
    minf = 1 / (1 + exp(-(v + 20) / 5))
    mtau = 1.5 / 2.5 ^ ((celsius - 22) / 10)
    a = 0.02 * exp((v + 60) / -20)
    b = 0.5 / (1 + exp(-(v + 25) / 8))
    hinf = a / (a + b)
    htau = 1 / (a + b) / 3 ^ ((celsius - 22) / 10)
}
UNITSON
"""
#: NeuroML's two standard Ca2+ pools as NEURON pools (WRITE cai, a STATE), by their LEMS definitions:
#: the decaying pool's shell under a sphere of the segment's area (NEURON's ``area``, um2), NeuroML's
#: 3.14159 and F; iCa inward = -ica (mA/cm2) x 10 A/m2; mM/s -> mM/ms x 1e-3.
POOL_MODS = {"nml_capool": """
NEURON { SUFFIX nml_capool  USEION ca READ ica WRITE cai }
UNITS { (mA) = (milliamp) (mM) = (milli/liter) (um) = (micron) }
ASSIGNED { ica (mA/cm2) area (um2) }
STATE { cai (mM) }
UNITSOFF
BREAKPOINT { SOLVE states METHOD cnexp }
DERIVATIVE states { LOCAL r, shell, a
    a = area * 1e-12
    r = sqrt(a / (4 * 3.14159))
    shell = 4 * 3.14159 / 3 * (r * r * r - (r - 0.1e-6) * (r - 0.1e-6) * (r - 0.1e-6))
    cai' = -ica * 10 * a / (2 * 96485.3 * shell) * 1e-3 - (cai - 5e-5) / 20
}
UNITSON
""", "nml_cafix": """
NEURON { SUFFIX nml_cafix  USEION ca READ ica WRITE cai }
UNITS { (mA) = (milliamp) (mM) = (milli/liter) }
ASSIGNED { ica (mA/cm2) }
STATE { cai (mM) }
UNITSOFF
BREAKPOINT { SOLVE states METHOD cnexp }
DERIVATIVE states { cai' = -ica * 10 * 50 * 1e-3 - (cai - 5e-5) / 20 }
UNITSON
"""}
#: A kinetic-scheme K+ channel as NEURON's KINETIC block (sparse: backward Euler; the chain's steady
#: state at finitialize, in closed form), the same scheme as ``ks_channel_document``: c1 <-> c2 by a forward and a reverse
#: HH rate, c2 <-> o by a tauInfTransition (rf = inf/tau, rr = (1 - inf)/tau).
POOL_MODS["nml_kks"] = """
NEURON { SUFFIX nml_kks  USEION k WRITE ik  RANGE gbar, erev }
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.001 (S/cm2)  erev = -90 (mV) }
ASSIGNED { v (mV) ik (mA/cm2) a b inf tau }
STATE { c1 c2 o }
UNITSOFF
BREAKPOINT { SOLVE kin METHOD sparse  ik = gbar * o * (v - erev) }
INITIAL {
    : the chain's exact steady state (NEURON's STEADYSTATE sparse stops near it, 1e-3 off in o here)
    rates(v)
    c1 = 1 / (1 + a / b + a / b * inf / (1 - inf))
    c2 = c1 * a / b
    o = c2 * inf / (1 - inf)
}
KINETIC kin {
    rates(v)
    ~ c1 <-> c2 (a, b)
    ~ c2 <-> o (inf / tau, (1 - inf) / tau)
    CONSERVE c1 + c2 + o = 1
}
PROCEDURE rates(v) {
    a = 0.5 / (1 + exp(-(v + 40) / 8))
    b = 0.1 * exp((v + 60) / -25)
    inf = 1 / (1 + exp(-(v + 30) / 6))
    tau = 3
}
UNITSON
"""
#: A Ca2+-dependent K+ channel (test_lems_rates.py's ComponentTypes, written by hand as NMODL): gate c
#: by rates of V and [Ca2+]i (one through a Boltzmann factor of the temperature, one through V clamped
#: to [-70, 20] mV), gate q by a steady state of [Ca2+]i and a time course of V. NEURON updates the
#: mechanisms that write a concentration first (nrn_writes_conc), whatever the file names, so its
#: gates read the pool's new cai; the importer inserts the pools first, which gives ours the same.
POOL_MODS["nml_bkca"] = """
NEURON { SUFFIX nml_bkca  USEION k WRITE ik  USEION ca READ cai  RANGE gbar, erev }
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) (mM) = (milli/liter) }
PARAMETER { gbar = 0.001 (S/cm2)  erev = -90 (mV) }
ASSIGNED { v (mV) celsius (degC) ik (mA/cm2) cai (mM) a b qinf qtau }
STATE { c q }
UNITSOFF
BREAKPOINT { SOLVE states METHOD cnexp  ik = gbar * c * q * (v - erev) }
INITIAL { rates(v, cai)  c = a / (a + b)  q = qinf }
DERIVATIVE states { rates(v, cai)  c' = a - (a + b) * c  q' = (qinf - q) / qtau }
PROCEDURE rates(v, ca) { LOCAL vc
    a = 0.48 * ca / (ca + 0.18e-3 * exp(-2 * 0.84 * 96485.3 * v * 1e-3 / (8.3144621 * (celsius + 273.15))))
    vc = v
    if (v < -70) { vc = -70 } else if (v > 20 || v == 20) { vc = 20 }
    b = 0.28 / (1 + ca / (0.011 * exp(-0.07 * vc)))
    qinf = ca * ca / (ca * ca + 0.4e-3 * 0.4e-3)
    qtau = 4 + 12 / (1 + exp((v + 40) / 8))
}
UNITSON
"""
#: A Hay-style calcium pool (test_lems_pools.py's ComponentType ``hayCa``) as jNeuroML's NEURON export
#: writes a LEMS concentration model: the rate computed in a PROCEDURE in NEURON's units (nA, um2, mM,
#: ms: Faraday 96485.3 C/mol becomes 0.0964853, F x 1e-6, as jNeuroML converts it), read by
#: ``concentration' = rate_concentration`` under cnexp (which nocmodl makes forward Euler: the rate
#: does not name the state), cai set in the DERIVATIVE block, the OnCondition in BREAKPOINT after
#: SOLVE (run in nrn_state: no current), so it clips the state and not the cai written this step.
POOL_MODS["nml_hayca"] = """
NEURON { SUFFIX nml_hayca  USEION ca READ cai, cao, ica WRITE cai VALENCE 2 }
UNITS { (mA) = (milliamp) (mM) = (milli/liter) (um) = (micron) (nA) = (nanoamp) }
PARAMETER { gamma = 0.05  decay = 80 (ms)  depth = 0.1 (um)  minCai = 1e-4 (mM)  Faraday = 0.0964853 }
ASSIGNED { cai (mM) cao (mM) ica (mA/cm2) area (um2) surfaceArea (um2) iCa (nA) currDensCa drive
           rate_concentration initialConcentration }
STATE { concentration (mM) }
UNITSOFF
INITIAL { initialConcentration = cai  rates()  concentration = initialConcentration }
BREAKPOINT {
    SOLVE states METHOD cnexp
    if (concentration < minCai) { concentration = minCai }
}
DERIVATIVE states { rates()  concentration' = rate_concentration  cai = concentration }
PROCEDURE rates() {
    surfaceArea = area
    iCa = -1 * (0.01) * ica * surfaceArea
    currDensCa = iCa / surfaceArea
    if (currDensCa > 0) { drive = currDensCa * gamma / (2 * Faraday * depth) } else { drive = 0 }
    rate_concentration = drive - (concentration - minCai) / decay
}
UNITSON
"""
CAI, CAO = 5e-5, 2.0  # mM
CELSIUS, DT, SIZE_UM = 30.0, 0.025, 10.0
STEPS = (-60.0, -20.0, 20.0, 40.0)


def q10(factor):
    return N.Q10Settings(type="q10ExpTemp", q10_factor=str(factor), experimental_temp="22 degC")


def hh_rate(kind, r, mid, scale, cls=N.HHRate, unit="per_ms"):
    return cls(type=kind, rate=f"{r}{unit}", midpoint=f"{mid}mV", scale=f"{scale}mV")


def channel_cell_document(pool="caFixed"):
    doc = N.NeuroMLDocument(id="cachan")
    ch = N.IonChannelHH(id="caChan", conductance="10pS", species="ca")
    # generic <gate type=...> elements: the schema lets a channel hold one kind of gate element only
    ch.gates.append(N.GateHHUndetermined(
        id="m", type="gateHHratesTauInf", instances=2, q10_settings=q10(2.5),
        forward_rate=hh_rate("HHExpRate", 1, 0, 10), reverse_rate=hh_rate("HHExpRate", 1, 0, -10),  # not used
        time_course=N.HHTime(type="fixedTimeCourse", tau="1.5ms"),
        steady_state=hh_rate("HHSigmoidVariable", 1, -20, 5, N.HHVariable, "")))
    ch.gates.append(N.GateHHUndetermined(id="h", type="gateHHrates", instances=1, q10_settings=q10(3),
                                         forward_rate=hh_rate("HHExpRate", 0.02, -60, -20),
                                         reverse_rate=hh_rate("HHSigmoidRate", 0.5, -25, 8)))
    doc.ion_channel_hhs.append(ch)
    doc.fixed_factor_concentration_models.append(N.FixedFactorConcentrationModel(
        id="caFixed", ion="ca", resting_conc=f"{CAI}mM", decay_constant="20ms", rho="50 mol_per_m_per_A_per_s"))
    doc.decaying_pool_concentration_models.append(N.DecayingPoolConcentrationModel(
        id="caPool", ion="ca", resting_conc=f"{CAI}mM", decay_constant="20ms", shell_thickness="0.1um"))
    morph = N.Morphology(id="morph")
    morph.segments.append(N.Segment(id=0, name="soma", proximal=point(0, 0, 0, SIZE_UM),
                                    distal=point(SIZE_UM, 0, 0, SIZE_UM)))
    mp = N.MembraneProperties(
        channel_density_nernsts=[N.ChannelDensityNernst(id="caN", ion_channel="caChan", cond_density="10 S_per_m2",
                                                        ion="ca")],
        specific_capacitances=[N.SpecificCapacitance(value="1.0 uF_per_cm2")],
        spike_threshes=[N.SpikeThresh(value="0mV")], init_memb_potentials=[N.InitMembPotential(value="-80mV")])
    ip = N.IntracellularProperties(species=[N.Species(id="ca", ion="ca", concentration_model=pool,
                                                      initial_concentration=f"{CAI}mM",
                                                      initial_ext_concentration=f"{CAO}mM")])
    doc.cells.append(N.Cell(id="cell", morphology=morph, biophysical_properties=N.BiophysicalProperties(
        id="bio", membrane_properties=mp, intracellular_properties=ip)))
    return doc


def clamp(step):
    return ((5.0, -80.0), (10.0, step), (5.0, -80.0))


@pytest.fixture(scope="module")
def neuron(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mod")
    (folder / "nml_cachan.mod").write_text(MOD)
    for name, text in POOL_MODS.items():
        (folder / f"{name}.mod").write_text(text)
    return neuron_loaded(sorted(folder.glob("*.mod")), "nrnmech-neuroml", "the NeuroML comparison channel")


def neuron_run(h, step=None, pool=None, tstop=20.0, also=None):
    """NEURON's compartment: the channel (and ``pool``) under the clamp family's ``step``, or
    (step None) a 0.02-nA current step from 2 ms; ``also``: another mechanism inserted, and its
    states recorded (mechanism name, (state, ...))."""
    sec = h.Section(name="nml_cell")
    sec.L, sec.diam, sec.nseg, sec.cm, sec.Ra = SIZE_UM, SIZE_UM, 1, 1.0, 35.4
    for mech in ("nml_cachan", pool, also and also[0]):
        if mech is not None:
            sec.insert(mech)
    h.cai0_ca_ion, h.cao0_ca_ion = CAI, CAO
    h.dt, h.secondorder, h.celsius = DT, 0, CELSIUS
    if step is not None:
        stim = h.SEClamp(sec(0.5))
        stim.rs = 0.01
        (stim.dur1, stim.amp1), (stim.dur2, stim.amp2), (stim.dur3, stim.amp3) = clamp(step)
    else:
        stim = h.IClamp(sec(0.5))
        stim.delay, stim.dur, stim.amp = 2.0, tstop, 0.02
    seg = sec(0.5)
    vecs = {"v": h.Vector().record(seg._ref_v), "ica": h.Vector().record(seg._ref_ica),
            "m": h.Vector().record(seg.nml_cachan._ref_m), "h": h.Vector().record(seg.nml_cachan._ref_h),
            "cai": h.Vector().record(seg._ref_cai)}
    if also is not None:
        vecs.update({k: h.Vector().record(getattr(getattr(seg, also[0]), f"_ref_{k}")) for k in also[1]})
    h.finitialize(-80.0)
    h.continuerun(tstop)
    out = {k: np.array(v) for k, v in vecs.items()}
    del stim, sec
    return out


def test_nernst_channel_with_q10_gates_equals_neuron_under_voltage_clamp(neuron, tmp_path):
    path = write(channel_cell_document(), tmp_path / "cachan.cell.nml")
    neuroml.validate(path)
    cell = neuroml.read(path, concentrations="fixed").cells["cell"].cell
    mech = cell.mechanisms["caChan"]  # the instance inserted: gbar 1 mS/cm², ci and co of the species
    worst = {}
    for step in STEPS:
        sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-80.0)
        sim.stimulate(ex.VClamp(cell.soma, levels=clamp(step), rs=0.01))
        for signal in ("v", "caChan.m", "caChan.h", "caChan.T_K"):
            sim.record(signal)
        ours = sim.run(20.0)
        theirs = neuron_run(neuron, step)
        assert len(theirs["v"]) == len(ours["v"])
        # NEURON records a step's current as nrn_cur computed it, at the V and states of the step's
        # start: its sample k+1 is the imported channel's current law at our sample k's V and states
        # (as the nmodl comparisons do), which tests the law rather than a recording convention
        states = {k: np.asarray(ours[f"caChan.{k}"]) for k in ("m", "h", "T_K")}
        ica = np.asarray(mech.currents(np.asarray(ours["v"]), states)["ica"]) / 1000.0  # µA/cm² -> mA/cm²
        pairs = {"v": (ours["v"], theirs["v"]), "m": (ours["caChan.m"], theirs["m"]),
                 "h": (ours["caChan.h"], theirs["h"]), "ica": (ica[:-1], theirs["ica"][1:])}
        for name, (mine, ref) in pairs.items():
            diff = np.max(np.abs(mine - ref)) / np.max(np.abs(ref))
            worst[name] = max(worst.get(name, 0.0), diff)
    assert np.max(np.abs(theirs["ica"])) > 1e-4  # the channel opens (mA/cm², at +40 mV): a real test
    # The same exponential-Euler updates and Nernst potential in both; what differs is rounding and
    # the clamp's solve: 1e-6 of each trace's largest magnitude (the bound) at every step.
    assert max(worst.values()) < 1e-6, worst


@pytest.mark.parametrize("pool, suffix", [("caPool", "nml_capool"), ("caFixed", "nml_cafix")])
def test_calcium_pools_follow_neuron_under_current_clamp(neuron, tmp_path, pool, suffix):
    """decayingPoolConcentrationModel and fixedFactorConcentrationModel as pools: [Ca]i rises with
    the channel's current, and the Nernst potential the channel reads falls with it."""
    path = write(channel_cell_document(pool), tmp_path / "pool.cell.nml")
    neuroml.validate(path)
    cell = neuroml.read(path).cells["cell"].cell  # the pool is imported: no concentrations= needed
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-80.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.02, delay=2.0, duration=30.0))
    for signal in ("v", "caChan.m", "caChan.h", f"{pool}.concentration"):
        sim.record(signal)
    ours = sim.run(30.0)
    theirs = neuron_run(neuron, pool=suffix, tstop=30.0)
    assert theirs["cai"].max() > 20 * CAI and ours["v"].max() > 0  # it fires and the pool fills
    pairs = {"v": ours["v"], "m": ours["caChan.m"], "h": ours["caChan.h"], "cai": ours[f"{pool}.concentration"]}
    worst = {k: float(np.max(np.abs(mine - theirs[k])) / np.max(np.abs(theirs[k]))) for k, mine in pairs.items()}
    # The same exponential-Euler updates, the pool integrating the current of the step's start in
    # both: rounding only; 1e-6 of each trace's largest magnitude is the bound
    assert max(worst.values()) < 1e-6, worst


def ks_channel_document():
    """One 10 x 10 um segment with the kinetic-scheme K+ channel of ``nml_kks`` (10 S/m2, erev -90 mV)."""
    doc = N.NeuroMLDocument(id="ks")
    ks = N.IonChannelKS(id="kKS", species="k", conductance="10pS")
    rate = lambda kind, r, mid, scale: (  # noqa: E731 - the <rate> child, which libNeuroML keeps as XML
        f'<rate type="{kind}" rate="{r}per_ms" midpoint="{mid}mV" scale="{scale}mV"/>')
    ks.gate_kses.append(N.GateKS(
        id="n", instances=1, closed_states=[N.ClosedState(id="c1"), N.ClosedState(id="c2")],
        open_states=[N.OpenState(id="o")],
        forward_transition=[N.ForwardTransition(id="f", from_="c1", to="c2",
                                                anytypeobjs_=[rate("HHSigmoidRate", 0.5, -40, 8)])],
        reverse_transition=[N.ReverseTransition(id="r", from_="c1", to="c2",
                                                anytypeobjs_=[rate("HHExpRate", 0.1, -60, -25)])],
        tau_inf_transition=[N.TauInfTransition(
            id="t", from_="c2", to="o", time_course=N.HHTime(type="fixedTimeCourse", tau="3ms"),
            steady_state=N.HHVariable(type="HHSigmoidVariable", rate="1", midpoint="-30mV", scale="6mV"))]))
    doc.ion_channel_kses.append(ks)
    morph = N.Morphology(id="morph")
    morph.segments.append(N.Segment(id=0, name="soma", proximal=point(0, 0, 0, SIZE_UM),
                                    distal=point(SIZE_UM, 0, 0, SIZE_UM)))
    mp = N.MembraneProperties(
        channel_densities=[N.ChannelDensity(id="k", ion_channel="kKS", cond_density="10 S_per_m2", erev="-90mV",
                                            ion="k")],
        specific_capacitances=[N.SpecificCapacitance(value="1.0 uF_per_cm2")],
        spike_threshes=[N.SpikeThresh(value="0mV")], init_memb_potentials=[N.InitMembPotential(value="-80mV")])
    doc.cells.append(N.Cell(id="cell", morphology=morph, biophysical_properties=N.BiophysicalProperties(
        id="bio", membrane_properties=mp)))
    return doc


def test_kinetic_scheme_channel_equals_neuron_kinetic_block_under_voltage_clamp(neuron, tmp_path):
    path = write(ks_channel_document(), tmp_path / "ks.cell.nml")
    neuroml.validate(path)
    cell = neuroml.read(path).cells["cell"].cell
    mech = cell.mechanisms["kKS"]
    worst = {}
    for step in STEPS:
        sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-80.0)
        sim.stimulate(ex.VClamp(cell.soma, levels=clamp(step), rs=0.01))
        for signal in ("v", "kKS.n_c1", "kKS.n_c2", "kKS.n_o"):
            sim.record(signal)
        ours = sim.run(20.0)
        h = neuron
        sec = h.Section(name="ks_cell")
        sec.L, sec.diam, sec.nseg, sec.cm = SIZE_UM, SIZE_UM, 1, 1.0
        sec.insert("nml_kks")
        h.dt, h.secondorder, h.celsius = DT, 0, CELSIUS
        stim = h.SEClamp(sec(0.5))
        stim.rs = 0.01
        (stim.dur1, stim.amp1), (stim.dur2, stim.amp2), (stim.dur3, stim.amp3) = clamp(step)
        seg = sec(0.5)
        vecs = {"v": h.Vector().record(seg._ref_v), "ik": h.Vector().record(seg._ref_ik)}
        vecs.update({k: h.Vector().record(getattr(seg.nml_kks, f"_ref_{k}")) for k in ("c1", "c2", "o")})
        h.finitialize(-80.0)
        h.continuerun(20.0)
        theirs = {k: np.array(v) for k, v in vecs.items()}
        del stim, sec
        states = {k: np.asarray(ours[f"kKS.{k}"]) for k in mech.states}
        ik = np.asarray(mech.currents(np.asarray(ours["v"]), states)["ik"]) / 1000.0  # µA/cm² -> mA/cm²
        pairs = {"v": (ours["v"], theirs["v"]), "c1": (ours["kKS.n_c1"], theirs["c1"]),
                 "c2": (ours["kKS.n_c2"], theirs["c2"]), "o": (ours["kKS.n_o"], theirs["o"]),
                 "ik": (ik[:-1], theirs["ik"][1:])}  # NEURON's current of a step: its start's V and states
        for name, (mine, ref) in pairs.items():
            worst[name] = max(worst.get(name, 0.0), float(np.max(np.abs(mine - ref)) / np.max(np.abs(ref))))
    assert np.max(theirs["o"]) > 0.5  # at +40 mV the channel opens
    # Backward Euler on the same linear scheme in both (NEURON's sparse solves it in one Newton
    # step), the same steady state at the start: rounding only; 1e-6 of range is the bound
    assert max(worst.values()) < 1e-6, worst
    # The scheme's step is elementwise, so the fused single-compartment kernel runs it too (Pallas;
    # its interpreter on a CPU): the same operations in another program, rounding at most (0 seen)
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-80.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.02, delay=1.0, duration=5.0))
    sim.record("v")
    sim.record("kKS.n_o")
    scan, fused = sim.run(10.0, kernel="scan"), sim.run(10.0, kernel="fused")
    np.testing.assert_allclose(fused["v"], scan["v"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(fused["kKS.n_o"], scan["kKS.n_o"], rtol=0, atol=1e-12)
