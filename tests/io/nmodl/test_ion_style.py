"""NEURON's per-section ion style for imported mechanisms, side by side with NEURON running the same
files (compiled by nrnivmodl in the test).

In NEURON a mechanism that READs an ion's concentration (camchan.mod's ``cai``/``cao``, our
nm_nakread.mod's ``nai``/``ki``) promotes that ion's style in its section: at finitialize the
reversal potential is computed by Nernst from the concentrations at the run's celsius, for every
mechanism of the section, overwriting a value set before (``ion_style`` reports einit = 1). A
section whose mechanisms only read ``eca`` keeps 132.458 mV, or what the user set. Each test below
runs a soma (where both kinds of reader sit) and a dendrite (only the reversal-potential reader), so
a rule applied everywhere fails at the dendrite and a rule applied nowhere fails at the soma.

Tolerance: every trace within 1e-6 of its range (issue 18) at every step. Both sides are float64
and evaluate the same expressions, so only the order of operations differs (1e-12..1e-9 expected);
eca differs between the rules by 4.9 mV (6.3 °C) and 5.9 mV (30 °C) of ~130, which moves the Ca
clamp currents by ~4 % of their range, ena by 13.5 mV, which moves the spikes by > 1 % of V's range.
"""

from __future__ import annotations

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.physics.ions import nernst
from tests.io.nmodl.neuron_side import DT, mod_file, neuron_with_mods
from tests.io.nmodl.test_neuron_side_by_side import spike_times
from tests.reference.nrnmech import neuron_loaded

pytestmark = pytest.mark.neuron
RTOL = 1e-6
_CLASSES: dict[str, type] = {}
#: (name, L um, diam um): a soma and a thin dendrite at its end, one compartment each.
SECTIONS = (("soma", 10.0, 10.0), ("dend", 100.0, 2.0))
#: NEURON variables of a segment rather than of a mechanism.
ION_VARS = ("eca", "ena", "ek", "cai", "cao", "nai", "ki")


def cls(stem):
    if stem not in _CLASSES:
        _CLASSES[stem] = load_mod(mod_file(stem))
    return _CLASSES[stem]


def neuron_h():
    """NEURON with the first test library and nm_nakread.mod (a library of its own) loaded."""
    neuron_with_mods()
    return neuron_loaded([mod_file("nm_nakread")], "nrnmech-nmodl-style", "nm_nakread.mod", timeout_s=600)


def ours(mechs, *, celsius, tstop, v_init, clamps=None, iclamp=None, records=()):
    """Our cell: ``mechs`` {section: {stem: {field: value}}} with a 0.1 mS/cm² leak everywhere;
    ``clamps`` {section: levels} (one VClamp each, rs 0.01 MOhm), ``iclamp`` (delay, dur, nA) at the
    soma; records V at each section, each clamp's current and ``records`` [(section, "suffix.var")]."""
    b = ex.Morphology.builder()
    for k, (name, length, diam) in enumerate(SECTIONS):
        b.add(name, length=length, diameter=diam, **({} if k == 0 else {"parent": "soma", "x": 1.0}))
    cell = ex.Cell(b.build(), nseg=1)
    for sec, stems in mechs.items():
        for stem, values in stems.items():
            cell.insert(cls(stem)(**values), where=sec)
    cell.insert(cls("passive")(g=1e-4, e=-65.0))
    sim = ex.Simulation(cell, dt=DT, temperature=celsius, v_init=v_init)
    for sec, levels in (clamps or {}).items():
        sim.stimulate(ex.VClamp(ex.Location(sec, 0.5), levels=levels, rs=0.01))
    if iclamp is not None:
        sim.stimulate(ex.IClamp(cell.soma, amplitude=iclamp[2], delay=iclamp[0], duration=iclamp[1]))
    for name, _, _ in SECTIONS:
        sim.record("v", at=ex.Location(name, 0.5), label=f"{name}:v")
    for k, sec in enumerate(clamps or {}):
        sim.record(f"vclamp[{k}]", at=ex.Location(sec, 0.5), label=f"{sec}:i_clamp")
    for sec, signal in records:
        sim.record(signal, at=ex.Location(sec, 0.5), label=f"{sec}:{signal}")
    return sim.run(tstop)


def neurons(mechs, *, celsius, tstop, v_init, clamps=None, iclamp=None, records=(), ions=()):
    """NEURON's run of the same cell; ``ions`` [(section, variable)] of the segments recorded too."""
    h = neuron_h()
    secs = {}
    for k, (name, length, diam) in enumerate(SECTIONS):
        sec = secs[name] = h.Section(name=f"style_{name}")
        sec.L, sec.diam, sec.nseg, sec.cm, sec.Ra = length, diam, 1, 1.0, 35.4
        if k:
            sec.connect(secs["soma"](1.0))
        for stem, values in mechs.get(name, {}).items():
            suffix = cls(stem).__name__
            sec.insert(suffix)
            for var, value in values.items():  # before finitialize, as a model's hoc code sets them
                setattr(sec(0.5) if var in ION_VARS else getattr(sec(0.5), suffix), var, value)
            if hasattr(h, f"usetable_{suffix}"):
                setattr(h, f"usetable_{suffix}", 0)
        sec.insert("pas")
        sec(0.5).pas.g, sec(0.5).pas.e = 1e-4, -65.0
    h.dt, h.secondorder, h.celsius = DT, 0, celsius
    stims, vecs = [], {}
    for sec, levels in (clamps or {}).items():
        stim = h.SEClamp(secs[sec](0.5))
        stim.rs = 0.01
        (stim.dur1, stim.amp1), (stim.dur2, stim.amp2), (stim.dur3, stim.amp3) = levels
        stims.append(stim)
        vecs[f"{sec}:i_clamp"] = h.Vector().record(stim._ref_i)
    if iclamp is not None:
        stim = h.IClamp(secs["soma"](0.5))
        stim.delay, stim.dur, stim.amp = iclamp
        stims.append(stim)
    for name, _, _ in SECTIONS:
        vecs[f"{name}:v"] = h.Vector().record(secs[name](0.5)._ref_v)
    for sec, signal in records:
        suffix, var = signal.split(".")
        vecs[f"{sec}:{signal}"] = h.Vector().record(getattr(getattr(secs[sec](0.5), suffix), f"_ref_{var}"))
    for sec, var in ions:
        vecs[f"{sec}:{var}"] = h.Vector().record(getattr(secs[sec](0.5), f"_ref_{var}"))
    h.finitialize(v_init)
    h.continuerun(tstop)
    out = {k: np.array(v) for k, v in vecs.items()}
    del stims, secs
    return out


def of_range(mine, theirs) -> float:
    """max |ours - NEURON's| / the range of NEURON's trace."""
    mine, theirs = np.asarray(mine), np.asarray(theirs)
    return float(np.max(np.abs(mine - theirs)) / max(np.ptp(theirs), 1e-300))


def compare(mechs, **run) -> tuple[dict, dict]:
    ions = run.pop("ions", ())
    mine, theirs = ours(mechs, **run), neurons(mechs, ions=ions, **run)
    diffs = {k: of_range(mine[k], theirs[k]) for k in theirs if k in mine.traces}
    bad = {k: d for k, d in diffs.items() if not d <= RTOL}
    assert not bad, f"largest differences (of each trace's range): {bad}"
    return mine, theirs


#: -80 mV, a step to 0 mV (nm_instant's Ca current opens, camchan's GHK current flows), back.
CLAMP = ((5.0, -80.0), (15.0, 0.0), (5.0, -80.0))
#: Soma: camchan.mod (reads cai, cao) and nm_instant.mod (reads eca); dendrite: nm_instant only, its
#: eca at the default (6.3 °C) or set to 100 mV (30 °C; kept: no concentration reader there).
CA_CASES = [(6.3, None), (30.0, 100.0)]
CA_RUN = {"tstop": 25.0, "v_init": -80.0, "clamps": {"soma": CLAMP, "dend": CLAMP},
          "records": [("soma", "cachan.oca"), ("soma", "nm_instant.h"), ("dend", "nm_instant.h")]}
#: Soma: hh.mod beside nm_nakread.mod (reads nai, ki); dendrite: hh.mod alone. A current step fires.
NAK_CASES = [6.3, 18.5]
NAK_MECHS = {"soma": {"hh": {}, "nm_nakread": {}}, "dend": {"hh": {}}}
NAK_RUN = {"tstop": 30.0, "v_init": -65.0, "iclamp": (2.0, 20.0, 0.2),
           "records": [(sec, f"hh.{x}") for sec in ("soma", "dend") for x in ("m", "h", "n")]}


def ca_mechs(dend_eca):
    return {"soma": {"camchan": {}, "nm_instant": {}}, "dend": {"nm_instant": {} if dend_eca is None else {"eca": dend_eca}}}


@pytest.mark.parametrize("celsius, dend_eca", CA_CASES)
def test_a_cai_reader_makes_eca_nernst_in_its_section_only(celsius, dend_eca):
    """camchan + nm_instant at the soma, nm_instant alone at the dendrite (CA_CASES), both clamped."""
    _, theirs = compare(ca_mechs(dend_eca), celsius=celsius, ions=[("soma", "eca"), ("dend", "eca")], **CA_RUN)
    # NEURON's own eca, against the closed form: Nernst(5e-5 mM, 2 mM, z = 2) at the soma (1e-9:
    # the two sides' constants are CODATA 2018's, so only rounding differs), the dendrite's untouched.
    assert theirs["soma:eca"][0] == pytest.approx(float(nernst(5e-5, 2.0, 2, celsius)), rel=1e-9)
    assert theirs["dend:eca"][0] == (132.4579341637009 if dend_eca is None else dend_eca)
    for sec in ("soma", "dend"):  # the clamp currents carry the Ca current: they measure eca
        assert np.ptp(theirs[f"{sec}:i_clamp"]) > 0.0


@pytest.mark.parametrize("celsius", NAK_CASES)
def test_nai_and_ki_readers_make_ena_and_ek_nernst_for_hh_in_their_section_only(celsius):
    """Soma: hh.mod beside nm_nakread.mod (reads nai, ki): NEURON runs hh on ena = Nernst(10, 140)
    and ek = Nernst(54.4, 2.5) there; the dendrite's hh.mod keeps 50 and -77 mV. The soma fires."""
    mine, theirs = compare(NAK_MECHS, celsius=celsius, ions=[(s, e) for s in ("soma", "dend") for e in ("ena", "ek")],
                           **NAK_RUN)
    assert theirs["soma:ena"][0] == pytest.approx(float(nernst(10.0, 140.0, 1, celsius)), rel=1e-9)
    assert theirs["soma:ek"][0] == pytest.approx(float(nernst(54.4, 2.5, 1, celsius)), rel=1e-9)
    assert (theirs["dend:ena"][0], theirs["dend:ek"][0]) == (50.0, -77.0)
    ref = spike_times(theirs["soma:v"])
    assert len(ref) >= 2
    np.testing.assert_allclose(spike_times(mine["soma:v"]), ref, atol=0.05)  # ms (issue 18)


def comparison_rows() -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of the runs above, for the table in docs/nmodl.md
    (benchmarks/nmodl_table.py)."""
    cases = [(("camchan (camchan.mod) + nm_instant (nm_instant.mod) at a soma, nm_instant alone at a 2-µm dendrite "
               "(its eca 132.458 mV at 6.3 °C, set to 100 mV at 30 °C), both clamped to 0 mV: per-section ion style"),
              ["camchan", "nm_instant"], [(c, ca_mechs(e)) for c, e in CA_CASES], CA_RUN),
             (("hh (hh.mod) + nm_nakread (nm_nakread.mod) at a soma, hh alone at a 2-µm dendrite, 6.3 and 18.5 °C, "
               "a current step: per-section ion style (ena, ek)"), ["hh", "nm_nakread"],
              [(c, NAK_MECHS) for c in NAK_CASES], NAK_RUN)]
    rows = []
    for label, stems, runs, run in cases:
        parts, spikes = [], []
        for celsius, mechs in runs:
            mine, theirs = ours(mechs, celsius=celsius, **run), neurons(mechs, celsius=celsius, **run)
            parts.append(f"{celsius:g} °C: " + ", ".join(f"{k} {of_range(mine[k], theirs[k]):.1e}" for k in theirs
                                                        if k in mine.traces))
            a, b = spike_times(mine["soma:v"]), spike_times(theirs["soma:v"])
            within = f" within {np.max(np.abs(a - b)):.0e} ms" if len(a) == len(b) and len(a) else ""
            spikes.append(f"{celsius:g} °C: {len(a)} vs {len(b)}{within}")
        rows.append((label, [mod_file(s) for s in stems], "; ".join(parts) + " (of each trace's range)",
                     "clamped" if "clamps" in run else ", ".join(spikes)))
    return rows


def one_compartment(*mechs):
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0)
    for m in mechs:
        cell.insert(m)
    return ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0)


@pytest.mark.parametrize("user", ["camchan", "nm_cadecay"])
def test_an_eca_set_where_ca_concentrations_are_used_is_refused(user):
    """NEURON overwrites a section's eca where a mechanism reads cai (at finitialize: camchan.mod)
    or writes it (at every step: the nm_cadecay pool), checked above (ion_style's einit): we refuse
    the value in one line instead of running without it. Without such a mechanism it is used."""
    sim = one_compartment(cls(user)(), cls("nm_instant")(eca=100.0))
    with pytest.raises(ModelError, match=rf"nm_instant\.eca = 100 mV in compartment 0: {cls(user).__name__} uses ca "
                                         r"concentrations there, .*Nernst") as err:
        sim.run(1.0)
    assert "\n" not in str(err.value)
    sim = one_compartment(cls("nm_instant")(eca=100.0))
    assert sim.parameters()["channels"]["nm_instant"].eca == 100.0


def test_readers_that_disagree_on_a_concentration_are_refused():
    """NEURON keeps one cai per segment; two imported readers with different cai fields have none."""
    sim = one_compartment(cls("camchan")(cai=1e-4), cls("cachan1")())
    with pytest.raises(ModelError, match=r"cachan\.cai = 0\.0001 and cachan1\.cai = 5e-05 mM in compartment 0: "
                                         r"NEURON keeps one cai per segment") as err:
        sim.run(1.0)
    assert "\n" not in str(err.value)
    one_compartment(cls("camchan")(cai=1e-4), cls("cachan1")(cai=1e-4)).parameters()  # alike: accepted


def test_a_set_cai_gives_eca_its_nernst_value_and_the_fused_kernel_runs_the_style():
    """camchan.mod with cai = 1e-4 mM beside nm_instant.mod: nm_instant's current is gbar m² h (V -
    Nernst(1e-4, 2)), checked against that closed form from the recorded states (1e-12 of the current:
    both are float64 evaluations of one expression); the single-compartment fused kernel (Pallas, in
    its interpreter on a CPU) gives the scan's traces exactly (the same step function)."""
    sim = one_compartment(cls("camchan")(cai=1e-4), cls("nm_instant")(gbar=0.005), cls("passive")(g=1e-4, e=-65.0))
    sim.stimulate(ex.IClamp(sim.network.cells[0].soma, amplitude=0.01, delay=1.0, duration=3.0))
    for signal in ("v", "nm_instant.h", "nm_instant.minf", "nm_instant.ica"):
        sim.record(signal)
    scan, fused = sim.run(5.0, kernel="scan"), sim.run(5.0, kernel="fused")
    for k in ("v", "nm_instant.ica"):
        np.testing.assert_array_equal(np.asarray(fused[k]), np.asarray(scan[k]))
    # Recorded currents are at the step's new V and its starting states (integrate.probe_value).
    v, h, minf = (np.asarray(scan[k]) for k in ("v", "nm_instant.h", "nm_instant.minf"))
    expected = 1000 * 0.005 * minf[:-1] ** 2 * h[:-1] * (v[1:] - float(nernst(1e-4, 2.0, 2, 6.3)))  # µA/cm²
    np.testing.assert_allclose(np.asarray(scan["nm_instant.ica"])[1:], expected, rtol=0, atol=1e-12 * np.ptp(expected))


def test_the_tree_kernels_leave_the_style_to_the_scan():
    from excitable.engine.kernels.common import fusable_tree

    b = ex.Morphology.builder()
    b.add("soma", length=10.0, diameter=10.0)
    b.add("dend", length=100.0, diameter=2.0, parent="soma", x=1.0)
    cell = ex.Cell(b.build(), nseg=1).insert(cls("camchan")(), where="soma").insert(cls("nm_instant")())
    sim = ex.Simulation(cell, dt=DT, temperature=6.3)
    assert "ion style" in fusable_tree(sim.plan, sim.parameters())


def test_gradient_through_the_nernst_eca_matches_finite_differences():
    """d V(5 ms) / d cachan.cai with camchan's permeability at 0: cai then acts only through the eca
    that nm_instant reads (Nernst, the ion style), so without the style the gradient would be 0.
    jax.grad through the run against a central difference (h = 1e-5 of cai: truncation ~h², 1e-10
    relative; the rounding of 200 steps divided by 2h, 5e-9 relative measured), so 1e-6 relative is
    wide for both and far below a missing or wrong path (the gradient is -7.7e4 mV/mM)."""
    import jax

    sim = one_compartment(cls("camchan")(pcabar=0.0, cai=1e-4), cls("nm_instant")(gbar=0.005),
                          cls("passive")(g=1e-4, e=-65.0))
    sim.stimulate(ex.IClamp(sim.network.cells[0].soma, amplitude=0.01, delay=1.0, duration=3.0))
    sim.record("v")
    run, p0 = sim.function(5.0), sim.parameters()

    def final_v(cai):
        return run(ex.with_param(p0, "cachan.cai", cai))[-1, 0]

    c0 = np.asarray(ex.get_param(p0, "cachan.cai"))
    exact = jax.grad(lambda c: final_v(c).sum())(c0)
    h = 1e-9  # mM
    central = (final_v(c0 + h) - final_v(c0 - h)) / (2 * h)
    assert abs(float(central)) > 1.0  # mV per mM: V does depend on cai, through eca alone
    np.testing.assert_allclose(np.asarray(exact), np.asarray(central), rtol=1e-6)


def test_a_built_in_channel_beside_an_imported_reader_reads_the_nernst_potentials_too():
    """NEURON's style applies to every mechanism of the section: excitable's built-in HH beside
    nm_nakread.mod runs on ena = Nernst(10, 140) and ek = Nernst(54.4, 2.5), checked against HH's
    current law from the recorded states (1e-12 of each current's range: one float64 expression on
    both sides); its eNa set to 55 mV there is refused as nm_instant's eca is."""
    sim = one_compartment(ex.HH(), cls("nm_nakread")())
    sim.stimulate(ex.IClamp(sim.network.cells[0].soma, amplitude=0.05, delay=1.0, duration=2.0))
    for signal in ("v", "HH.m", "HH.h", "HH.n", "HH.ina", "HH.ik"):
        sim.record(signal)
    res = sim.run(8.0)
    v, m, h, n = (np.asarray(res[k]) for k in ("v", "HH.m", "HH.h", "HH.n"))
    ena, ek = float(nernst(10.0, 140.0, 1, 6.3)), float(nernst(54.4, 2.5, 1, 6.3))
    for name, expected in (("HH.ina", 120.0 * m[:-1] ** 3 * h[:-1] * (v[1:] - ena)),
                           ("HH.ik", 36.0 * n[:-1] ** 4 * (v[1:] - ek))):
        np.testing.assert_allclose(np.asarray(res[name])[1:], expected, rtol=0, atol=1e-12 * np.ptp(expected))
    with pytest.raises(ModelError, match=r"HH\.eNa = 55 mV in compartment 0: nm_nakread uses na concentrations"):
        one_compartment(ex.HH(eNa=55.0), cls("nm_nakread")()).run(1.0)
