"""NET_RECEIVE's scope and layout, beside NEURON: two wrong refusals of published files.

1. Its arguments and LOCALs hide the mechanism's variables of their names (io/nmodl/block_scope.py):
   OSB GranCellSolinasEtAl10's GRANULE_Ampa_det_vi.mod was refused because its NET_RECEIVE argument
   ``tzero`` was taken for the ASSIGNED ``tzero`` that BREAKPOINT sets conditionally. nr_shadow.mod has
   arguments tz, k and a LOCAL f named like ASSIGNED variables, two of which BREAKPOINT sets under a
   condition on v and one of which its current reads.
2. A NET_RECEIVE whose ``{`` stands on the line after its header (ModelDB 2014822 ltpltd.mod) had its
   state_discontinuity and net_send calls reported "outside NET_RECEIVE" (event_checks._block_ranges).

Runs: a 20 x 20 um hh compartment (6.3 degC, dt 0.025 ms), events on the dt grid from NEURON's
source-less NetCon and ours from Network.spike_train, an IClamp step (the test_nrn_cur_values.py
protocol). Tolerance: every trace within 1e-6 of its range at every step (float64 runs of the same
scheme agree to ~1e-12; a step's lag, or an event reading the ASSIGNED instead of its argument, moves
them by more than 1e-3: test_the_events_read_their_own_arguments), spike times within 0.05 ms.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import DT, class_loader, hh_events_neuron, hh_events_ours
from tests.io.nmodl.test_neuron_side_by_side import spike_times
from tests.reference.nrnmech import neuron_loaded

HERE = __import__("pathlib").Path(__file__).parent / "mod_events"
FILES = ("nr_shadow", "nr_brace")
RTOL = 1e-6
CELSIUS, TSTOP = 6.3, 30.0
ICLAMP = (15.0, 5.0, 0.1)  # delay, duration (ms), amplitude (nA): V crosses -60 mV (nr_shadow's condition)
TIMES = [2.0, 6.0, 9.0, 17.5, 22.5]  # ms, on the dt grid: two inside the IClamp's pulse
WEIGHT = 0.004  # uS: the first events bring V near threshold; the IClamp fires it
# recorded signals: nr_shadow's ASSIGNED tz and f are BREAKPOINT's scratch, which no block here
# reads, so excitable keeps no value of theirs to record (Simulation.record refuses them)
CASES = {"nr_shadow": ("g", "k"), "nr_brace": ("g",)}
cls = class_loader()


@pytest.fixture(scope="module")
def h():
    return neuron_loaded([HERE / f"{f}.mod" for f in FILES], "nrnmech-netreceive-scopes", "nr_shadow.mod ...")


@pytest.fixture(scope="module")
def runs(h):
    """name -> (NEURON's traces, ours), each file run once for the tests below."""
    return {name: (hh_events_neuron(h, name, times=TIMES, weight=WEIGHT, iclamp=ICLAMP, signals=signals,
                                    tstop=TSTOP, celsius=CELSIUS),
                   hh_events_ours(cls("hh"), load_mod(HERE / f"{name}.mod")(), times=TIMES, weight=WEIGHT,
                                  iclamp=ICLAMP, signals=signals, tstop=TSTOP, celsius=CELSIUS))
            for name, signals in CASES.items()}


@pytest.mark.neuron
@pytest.mark.parametrize("name", FILES)
def test_runs_as_neuron(runs, name):
    theirs, ours = runs[name]
    assert len(spike_times(theirs["v"])) >= 1  # V fires: the synapse conducts
    off = {}
    for k in theirs:
        scale = np.ptp(theirs[k])
        if scale == 0:  # nr_shadow's ASSIGNED k: never written by the events (their k is the argument)
            np.testing.assert_array_equal(ours[k], theirs[k])
            continue
        off[k] = float(np.max(np.abs(ours[k] - theirs[k])) / scale)
    assert off and max(off.values()) < RTOL, off
    assert spike_times(ours["v"]) == pytest.approx(spike_times(theirs["v"]), abs=0.05)


@pytest.mark.neuron
def test_the_events_read_their_own_arguments(runs):
    """The first event's jump of g is weight*(1 + exp(-(t - tz)/tfac))/k with the connection's own
    tz = -1e9 ms and k = 1 (NET_RECEIVE's INITIAL): weight; had it read the ASSIGNED tz (0, as V is
    below -60 mV until then) it would be 1.78 weight. g starts at 0, and cnexp decays it by at most
    exp(-dt/tau) within the step that delivers the event, so g's first peak lies in
    [weight*exp(-dt/tau), weight] (tau 3 ms), on both sides."""
    wrong = WEIGHT * (1 + math.exp(-TIMES[0] / 8.0))  # tfac 8 ms
    for g in (trace["g"] for trace in runs["nr_shadow"]):
        first = float(np.max(g[: int(round((TIMES[0] + 1.0) / DT))]))
        assert WEIGHT * math.exp(-DT / 3.0) * (1 - 1e-12) <= first <= WEIGHT * (1 + 1e-12), first
        assert first < wrong / 1.7


READS_OF_THE_ASSIGNED = [  # the events do read an ASSIGNED that BREAKPOINT sets conditionally
    # the argument renamed: NET_RECEIVE's tz is now the ASSIGNED
    (("NET_RECEIVE(weight (uS), tz (ms), k)", "NET_RECEIVE(weight (uS), tlast (ms), k)"),
     ("INITIAL { tz = -1e9", "INITIAL { tlast = -1e9")),
    (("    LOCAL f\n", ""), ("", "")),  # no LOCAL: f is the ASSIGNED
    # a FUNCTION the events call sees the mechanism's tz (the argument is NET_RECEIVE's alone)
    (("exp(-(t - tz)/tfac)", "exp(-since(t)/tfac)"), ("", "")),
]


@pytest.mark.neuron
def test_reads_of_the_assigned_run_beside_neuron(tmp_path):
    """Where the events do read the ASSIGNED BREAKPOINT sets when v > -60 mV, it is what the second
    of nrn_cur's two runs left, carried through both (nrn_cur_values.kept_twice; refused before):
    each variant beside NEURON within the protocol's 1e-6 of every trace's range, the same spikes."""
    from excitable.workflows.neuron_compare import compare_mods

    paths = []
    for k, (first, second) in enumerate(READS_OF_THE_ASSIGNED):
        text = (HERE / "nr_shadow.mod").read_text().replace("nr_shadow", f"nr_read{k}")
        assert first[0] in text and second[0] in text
        paths.append(tmp_path / f"nr_read{k}.mod")
        paths[-1].write_text(text.replace(*first).replace(*second) + "FUNCTION since(x (ms)) (ms) { since = x - tz }\n")
    result = compare_mods(paths, weight=WEIGHT)
    assert result.agrees, result.report()
    assert {f"nr_read{k}.g" for k in range(3)} <= {r.trace for r in result.rows}


def test_a_function_argument_hides_the_assigned_too(tmp_path):
    """A FUNCTION the events call with their tz, through its own argument named tz, reads no ASSIGNED
    (GRANULE_Ampa_det_vi.mod's imax(a, b) shape): loads; reading the ASSIGNED tz itself runs as NEURON's (above)."""
    text = (HERE / "nr_shadow.mod").read_text().replace("nr_shadow", "nr_arg")
    text = text.replace("exp(-(t - tz)/tfac)", "exp(-since(t, tz)/tfac)")
    path = tmp_path / "nr_arg.mod"
    path.write_text(text + "FUNCTION since(x (ms), tz (ms)) (ms) { since = x - tz }\n")
    assert load_mod(path).__name__


def test_brace_after_a_blank_line_and_a_comment_loads(tmp_path):
    """nocmodl takes any blank and comment lines between the header and its brace."""
    text = (HERE / "nr_brace.mod").read_text().replace("nr_brace", "nr_brace2")
    path = tmp_path / "nr_brace2.mod"
    path.write_text(text.replace("NET_RECEIVE(weight (uS))\n{", "NET_RECEIVE(weight (uS))\n\n: its body\n{"))
    assert load_mod(path).__name__


def test_event_calls_really_outside_net_receive_are_refused_at_their_lines(tmp_path, capsys):
    """A PROCEDURE (its brace on the next line too) calling state_discontinuity and net_send: both
    refused with their lines (``mod check`` lists each), as before the fix; nothing else is."""
    from excitable.interfaces.cli.main import main

    text = (HERE / "nr_brace.mod").read_text().replace("nr_brace", "nr_out")
    text += "PROCEDURE later()\n{\n    state_discontinuity(g, g + 1)\n    net_send(1, 1)\n}\n"
    path = tmp_path / "nr_out.mod"
    path.write_text(text)
    n = len(text.splitlines())
    assert main(["mod", "check", str(path)]) == 2
    refused = [line.strip() for line in capsys.readouterr().out.splitlines() if line.endswith("not supported")]
    assert refused == [f"{path}:{n - 2}: state_discontinuity() outside NET_RECEIVE not supported",
                       f"{path}:{n - 1}: net_send() outside NET_RECEIVE and INITIAL not supported"]
    with pytest.raises(ModelError, match=rf"nr_out\.mod:{n - 2}: state_discontinuity\(\) outside NET_RECEIVE"):
        load_mod(path)
