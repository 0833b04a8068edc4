"""An ion current read by a mechanism that writes no concentration of that ion (Aradi & Holmes'
CadepK: ``USEION ca READ ica``, the current integrated into a STATE of the file's own in its SOLVE'd
DERIVATIVE), side by side with NEURON running the same files, one compartment:

- tests/reference/mod/nm_careadonly.mod (ours): ca_i' = -B ica - (ca_i - ca0)/tau, an SK-like gate
  q on ca_i, ik = gskbar q² (v - ek);
- the ica it reads is the compartment's total at the start of the step (NEURON's nrn_state sees what
  every mechanism's nrn_cur accumulated into the ion): cachan1.mod (the wheel's demo file) alone, and
  with nm_instant.mod (two writers of ica); hh and a leak under the current clamp.

Compared at every step: V, every STATE, the reader's ik and the compartment's ica (NEURON records a
step's currents as computed at its start, so NEURON's sample k+1 is compared with the currents at our
sample k, as in test_neuron_side_by_side). Tolerance: 1e-6 of each trace's largest magnitude (issue
18): both sides are float64 and evaluate the same expressions, so only the order of operations differs
(1e-12..1e-9 expected), while a reader given one writer's ica instead of the sum, ica at the new V, or
0 moves ca_i by far more than 1e-3 of its range (checked below: without the second writer the
trace is off by more than 1e-2). Spike times within 0.05 ms (issue 18).

Refused with their line: a read in BREAKPOINT (NEURON gives nrn_cur a partial sum, the mechanisms
before this one), in INITIAL (NEURON's ion holds the previous run's ica there: 0, then -1.7e-5
mA/cm² in a second finitialize, checked with NEURON 9.0.2), and by a point process.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from excitable.physics.ions import nernst
from tests.io.nmodl.neuron_side import (
    DIAM_UM,
    DT,
    L_UM,
    OWN,
    leaky_both,
    mod_file,
    neuron_with_mods,
)
from tests.io.nmodl.test_neuron_side_by_side import spike_times, worst
from tests.reference.nrnmech import neuron_loaded

pytestmark = pytest.mark.neuron
RTOL = 1e-6
CELSIUS = 16.0
READER = "nm_careadonly"
CLAMP_STEPS_MV = (-60.0, -20.0, 20.0, 40.0)
#: The runs of the tests below (also the table's rows, comparison_rows): stems and both()'s arguments.
TWO_WRITERS = ((READER, "cachan1", "nm_instant"),
               {"tstop": 25.0, "v_init": -80.0, "clamp": ((5.0, -80.0), (15.0, 0.0), (5.0, -80.0))})
SPIKING = (("hh", "cachan1", "nm_instant", READER), {"tstop": 35.0, "v_init": -65.0, "iclamp": (2.0, 30.0, 0.1)})
_CLASSES: dict[str, type] = {}


def cls(stem):
    if stem not in _CLASSES:
        _CLASSES[stem] = load_mod(mod_file(stem))
    return _CLASSES[stem]


#: The test files of ion variables (this file, test_other_ions, test_reversal_writes): one library,
#: compiled once.
ION_FILES = ("nm_careadonly", "nm_clchan", "nm_clpool", "nm_ewrite", "nm_ccanl", "nm_ncachan")


def neuron():
    """NEURON with the first library (cachan1, nm_instant, ...) and ION_FILES loaded."""
    neuron_with_mods()
    return neuron_loaded([OWN / f"{n}.mod" for n in ION_FILES], "nrnmech-ion-variables", "the ion-variable test files")


def both(stems, *, tstop, v_init, clamp=None, iclamp=None):
    """Our run and NEURON's of one compartment with ``stems`` and a 0.1 mS/cm² leak: V, every state,
    and NEURON's ica (the ion's total) and the reader's ik."""
    return leaky_both([cls(s) for s in (*stems, "passive")], neuron, record=[("ica", "ica"), ("ik", (READER, "ik"))],
                      celsius=CELSIUS, tstop=tstop, v_init=v_init, clamp=clamp, iclamp=iclamp)


def currents(stems, ours) -> dict[str, np.ndarray]:
    """The compartment's ica and the reader's ik (mA/cm2) at each of our samples' V and states: what
    NEURON's nrn_cur computed at the start of the next step."""
    v = np.asarray(ours["v"])
    ica, out = np.zeros_like(v), {}
    for s in stems:
        c = cls(s)
        mech = c()
        if "eca" in c.ion_fields and "cachan1" in stems:  # it reads cai: NEURON's ion style, eca by Nernst
            mech = dataclasses.replace(mech, eca=float(nernst(5e-5, 2.0, 2, CELSIUS)))
        got = mech.currents(v, {k: np.asarray(ours[f"{c.__name__}.{k}"]) for k in c.states if k != "celsius"})
        ica = ica + np.asarray(got.get("ica", 0.0)) / 1000.0
        if s == READER:
            out["ik"] = np.asarray(got["ik"]) / 1000.0
    return {**out, "ica": ica}


def differences(stems, ours, theirs) -> dict[str, float]:
    out = {"v": worst(ours["v"], theirs["v"])}
    for s in stems:
        for st in cls(s).description.states:
            name = f"{cls(s).__name__}.{st}"
            out[name] = worst(ours[name], theirs[name])
    for name, trace in currents(stems, ours).items():
        out[name] = worst(trace[:-1], theirs[name][1:])
    return out


def family(step: float) -> dict:
    """both()'s arguments for the voltage-clamp family's step to ``step`` mV from -80 mV."""
    return {"tstop": 25.0, "v_init": -80.0, "clamp": ((5.0, -80.0), (15.0, step), (5.0, -80.0))}


def comparison_rows() -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of the runs of the tests above, for the table in
    docs/nmodl.md (benchmarks/nmodl_table.py): the largest difference of each trace, nothing asserted."""
    def text(diffs):
        return ", ".join(f"{k} {d:.1e}" for k, d in diffs.items())

    stems = ("cachan1", READER)
    family_diffs: dict[str, float] = {}
    for step in CLAMP_STEPS_MV:
        for k, d in differences(stems, *both(stems, **family(step))).items():
            family_diffs[k] = max(d, family_diffs.get(k, 0.0))
    rows = [(f"{READER} ({READER}.mod: READ ica into a STATE, no cai written) + cachan1 (cachan1.mod), 16 °C, "
             f"voltage-clamp family -80 -> {', '.join(f'{x:+g}' for x in CLAMP_STEPS_MV)} mV",
             [mod_file(s) for s in stems], text(family_diffs) + " (of each trace's largest magnitude)", "clamped")]
    two, kw = TWO_WRITERS
    rows.append((f"{READER} inserted first + cachan1 + nm_instant (two writers of ica), 16 °C, clamped to 0 mV",
                 [mod_file(s) for s in two], text(differences(two, *both(two, **kw))), "clamped"))
    spiking, kw = SPIKING
    ours, theirs = both(spiking, **kw)
    mine, ref = spike_times(ours["v"]), spike_times(theirs["v"])
    within = f", times within {np.max(np.abs(mine - ref)):.0e} ms" if len(mine) == len(ref) and len(mine) else ""
    rows.append((f"hh + cachan1 + nm_instant + {READER} (an SK-like gate on the ca_i it integrates), 16 °C, "
                 f"{kw['iclamp'][2]:g} nA for {kw['iclamp'][1]:g} ms", [mod_file(s) for s in spiking],
                 text(differences(spiking, ours, theirs)), f"{len(mine)} vs {len(ref)}{within}"))
    return rows


def test_reader_of_ica_under_the_voltage_clamp_family_matches_neuron():
    stems = ("cachan1", READER)
    for step in CLAMP_STEPS_MV:
        ours, theirs = both(stems, **family(step))
        if step >= -20.0:
            assert np.ptp(theirs[f"{READER}.ca_i"]) > 1e-4  # mM: ica does move ca_i (from 7e-5)
        for trace, diff in differences(stems, ours, theirs).items():
            assert diff <= RTOL, f"step {step} mV, {trace}: largest difference {diff:.3g} of the trace's scale"


def test_two_writers_of_ica_reader_inserted_first_matches_neuron():
    """The reader sees the sum of cachan1's and nm_instant's ica whatever the insertion order (NEURON
    orders mechanisms by registration; the total is complete before any nrn_state)."""
    stems, kw = TWO_WRITERS
    ours, theirs = both(stems, **kw)
    alone = currents(("nm_instant",), ours)["ica"]
    assert np.max(np.abs(alone)) > 0.05 * np.max(np.abs(theirs["ica"]))  # the second writer counts
    for trace, diff in differences(stems, ours, theirs).items():
        assert diff <= RTOL, f"{trace}: largest difference {diff:.3g} of the trace's scale"


def test_reader_of_ica_under_a_current_clamp_matches_neuron_spike_for_spike():
    """hh fires; the SK-like current on ca_i (from cachan1's and nm_instant's ica) lengthens the
    first interval to about 10 ms, then 4.6 ms (NEURON's run)."""
    stems, kw = SPIKING
    ours, theirs = both(stems, **kw)
    assert np.ptp(theirs[f"{READER}.q"]) > 0.1  # the gate moves with ca_i
    for trace, diff in differences(stems, ours, theirs).items():
        assert diff <= RTOL, f"{trace}: largest difference {diff:.3g} of the trace's scale"
    mine, ref = spike_times(ours["v"]), spike_times(theirs["v"])
    assert len(mine) == len(ref) >= 4
    np.testing.assert_allclose(mine, ref, atol=0.05)  # ms (issue 18)


READ_TEXT = """NEURON {
    SUFFIX badread
    USEION ca READ ica
    NONSPECIFIC_CURRENT i
}
ASSIGNED { ica (mA/cm2) i (mA/cm2) seen }
STATE { c }
INITIAL { %s }
BREAKPOINT {
    SOLVE s METHOD cnexp
    i = %s
}
DERIVATIVE s { c' = -ica - c }
"""


@pytest.mark.parametrize("initial,current,line,what", [
    ("c = 0", "0.001*ica", 11, "READ ica in BREAKPOINT (NEURON gives BREAKPOINT the sum of the mechanisms before"),
    ("seen = ica", "0.001*c", 8, "READ ica in INITIAL (NEURON gives INITIAL the current left by the previous run"),
])
def test_reads_outside_the_solve_are_refused_with_their_line(tmp_path, initial, current, line, what):
    path = tmp_path / "badread.mod"
    path.write_text(READ_TEXT % (initial, current))
    with pytest.raises(ModelError, match=rf"badread\.mod:{line}: READ ica in .* not supported") as err:
        load_mod(path)
    assert "\n" not in str(err.value)
    report, _ = check_file(path)
    assert any(r.strip().startswith(f"{path}:{line}: {what}") for r in report), report


def test_a_read_in_the_solve_only_loads_and_a_point_process_read_is_refused(tmp_path):
    path = tmp_path / "goodread.mod"
    path.write_text(READ_TEXT.replace("badread", "goodread") % ("c = 0", "0.001*c"))
    assert load_mod(path).ion_fields["ica"] == ("ca", "current")
    point = tmp_path / "ppread.mod"
    point.write_text(READ_TEXT.replace("SUFFIX badread", "POINT_PROCESS ppread").replace("(mA/cm2)", "(nA)")
                     % ("c = 0", "0.001*c"))
    with pytest.raises(ModelError, match=r"ppread\.mod:3: READ ica \(an ion current read by a point process"):
        load_mod(point)


def test_the_single_kernel_runs_a_reader_and_the_tree_kernels_leave_it_to_the_scan():
    """The single-compartment fused kernel (Pallas, in its interpreter on a CPU) takes the engine's
    own step, so it gives the scan's ca_i exactly; the tree kernels step the states themselves, with
    no ion totals, and decline the model (kernels.common.fusable_tree)."""
    from excitable.engine.kernels.common import fusable_tree

    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM).insert(cls("cachan1")()).insert(cls(READER)())
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.05, delay=0.5, duration=2.0))
    sim.record(f"{READER}.ca_i")
    scan, fused = sim.run(3.0, kernel="scan"), sim.run(3.0, kernel="fused")
    assert np.ptp(np.asarray(scan[f"{READER}.ca_i"])) > 1e-6  # mM: it moves
    np.testing.assert_array_equal(np.asarray(fused[f"{READER}.ca_i"]), np.asarray(scan[f"{READER}.ca_i"]))
    b = ex.Morphology.builder()
    b.add("soma", length=10.0, diameter=10.0)
    b.add("dend", length=100.0, diameter=2.0, parent="soma", x=1.0)
    tree = ex.Cell(b.build(), nseg=1).insert(cls("cachan1")()).insert(cls(READER)())
    tsim = ex.Simulation(tree, dt=DT, temperature=CELSIUS)
    assert "reads an ion current" in fusable_tree(tsim.plan, tsim.parameters())
