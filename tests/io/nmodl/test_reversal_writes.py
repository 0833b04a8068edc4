"""A mechanism that WRITEs a reversal potential (Cutsuridis et al.'s ccanl.mod computes eca itself),
side by side with NEURON running the same files, one compartment:

- tests/reference/mod/nm_ewrite.mod: ``USEION ca READ cao WRITE eca``, no currents; INITIAL sets eca,
  BREAKPOINT sets it after its SOLVE from a STATE relaxing over 10 ms (eca 132 -> 95 mV);
- nm_instant.mod's Ca current reads eca in BREAKPOINT, with hh under a current clamp and alone
  under the voltage-clamp family.

What NEURON does (9.0.2, read from nocmodl's C and checked here): a mechanism that writes no current
runs its whole BREAKPOINT in nrn_state and stores eca in the ion there; the ion's style becomes
"e state" (no Nernst at finitialize or in a step, though cao is read), so every mechanism's current
sees the written eca at the next step. Refused with their line: a file that also writes currents
(NEURON stores eca in nrn_cur, seen by the mechanisms after it in that step), whose INITIAL does not
set eca (NEURON keeps the previous run's value: 0 at the first finitialize, checked), a point
process; and, when a model is run, another mechanism of the compartment reading eca in its INITIAL
or SOLVE (what it sees depends on NEURON's mechanism order).

Compared at every step: V, every STATE, eca (NEURON's after each step is the one written in that
step's nrn_state: our state of the same sample) and ica (NEURON's sample k+1 from ours at sample k).
Tolerance: 1e-6 of each trace's largest magnitude (issue 18): float64 on both sides, the same
expressions; an eca written one step late, or recomputed by Nernst (RT/2F with NEURON's constants
differs from the file's R = 8.3134, F = 96520 by 3e-5 relative, 4e-3 mV), moves the traces by more.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from tests.io.nmodl.neuron_side import DIAM_UM, DT, L_UM, OWN, leaky_both, mod_file
from tests.io.nmodl.test_current_reads import neuron as ion_library
from tests.io.nmodl.test_neuron_side_by_side import spike_times, worst

pytestmark = pytest.mark.neuron
RTOL = 1e-6
CELSIUS = 16.0
_CLASSES: dict[str, type] = {}


def cls(stem):
    if stem not in _CLASSES:
        _CLASSES[stem] = load_mod(mod_file(stem))
    return _CLASSES[stem]


#: ion -> (the writer of its eX, the channel that reads it): nm_ewrite (eca, beside nm_instant) and
#: nm_ccanl (ccanl.mod's form: an unknown ion nca, its ncai and enca written, derivimplicit).
CASES = {"ca": ("nm_ewrite", "nm_instant"), "nca": ("nm_ccanl", "nm_ncachan")}
#: The runs of the tests below (also the table's rows, comparison_rows): stems and both()'s arguments.
FAMILY_STEPS_MV = (-60.0, -20.0, 20.0, 40.0)
SPIKING = {"ca": (("hh", "nm_instant", "nm_ewrite"), {"tstop": 30.0, "v_init": -65.0, "iclamp": (2.0, 20.0, 0.1)}),
           "nca": (("hh", "nm_ncachan", "nm_ccanl"),
                   {"ion": "nca", "tstop": 30.0, "v_init": -65.0, "iclamp": (2.0, 20.0, 0.1)})}


def both(stems, *, ion="ca", tstop, v_init, clamp=None, iclamp=None):
    """Our run and NEURON's (nm_instant's library and ours loaded) of one compartment with ``stems``
    and a 0.1 mS/cm² leak: V, every state, and NEURON's e and i of ``ion``."""
    return leaky_both([cls(s) for s in (*stems, "passive")], ion_library, record=[("e", "e" + ion), ("i", "i" + ion)],
                      celsius=CELSIUS, tstop=tstop, v_init=v_init, clamp=clamp, iclamp=iclamp)


def differences(stems, ours, theirs, ion="ca") -> dict[str, float]:
    writer, channel = CASES[ion]
    written = np.asarray(ours[f"{writer}.e{ion}"])
    out = {"v": worst(ours["v"], theirs["v"]), f"e{ion}": worst(written, theirs["e"])}
    for s in stems:
        for st in cls(s).description.states:
            out[f"{cls(s).__name__}.{st}"] = worst(ours[f"{cls(s).__name__}.{st}"], theirs[f"{cls(s).__name__}.{st}"])
    chan = dataclasses.replace(cls(channel)(), **{f"e{ion}": written})
    states = {k: np.asarray(ours[f"{channel}.{k}"]) for k in cls(channel).states}
    i = np.asarray(chan.currents(np.asarray(ours["v"]), states)[f"i{ion}"]) / 1000.0  # mA/cm2
    out[f"i{ion}"] = worst(i[:-1], theirs["i"][1:])
    return out


def family(step: float) -> dict:
    """both()'s arguments for the voltage-clamp family's step to ``step`` mV from -80 mV."""
    return {"tstop": 25.0, "v_init": -80.0, "clamp": ((5.0, -80.0), (15.0, step), (5.0, -80.0))}


def comparison_rows() -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of the runs of the tests above, for the table in
    docs/nmodl.md (benchmarks/nmodl_table.py): the largest difference of each trace, nothing asserted."""
    stems, worst_of = ("nm_instant", "nm_ewrite"), {}
    for step in FAMILY_STEPS_MV:
        for k, d in differences(stems, *both(stems, **family(step))).items():
            worst_of[k] = max(d, worst_of.get(k, 0.0))
    rows = [("nm_ewrite (nm_ewrite.mod: WRITE eca, relaxing 132 -> 95 mV) + nm_instant (nm_instant.mod, reads it), "
             f"16 °C, voltage-clamp family -80 -> {', '.join(f'{x:+g}' for x in FAMILY_STEPS_MV)} mV",
             [mod_file(s) for s in stems],
             ", ".join(f"{k} {d:.1e}" for k, d in worst_of.items()) + " (of each trace's largest magnitude)", "clamped")]
    what = {"ca": "hh + nm_instant + nm_ewrite (WRITE eca)",
            "nca": "hh + nm_ncachan + nm_ccanl (nm_ccanl.mod, ccanl.mod's form: WRITE ncai, enca of an ion nca)"}
    for ion, (stems, kw) in SPIKING.items():
        ours, theirs = both(stems, **kw)
        mine, ref = spike_times(ours["v"]), spike_times(theirs["v"])
        within = f", times within {np.max(np.abs(mine - ref)):.0e} ms" if len(mine) == len(ref) and len(ref) else ""
        rows.append((f"{what[ion]}, 16 °C, {kw['iclamp'][2]:g} nA for {kw['iclamp'][1]:g} ms",
                     [mod_file(s) for s in stems],
                     ", ".join(f"{k} {d:.1e}" for k, d in differences(stems, ours, theirs, ion).items()),
                     f"{len(mine)} vs {len(ref)}{within}"))
    return rows


def test_written_eca_under_the_voltage_clamp_family_matches_neuron():
    stems = ("nm_instant", "nm_ewrite")
    for step in FAMILY_STEPS_MV:
        ours, theirs = both(stems, **family(step))
        assert np.ptp(theirs["e"]) > 20.0  # mV: the written eca moves (132 -> 100 mV in 25 ms)
        for trace, diff in differences(stems, ours, theirs).items():
            assert diff <= RTOL, f"step {step} mV, {trace}: largest difference {diff:.3g} of the trace's scale"


def test_written_eca_under_a_current_clamp_matches_neuron_spike_for_spike():
    stems, kw = SPIKING["ca"]
    ours, theirs = both(stems, **kw)
    for trace, diff in differences(stems, ours, theirs).items():
        assert diff <= RTOL, f"{trace}: largest difference {diff:.3g} of the trace's scale"
    mine, ref = spike_times(ours["v"]), spike_times(theirs["v"])
    assert len(mine) == len(ref) >= 2
    np.testing.assert_allclose(mine, ref, atol=0.05)  # ms (issue 18)


@pytest.mark.parametrize("edit,why", [
    (("INITIAL {\n    c = c0\n    eca = ktf()*log(cao/c)\n}", "INITIAL {\n    c = c0\n}"), "whose INITIAL does not set it"),
    (("    USEION ca READ cao WRITE eca", "    USEION ca READ cao WRITE eca\n    NONSPECIFIC_CURRENT i"),
     "a mechanism that writes currents"),
    (("SUFFIX nm_ewrite", "POINT_PROCESS nm_ewrite"), "a point process"),
])
def test_unsupported_reversal_writes_are_refused_with_their_line(tmp_path, edit, why):
    text = (OWN / "nm_ewrite.mod").read_text()
    assert edit[0] in text
    path = tmp_path / "ew.mod"
    path.write_text(text.replace(edit[0], edit[1]).replace("ASSIGNED {", "ASSIGNED { i (mA/cm2)"))
    line = next(k for k, ln in enumerate(path.read_text().splitlines(), 1) if ln.strip().startswith("USEION ca"))
    with pytest.raises(ModelError, match=rf"ew\.mod:{line}: WRITE eca \(a reversal potential written by .*{why}"):
        load_mod(path)
    report, _ = check_file(path)
    assert any(f"{path}:{line}: WRITE eca (" in r for r in report), report


def test_a_reader_of_the_written_eca_in_its_solve_is_refused_when_run(tmp_path):
    path = tmp_path / "solveeca.mod"
    path.write_text("NEURON { SUFFIX solveeca USEION ca READ eca }\nASSIGNED { eca (mV) }\nSTATE { x }\n"
                    "INITIAL { x = 0 }\nBREAKPOINT { SOLVE s METHOD cnexp }\nDERIVATIVE s { x' = eca - x }\n")
    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM).insert(load_mod(path)()).insert(cls("nm_ewrite")())
    with pytest.raises(ModelError, match=r"solveeca reads eca in its INITIAL or SOLVE in compartment 0, where "
                                         r"nm_ewrite writes eca"):
        ex.Simulation(cell, dt=DT, temperature=CELSIUS).run(1.0)


def test_a_pool_writing_its_own_ions_concentration_and_reversal_matches_neuron():
    """nm_ccanl (ccanl.mod's form) writes ncai and enca of the ion nca; nm_ncachan's current reads enca.
    Under a current clamp with hh: enca falls from 132 mV as ncai rises (NEURON computes no Nernst)."""
    stems, kw = SPIKING["nca"]
    ours, theirs = both(stems, **kw)
    assert np.ptp(theirs["e"]) > 10.0  # mV
    for trace, diff in differences(stems, ours, theirs, ion="nca").items():
        assert diff <= RTOL, f"{trace}: largest difference {diff:.3g} of the trace's scale"
    mine, ref = spike_times(ours["v"]), spike_times(theirs["v"])
    assert len(mine) == len(ref) >= 2
    np.testing.assert_allclose(mine, ref, atol=0.05)  # ms (issue 18)


def test_mod_compare_gives_the_currents_the_written_eca():
    """``excitable mod compare`` recomputes each current from our samples with the ion values NEURON's
    mechanisms read (workflows.neuron_side.ion_values): a written eca, not Nernst from cao and cai
    (before: ica 0.26 of its scale off in the folder of these test files, V 4e-15)."""
    from excitable.workflows.neuron_side import ion_values

    written = np.array([131.95, 120.0, 95.25])  # mV, as the writer's state
    out = ion_values({"nm_ewrite": cls("nm_ewrite"), "nm_instant": cls("nm_instant")}, {},
                     {"nm_ewrite": {"eca": written}, "nm_instant": {}}, CELSIUS)
    np.testing.assert_array_equal(out["ca"]["e"], written)
