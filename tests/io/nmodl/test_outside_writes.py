"""Mechanisms that WRITE an outside concentration (potassium accumulating outside the membrane: the
Frankenhaeuser-Hodgkin space of NEURON's classic kext.mod, the cerebellar Golgi cell's k_conc
writing ki and ko), side by side with NEURON running the same files:

- tests/reference/mod/nm_kext.mod: ``USEION k READ ik WRITE ko``, ko a STATE (cnexp) filled by the
  compartment's total ik and relaxing to the bath; INITIAL starts it at 4 mM, off the bath's 5.4;
- nm_kconc.mod: ``READ ik, ki, ko WRITE ki, ko``, both sides at once (derivimplicit);
- nm_kir.mod: an inward rectifier reading ek and ko (its conductance grows as sqrt(ko)), beside a
  writer: it must see the written ko;
- hh (the wheel's hh.mod; NEURON's built-in hh): its ik fills the space, and its ek follows.

What NEURON does (9.0.2, read from nocmodl's C): a file that writes ``ko`` gets the same
``nrn_promote(ion, 3, 0)`` and ``nrn_writes_conc`` as one writing ``cai``: the state starts at the
ion's ko (2.5 mM) before INITIAL, is stored in the ion after INITIAL and after each SOLVE, and ek is
Nernst(ki, ko) at the run's celsius, recomputed at the start of each step (so NEURON's ek at sample
k is Nernst of the ko of sample k - 1; at t = 0 of the ko INITIAL set).

Compared at every step: V, every STATE, the written concentrations (NEURON's are the ion's), and ek.
Tolerance: 1e-6 of each trace's largest magnitude (issue 18): float64 on both sides, the same
expressions, so only round-off differs (1e-11 expected), while leaving ek at its default, or
reading ko one step late, moves V by more than 1e-3 of its range (asserted below on NEURON's own
traces: ek moves by millivolts). Spike times within 0.05 ms (issue 18).
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from excitable.physics.ions import nernst
from tests.io.nmodl.neuron_side import DT, OWN, leaky_both, mod_file, neuron_with_mods
from tests.io.nmodl.test_neuron_side_by_side import spike_times, worst
from tests.reference.nrnmech import neuron_loaded

pytestmark = pytest.mark.neuron
RTOL = 1e-6
CELSIUS = 16.0
FILES = ("nm_kext", "nm_kconc", "nm_kir")
KI_DEFAULT_MM = 54.4  # NEURON's ki0_k_ion
_CLASSES: dict[str, type] = {}


def cls(stem):
    if stem not in _CLASSES:
        _CLASSES[stem] = load_mod(mod_file(stem))
    return _CLASSES[stem]


def neuron():
    """NEURON with the first library (built-in hh, pas) and FILES loaded."""
    neuron_with_mods()
    return neuron_loaded([OWN / f"{n}.mod" for n in FILES], "nrnmech-outside-concentrations",
                         "the outside-concentration test files")


def both(stems, *, tstop, v_init, clamp=None, iclamp=None):
    """Our run and NEURON's of one compartment with ``stems`` and a 0.1 mS/cm² leak: V, every state
    (a written concentration is the ion's in NEURON), and NEURON's ek, ki and ko."""
    return leaky_both([cls(s) for s in (*stems, "passive")], neuron, record=[("ek", "ek"), ("ki", "ki"), ("ko", "ko")],
                      celsius=CELSIUS, tstop=tstop, v_init=v_init, clamp=clamp, iclamp=iclamp)


def written(stems, ours, what: str) -> np.ndarray | None:
    """Our trace of the written ``ki`` or ``ko`` (None where no file of ``stems`` writes it)."""
    for s in stems:
        if what in cls(s).conc_writes:
            return np.asarray(ours[f"{cls(s).__name__}.{what}"])
    return None


def differences(stems, ours, theirs) -> dict[str, float]:
    """Largest difference of each trace, of its largest magnitude: V, every state, and ek, ours by
    Nernst from our ki and ko as NEURON's ion computes it (each step from the previous sample's)."""
    out = {"v": worst(ours["v"], theirs["v"])}
    for s in stems:
        for st in cls(s).description.states:
            name = f"{cls(s).__name__}.{st}"
            out[name] = worst(ours[name], theirs[name])
    ko, ki = written(stems, ours, "ko"), written(stems, ours, "ki")
    ki = np.full_like(ko, KI_DEFAULT_MM) if ki is None else ki
    ek = np.asarray(nernst(ki, ko, 1, CELSIUS))
    out["ek"] = max(worst(ek[:-1], theirs["ek"][1:]), worst(ek[:1], theirs["ek"][:1]))
    return out


def family(step: float) -> dict:
    """both()'s arguments for the voltage-clamp family's step to ``step`` mV from -80 mV."""
    return {"tstop": 25.0, "v_init": -80.0, "clamp": ((5.0, -80.0), (15.0, step), (5.0, -80.0))}


def spiking(amplitude_nA: float) -> dict:
    """both()'s arguments for a current clamp of 20 ms from 2 ms that fires a train."""
    return {"tstop": 30.0, "v_init": -65.0, "iclamp": (2.0, 20.0, amplitude_nA)}


#: (stems, runs): the space alone beside hh (3 spikes; ko 3.4 -> 4.2 mM); both sides written, read
#: by the rectifier (ek near -90 mV: 4 spikes at 0.08 nA); the space read by the rectifier, which
#: (hyperpolarized, below ek) carries K+ inward and empties it.
CASES = {
    "kext": (("hh", "nm_kext"), [spiking(0.02)] + [family(x) for x in (-60.0, -20.0, 20.0, 40.0)]),
    "kconc+kir": (("hh", "nm_kconc", "nm_kir"), [spiking(0.08), family(20.0), family(-60.0)]),
    "kext+kir": (("nm_kext", "nm_kir"), [family(-100.0), family(-60.0), family(0.0)]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_outside_concentration_writers_match_neuron(case):
    stems, runs = CASES[case]
    for run in runs:
        ours, theirs = both(stems, **run)
        diffs = differences(stems, ours, theirs)
        bad = {k: d for k, d in diffs.items() if not d <= RTOL}
        assert not bad, f"{case} {run}: largest differences (of each trace's magnitude): {bad}"
        # Not a comparison of constants: ko moves, and ek with it, by millivolts on NEURON's side.
        assert np.ptp(theirs["ko"]) > 0.1, (case, run)
        assert np.ptp(theirs["ek"]) > 1.0, (case, run)
        if "iclamp" in run:
            mine, ref = spike_times(ours["v"]), spike_times(theirs["v"])
            assert len(mine) == len(ref) >= 2 and np.max(np.abs(mine - ref)) <= 0.05, (mine, ref)


def test_accumulation_changes_the_spikes():
    """The written ko matters: hh alone under the same current fires differently from hh beside the
    filling space (ek rises by ~5 mV over the train), on NEURON's side and ours alike."""
    with_space, theirs = both(("hh", "nm_kext"), **spiking(0.02))
    alone, _ = both(("hh",), **spiking(0.02))
    assert worst(alone["v"], theirs["v"]) > 1e-2
    assert worst(with_space["v"], theirs["v"]) <= RTOL
    assert np.max(theirs["ek"]) - theirs["ek"][0] > 3.0


def test_a_writer_on_part_of_the_cell_matches_neuron():
    """The space on the soma only, hh on soma and dendrite: the dendrite keeps NEURON's ek (its
    section holds no concentration user, so its style is not promoted) while the soma's follows ko."""
    h = neuron()
    h.usetable_hh = 0
    soma, dend = h.Section(name="out_soma"), h.Section(name="out_dend")
    soma.L = soma.diam = 20.0
    dend.L, dend.diam = 200.0, 2.0
    dend.connect(soma(1.0))
    for sec in (soma, dend):
        sec.nseg, sec.cm, sec.Ra = 1, 1.0, 35.4
        sec.insert("hh")
    soma.insert(cls("nm_kext").__name__)
    stim = h.IClamp(soma(0.5))
    stim.delay, stim.dur, stim.amp = 2.0, 20.0, 0.3
    refs = {"soma:v": soma(0.5)._ref_v, "dend:v": dend(0.5)._ref_v, "soma:ko": soma(0.5)._ref_ko,
            "soma:ek": soma(0.5)._ref_ek, "dend:ek": dend(0.5)._ref_ek}
    vecs = {k: h.Vector().record(r) for k, r in refs.items()}
    h.dt, h.secondorder, h.celsius = DT, 0, CELSIUS
    h.finitialize(-65.0)
    h.continuerun(30.0)
    theirs = {k: np.array(v) for k, v in vecs.items()}
    del stim, soma, dend

    b = ex.Morphology.builder()
    b.add("soma", length=20.0, diameter=20.0)
    b.add("dend", length=200.0, diameter=2.0, parent="soma", x=1.0)
    cell = ex.Cell(b.build(), nseg=1).insert(cls("hh")()).insert(cls("nm_kext")(), where="soma")
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.3, delay=2.0, duration=20.0))
    sim.record("v", at=ex.Location("soma", 0.5), label="soma:v")
    sim.record("v", at=ex.Location("dend", 0.5), label="dend:v")
    sim.record("nm_kext.ko", at=ex.Location("soma", 0.5), label="soma:ko")
    ours = sim.run(30.0)
    for k in ("soma:v", "dend:v", "soma:ko"):
        assert worst(ours[k], theirs[k]) <= RTOL, k
    assert np.ptp(theirs["soma:ek"]) > 1.0 and np.ptp(theirs["dend:ek"]) == 0.0
    assert len(spike_times(theirs["soma:v"])) >= 2


def test_gradient_through_the_space_matches_finite_differences():
    """d V(20 ms) / d fhspace by jax.grad through the run (ko, Nernst ek, hh's ik), against a central
    difference (h = 1e-5 of fhspace: truncation ~h² ~1e-10 relative, rounding ~1e-16/1e-5 = 1e-11
    of V: 1e-5 relative is wide for both and far below a missing path through ko or ek)."""
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(cls("hh")()).insert(cls("nm_kext")())
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.02, delay=1.0, duration=30.0))  # below threshold: smooth
    sim.record("v")
    run, p0 = sim.function(20.0), sim.parameters()

    def v_end(space):
        return run(ex.with_param(p0, "nm_kext.fhspace", space))[-1, 0]

    x, step = 300.0, 300.0 * 1e-5
    exact = float(jax.grad(v_end)(x))
    central = (float(v_end(x + step)) - float(v_end(x - step))) / (2 * step)
    assert abs(central) > 1e-4  # the space matters to V
    assert exact == pytest.approx(central, rel=1e-5)


def test_the_fused_kernel_gives_the_scans_numbers():
    """The single-compartment GPU kernel (in Pallas' interpreter) runs the writers as the scan does
    (the scan is the path compared with NEURON above): a batch of two hh cells, one firing, with both
    sides written (nm_kconc: ki and ko); 1e-9 mV and mM, round-off of the same arithmetic."""
    from excitable.engine.batch import broadcast, with_param

    for stem in ("nm_kconc",):
        cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH()).insert(cls(stem)())
        sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0)
        sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(15.0, cell.soma), delay=0.5, duration=5.0))
        sim.record("v")
        sim.record(f"{stem}.ko")
        params = with_param(broadcast(sim.parameters(), 2), "HH.gNa", np.linspace(20.0, 120.0, 2))
        fused, scan = sim.run_batch(6.0, params, kernel="fused"), sim.run_batch(6.0, params, kernel="scan")
        for trace in scan.traces:
            np.testing.assert_allclose(fused[trace], scan[trace], rtol=0, atol=1e-9, err_msg=f"{stem} {trace}")
        assert np.max(scan["v"][1]) > 0.0 > np.max(scan["v"][0]) and np.ptp(scan[f"{stem}.ko"]) > 0.1


def test_two_writers_of_one_outside_concentration_are_refused():
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(cls("nm_kext")()).insert(cls("nm_kconc")())
    with pytest.raises(ModelError, match="both write ko") as err:
        ex.Simulation(cell, dt=DT, temperature=CELSIUS).run(1.0)
    assert "\n" not in str(err.value)


def test_mod_check_lists_the_written_outside_concentration():
    report, problems = check_file(OWN / "nm_kext.mod")
    text = "\n".join(report)
    assert not problems, report
    assert "ko" in text and "writes" in text, report


def comparison_rows() -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of the runs of the first test, for the table in docs/nmodl.md
    (benchmarks/nmodl_table.py): the largest difference of each trace over a case's runs, nothing asserted."""
    what = {"kext": "hh + nm_kext (nm_kext.mod: WRITE ko, a Frankenhaeuser-Hodgkin space)",
            "kconc+kir": "hh + nm_kconc (nm_kconc.mod: WRITE ki, ko, derivimplicit) + nm_kir (nm_kir.mod, reads ko)",
            "kext+kir": "nm_kext + nm_kir (reads the written ko)"}
    rows = []
    for case, (stems, runs) in CASES.items():
        worst_of, spikes = {}, "clamped"
        for run in runs:
            ours, theirs = both(stems, **run)
            for k, d in differences(stems, ours, theirs).items():
                worst_of[k] = max(d, worst_of.get(k, 0.0))
            if "iclamp" in run:
                mine, ref = spike_times(ours["v"]), spike_times(theirs["v"])
                within = f", times within {np.max(np.abs(mine - ref)):.0e} ms" if len(mine) == len(ref) and len(ref) else ""
                spikes = f"{len(mine)} vs {len(ref)}{within}"
        clamps = [f"{r['clamp'][1][1]:+g}" for r in runs if "clamp" in r]
        protocol = ", ".join(([f"{r['iclamp'][2]:g} nA for {r['iclamp'][1]:g} ms" for r in runs if "iclamp" in r])
                             + ([f"voltage clamp -80 -> {', '.join(clamps)} mV"] if clamps else []))
        rows.append((f"{what[case]}, {CELSIUS:g} °C, {protocol}", [mod_file(s) for s in stems],
                     ", ".join(f"{k} {d:.1e}" for k, d in worst_of.items()) + " (of each trace's largest magnitude)",
                     spikes))
    return rows
