"""Concentrations of an ion NEURON does not know by default (chloride), side by side with NEURON
running the same files, one compartment:

- tests/reference/mod/nm_clchan.mod: a gated Cl conductance, ``USEION cl READ ecl, cli, clo WRITE
  icl VALENCE -1``. Reading cli and clo promotes the ion's style, so ecl = Nernst(cli, clo, z = -1)
  at finitialize: with cli = 5 and clo = 130 mM set in the segment, -81.18 mV at 16 °C (NEURON's);
- tests/reference/mod/nm_clpool.mod: a chloride pool, ``USEION cl READ icl WRITE cli VALENCE -1``.
  cli starts at NEURON's default for a new ion (1 mM, as clo), so ecl starts at 0 mV, and follows
  cli by Nernst at every step as the pool integrates the total icl (with hh, under a current clamp).

Compared at every step: V, every STATE, cli, and ecl and icl as NEURON computed them at the start of
each step (NEURON's sample k+1 against ours from sample k, as in test_neuron_side_by_side). Tolerance:
1e-6 of each trace's largest magnitude (issue 18): both sides are float64 and evaluate the same
expressions, so only the order of operations differs (1e-12..1e-9 expected), while a wrong valence
sign (cli moving the other way), a wrong default (1 mM) or a missed Nernst update moves the traces
by more than 1e-2 of their range. Spike times within 0.05 ms (issue 18).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.physics.ions import nernst
from tests.io.nmodl.neuron_side import DIAM_UM, DT, L_UM, OWN, leaky_compartment, mod_file
from tests.io.nmodl.test_current_reads import neuron as ion_library
from tests.io.nmodl.test_neuron_side_by_side import spike_times, worst

pytestmark = pytest.mark.neuron
RTOL = 1e-6
CELSIUS = 16.0
_CLASSES: dict[str, type] = {}
#: The runs of the tests below (also the table's rows, comparison_rows): the reader's concentrations
#: (mM) under the voltage-clamp family, and the pool's current clamp.
READER_CONC = {"cli": 5.0, "clo": 130.0}
FAMILY_STEPS_MV = (-60.0, -20.0, 20.0, 40.0)
POOL = (("hh", "nm_clchan", "nm_clpool"), {"tstop": 40.0, "v_init": -65.0, "iclamp": (2.0, 30.0, 0.1)})


def cls(stem):
    if stem not in _CLASSES:
        _CLASSES[stem] = load_mod(mod_file(stem))
    return _CLASSES[stem]


def states_of(stems):
    return [(cls(s).__name__, st) for s in stems for st in cls(s).description.states]


def ours(stems, conc, *, tstop, v_init, clamp=None, iclamp=None):
    """Our compartment: ``stems`` (the Cl channel with the concentrations ``conc`` {cli, clo}) and a
    0.1 mS/cm² leak; V and every state."""
    _, sim = leaky_compartment([cls(s)(**(conc if s == "nm_clchan" else {})) for s in stems], cls("passive"),
                               celsius=CELSIUS, v_init=v_init, clamp=clamp, iclamp=iclamp)
    for mech, st in states_of(stems):
        sim.record(f"{mech}.{st}")
    return sim.run(tstop)


def neurons(stems, conc, *, tstop, v_init, clamp=None, iclamp=None):
    """NEURON's run of the same compartment, the segment's cli/clo set to ``conc`` before
    finitialize (which keeps them where no mechanism writes cli, and resets them to cli0_cl_ion =
    clo0_cl_ion = 1 mM where one does)."""
    h = ion_library()
    sec = h.Section(name="cl_cell")
    sec.L, sec.diam, sec.nseg, sec.cm = L_UM, DIAM_UM, 1, 1.0
    for s in stems:
        sec.insert(cls(s).__name__)
    sec.insert("pas")
    seg = sec(0.5)
    seg.pas.g, seg.pas.e = 1e-4, -65.0
    for k, x in conc.items():
        setattr(seg, k, x)
    h.usetable_hh, h.dt, h.secondorder, h.celsius = 0, DT, 0, CELSIUS
    if clamp is not None:
        stim = h.SEClamp(seg)
        stim.rs = 0.01
        (stim.dur1, stim.amp1), (stim.dur2, stim.amp2), (stim.dur3, stim.amp3) = clamp
    else:
        stim = h.IClamp(seg)
        stim.delay, stim.dur, stim.amp = iclamp
    refs = {"v": seg._ref_v, "cli": seg._ref_cli, "ecl": seg._ref_ecl, "icl": seg._ref_icl}
    refs.update({f"{m}.{st}": getattr(getattr(seg, m), f"_ref_{st}") for m, st in states_of(stems) if st != "cli"})
    vecs = {k: h.Vector().record(r) for k, r in refs.items()}
    h.finitialize(v_init)
    h.continuerun(tstop)
    out = {k: np.array(x) for k, x in vecs.items()}
    del stim, sec
    return out


def differences(stems, conc, mine, theirs) -> dict[str, float]:
    out = {"v": worst(mine["v"], theirs["v"])}
    for mech, st in states_of(stems):
        out[f"{mech}.{st}"] = worst(mine[f"{mech}.{st}"], theirs["cli" if st == "cli" else f"{mech}.{st}"])
    v = np.asarray(mine["v"])
    cli = np.asarray(mine["nm_clpool.cli"]) if "nm_clpool" in stems else np.full_like(v, conc.get("cli", 1.0))
    ecl = np.asarray(nernst(cli, conc.get("clo", 1.0), -1, CELSIUS))
    chan = dataclasses.replace(cls("nm_clchan")(**conc), ecl=ecl)
    icl = np.asarray(chan.currents(v, {"m": np.asarray(mine["nm_clchan.m"])})["icl"]) / 1000.0  # mA/cm2
    out["ecl"] = worst(ecl[:-1], theirs["ecl"][1:])
    out["icl"] = worst(icl[:-1], theirs["icl"][1:])
    return out


def family(step: float) -> dict:
    """The run's arguments for the voltage-clamp family's step to ``step`` mV from -80 mV."""
    return {"tstop": 25.0, "v_init": -80.0, "clamp": ((5.0, -80.0), (15.0, step), (5.0, -80.0))}


def both(stems, conc, **kw):
    """Our run and NEURON's of the same compartment (ours(), neurons())."""
    return ours(stems, conc, **kw), neurons(stems, conc, **kw)


def comparison_rows() -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of the runs of the tests above, for the table in
    docs/nmodl.md (benchmarks/nmodl_table.py): the largest difference of each trace, nothing asserted."""
    worst_of: dict[str, float] = {}
    for step in FAMILY_STEPS_MV:
        for k, d in differences(("nm_clchan",), READER_CONC, *both(("nm_clchan",), READER_CONC, **family(step))).items():
            worst_of[k] = max(d, worst_of.get(k, 0.0))
    rows = [(f"nm_clchan (nm_clchan.mod: USEION cl, VALENCE -1), cli {READER_CONC['cli']:g} mM, clo "
             f"{READER_CONC['clo']:g} mM, 16 °C, voltage-clamp family -80 -> "
             f"{', '.join(f'{x:+g}' for x in FAMILY_STEPS_MV)} mV", [mod_file("nm_clchan")],
             ", ".join(f"{k} {d:.1e}" for k, d in worst_of.items()) + " (of each trace's largest magnitude)",
             "clamped")]
    stems, kw = POOL
    mine, theirs = both(stems, {}, **kw)
    t_mine, t_ref = spike_times(mine["v"]), spike_times(theirs["v"])
    within = f", times within {np.max(np.abs(t_mine - t_ref)):.0e} ms" if len(t_mine) == len(t_ref) and len(t_ref) else ""
    rows.append((f"hh + nm_clchan + nm_clpool (nm_clpool.mod: a chloride pool from NEURON's default 1 mM), 16 °C, "
                 f"{kw['iclamp'][2]:g} nA for {kw['iclamp'][1]:g} ms", [mod_file(s) for s in stems],
                 ", ".join(f"{k} {d:.1e}" for k, d in differences(stems, {}, mine, theirs).items()),
                 f"{len(t_mine)} vs {len(t_ref)}{within}"))
    return rows


def test_chloride_reader_under_the_voltage_clamp_family_matches_neuron():
    conc = READER_CONC
    for step in FAMILY_STEPS_MV:
        mine, theirs = both(("nm_clchan",), conc, **family(step))
        assert abs(theirs["ecl"][1] - -81.18) < 0.01  # mV: NEURON's Nernst ecl from the set cli/clo
        for trace, diff in differences(("nm_clchan",), conc, mine, theirs).items():
            assert diff <= RTOL, f"step {step} mV, {trace}: largest difference {diff:.3g} of the trace's scale"


def test_chloride_pool_under_a_current_clamp_matches_neuron():
    """hh fires; the pool takes cli from NEURON's default 1 mM toward 0.2 mM and ecl from 0 mV
    toward -40 mV, which the Cl conductance feels."""
    stems, kw = POOL
    mine, theirs = both(stems, {}, **kw)
    assert theirs["cli"][0] == 1.0 and np.ptp(theirs["cli"]) > 0.3  # mM: the default, then it moves
    for trace, diff in differences(stems, {}, mine, theirs).items():
        assert diff <= RTOL, f"{trace}: largest difference {diff:.3g} of the trace's scale"
    mine_t, ref_t = spike_times(mine["v"]), spike_times(theirs["v"])
    assert len(mine_t) == len(ref_t) >= 2
    np.testing.assert_allclose(mine_t, ref_t, atol=0.05)  # ms (issue 18)


def test_an_unknown_ions_concentrations_without_valence_are_refused_with_the_line(tmp_path):
    path = tmp_path / "noval.mod"
    path.write_text((OWN / "nm_clchan.mod").read_text().replace(" VALENCE -1", "").replace("nm_clchan", "noval"))
    line = next(k for k, ln in enumerate(path.read_text().splitlines(), 1) if ln.strip().startswith("USEION cl"))
    with pytest.raises(ModelError, match=rf"noval\.mod:{line}: USEION cl with its concentrations cli, clo and no "
                                         r"VALENCE \(NEURON needs the valence"):
        load_mod(path)


def test_mod_check_lists_the_ions_valence():
    from excitable.io.nmodl.check import check_file

    report, problems = check_file(OWN / "nm_clpool.mod")
    assert problems == 0 and any("ion cl (valence -1): reads icl; writes cli" in r for r in report), report


def test_two_valences_for_one_ion_are_refused(tmp_path):
    path = tmp_path / "clplus.mod"
    path.write_text((OWN / "nm_clpool.mod").read_text().replace("VALENCE -1", "VALENCE 1").replace("nm_clpool", "clplus"))
    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM).insert(cls("nm_clchan")()).insert(load_mod(path)())
    with pytest.raises(ModelError, match=r"nm_clchan gives ion 'cl' valence -1 and clplus 1: NEURON refuses"):
        ex.Simulation(cell, dt=DT, temperature=CELSIUS).run(1.0)
