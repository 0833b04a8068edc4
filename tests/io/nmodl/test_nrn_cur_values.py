"""Values a point process keeps in its instance that NEURON's nrn_cur or NET_RECEIVE assign
(io/nmodl/nrn_cur_values.py), beside NEURON: ev_nrbp.mod (an ASSIGNED from v that only BREAKPOINT
sets, read by a jump), ev_stp.mod (bmtk stp2syn.mod's Pmax = n*p0, on the event path), ev_nrparam.mod
(NET_RECEIVE's g = g + weight on a PARAMETER: netpyne Gap_NR's shape), ev_bpparam.mod (a PARAMETER
INITIAL and BREAKPOINT both set, recorded). Each ran silently wrong before (P, Pmax 0: the synapse
never conducted; g back at its field after the event; x at INITIAL's value).

On a 20 x 20 um hh compartment (6.3 degC, dt 0.025 ms, usetable_hh = 0), events at known times on
the dt grid (NEURON's source-less NetCon, ours Network.spike_train, as test_point_feeds_events.py),
an IClamp step that fires. Tolerance: every trace within 1e-6 of its range at every step (the
project's side-by-side bound: float64 runs of the same scheme agree to ~1e-12, so 1e-6 leaves room
for round-off only, not for a step's lag, which moves them by >1e-3), spike times within 0.05 ms.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import class_loader, hh_events_neuron, hh_events_ours
from tests.io.nmodl.test_neuron_side_by_side import spike_times
from tests.reference.nrnmech import neuron_loaded

pytestmark = pytest.mark.neuron
HERE = __import__("pathlib").Path(__file__).parent / "mod_events"
FILES = ("ev_nrbp", "ev_stp", "ev_nrparam", "ev_bpparam")
RTOL = 1e-6
CELSIUS, TSTOP = 6.3, 40.0
ICLAMP = (25.0, 5.0, 0.1)  # delay, duration (ms), amplitude (nA): V moves under the later events too
TIMES = [2.0, 6.0, 12.0, 22.5, 27.5]  # ms, on the dt grid: two inside the IClamp's pulse
CASES = {  # file -> (weight, recorded signals)
    "ev_nrbp": (0.02, ("g", "P")),
    "ev_stp": (0.05, ("g", "n", "Pmax")),
    "ev_nrparam": (0.004, ("g",)),
    "ev_bpparam": (0.2, ("s", "x")),
}
# The currents are not recorded: NEURON's recorded i is nrn_cur's, at the step's start V, ours at
# its end (mod compare reconstructs NEURON's; neuron_side_point), and V covers them.
cls = class_loader()


@pytest.fixture(scope="module")
def h():
    return neuron_loaded([HERE / f"{f}.mod" for f in FILES], "nrnmech-nrn-cur-values", "ev_nrbp.mod ...")


def _ours(name, weight, signals):
    return hh_events_ours(cls("hh"), load_mod(HERE / f"{name}.mod")(), times=TIMES, weight=weight, iclamp=ICLAMP,
                          signals=signals, tstop=TSTOP, celsius=CELSIUS)


def _theirs(h, name, weight, signals):
    return hh_events_neuron(h, name, times=TIMES, weight=weight, iclamp=ICLAMP, signals=signals, tstop=TSTOP,
                            celsius=CELSIUS)


def _off(ours, theirs):
    return {k: float(np.max(np.abs(ours[k] - theirs[k])) / max(np.ptp(theirs[k]), 1e-300)) for k in theirs}


@pytest.mark.parametrize("name", FILES)
def test_values_nrn_cur_and_events_leave_match_neuron(h, name):
    weight, signals = CASES[name]
    theirs, ours = _theirs(h, name, weight, signals), _ours(name, weight, signals)
    assert len(spike_times(theirs["v"])) >= 1  # V fires: the synapse conducts
    for k in signals:  # every trace moves (a constant one would be compared against 0 range)
        assert np.ptp(theirs[k]) > 0, k
    diffs = _off(ours, theirs)
    assert max(diffs.values()) < RTOL, diffs
    assert spike_times(ours["v"]) == pytest.approx(spike_times(theirs["v"]), abs=0.05)


def test_a_step_of_lag_would_show(h):
    """That the 1e-6 bound tells nrn_cur's value at the step's start V from another step's: ev_nrbp's
    P (from v) and ev_bpparam's x move by more than 1e-4 of their range in one step while V moves,
    so a value taken a step late (or at the step's end V) fails the comparison above."""
    for name, k in (("ev_nrbp", "P"), ("ev_bpparam", "x")):
        weight, signals = CASES[name]
        x = _theirs(h, name, weight, signals)[k]
        assert np.max(np.abs(np.diff(x))) / np.ptp(x) > 1e-4, name


def test_a_second_run_starts_again_from_the_fields_value(h):
    """Our documented difference (docs/differences-to-neuron.md): NEURON's finitialize keeps the
    PARAMETER NET_RECEIVE raised; each sim.run here starts from the field's value, so a second run
    repeats the first exactly (and NEURON's first run)."""
    import excitable as ex
    from excitable.model.network import Network

    weight, _ = CASES["ev_nrparam"]
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(cls("hh")())
    net = Network([cell])
    mech = load_mod(HERE / "ev_nrparam.mod")()
    net.spike_train(TIMES, 0, mech, weight=weight, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=0.025, temperature=CELSIUS, v_init=-65.0)
    sim.record(f"{mech.name}[0].g", label="g")
    first, second = (np.asarray(sim.run(TSTOP)["g"]).ravel() for _ in range(2))
    assert first[0] == pytest.approx(0.001, rel=1e-12) and second[0] == pytest.approx(0.001, rel=1e-12)
    np.testing.assert_array_equal(first, second)
    # NEURON's second finitialize starts from the raised g: the difference is real
    theirs = _theirs(h, "ev_nrparam", weight, ("g",))
    assert theirs["g"][-1] == pytest.approx(0.001 + len(TIMES) * weight, rel=1e-12)


REFUSED = """
NEURON {{ POINT_PROCESS {name}  {kind} P  NONSPECIFIC_CURRENT i }}
UNITS {{ (nA) = (nanoamp) (mV) = (millivolt) }}
PARAMETER {{ p0 = 0.5 }}
ASSIGNED {{ v (mV) i (nA) P }}
STATE {{ g }}
INITIAL {{ g = 0 }}
BREAKPOINT {{
    SOLVE st METHOD cnexp
    i = g*(v - 0)
    {line}
}}
DERIVATIVE st {{ g' = -g }}
NET_RECEIVE(weight) {{ g = g + weight*P }}
"""


@pytest.mark.parametrize("kind, line, words", [
    ("GLOBAL", "P = p0", "GLOBAL P set in BREAKPOINT and read in NET_RECEIVE"),
    ("GLOBAL", "if (v > -50) { P = p0 }", "GLOBAL P set in BREAKPOINT and read in NET_RECEIVE"),
])
def test_what_is_not_neurons_is_refused_with_its_line(tmp_path, kind, line, words):
    """A GLOBAL BREAKPOINT sets and NET_RECEIVE reads holds the last instance's value in NEURON:
    refused with the file's line, never run (a RANGE one set on a path or accumulated runs: the
    test below, nr_pcond and nr_pacc beside NEURON)."""
    path = tmp_path / "nr_refused.mod"
    path.write_text(REFUSED.format(name="nr_refused", kind=kind, line=line))
    with pytest.raises(ModelError, match=rf"nr_refused\.mod:11: {words}"):
        load_mod(path)


@pytest.mark.neuron
def test_values_breakpoint_accumulates_or_sets_on_a_path_run_beside_neuron():
    """``P = P + p0`` in BREAKPOINT, and ``if (g > 0.02) { P = P + p0 }``, read by NET_RECEIVE (refused
    before): nrn_cur's two runs a step carry P (double_run.py, nrn_cur_values.kept_twice), so each
    event reads what the second run left, as in NEURON. The protocol's bound, 1e-6 of each trace's
    range; P is the same sums on both sides: exact."""
    from excitable.workflows.neuron_compare import compare_mods

    files = [Path(__file__).parent / "mod_events" / f"{n}.mod" for n in ("nr_pacc", "nr_pcond")]
    result = compare_mods(files, weight=0.05)
    assert result.agrees, result.report()
    rows = {r.trace: r.difference for r in result.rows}
    assert rows["nr_pacc.P"] == 0.0 and rows["nr_pcond.P"] == 0.0 and "v" in rows, rows
