"""``excitable mod compare`` for point processes beside the folder's density mechanisms, and spike
trains off the dt grid (workflows/neuron_compare_point.py, neuron_side_point.py), NEURON side by side.

- A synapse reading cai (mod_events/pp_careader.mod) is put on its hh compartment with the folder's
  pool that writes cai (reference/mod/nm_cadecay.mod) and, in turn, the channel writing the ica that
  pool reads (reference/mod/model/bs_cahva.mod), on both sides: V, the pool's cai, the channel's
  gates and the synapse's current within the issue's 1e-6 of each trace's scale, spike times within
  0.05 ms. Without the pool, NEURON's own current of the synapse is another (so the insertion is
  what is compared, not a no-op).
- ``--with``: an NMDA synapse writing ica (mod_events/ev_nmda.mod) with the folder's pool and
  NEURON's pas beside it; the pool's cai is compared, and NEURON's cai shows the synapse's ica in it.
- Off the grid: NEURON's fixed step delivers an event of time T before the step from t_n with
  T <= t_n + dt/2 (its ``deliver_net_events``); the engine delivers at round(T/dt). Checked on
  NEURON's own ExpSyn (first sample of g > 0) and in a whole compare of expsyn.mod and exp2syn.mod.
- Bad input is one line with exit status 2.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.workflows.test_neuron_compare import MOD, _compare
from tests.workflows.test_neuron_compare_point import EVENTS, _rows, _wheel

pytestmark = pytest.mark.neuron
CA_FILES = [EVENTS / "pp_careader.mod", MOD / "nm_cadecay.mod", MOD / "model" / "bs_cahva.mod"]
RTOL = 1e-6  # the bound per trace; both sides float64 (found: 1e-11 or less)
DT = 0.025


def _skip_without_compiler(code: int, err: str) -> None:
    if code == 2 and "nrnivmodl" in err:
        pytest.skip(err)  # NEURON's compiler (or a C compiler) is missing here


def test_a_synapse_reading_cai_runs_beside_the_folders_pool_and_channel(capsys):
    # hh.mod in the folder gives the together-run (10 x 10 µm) a K current, so its current step
    # does not drive V past the Ca channel's range; NEURON runs its built-in hh (the same file).
    code, out, err = _compare([*CA_FILES, _wheel("hh.mod")], capsys)
    _skip_without_compiler(code, err)
    assert code == 0, out + err
    assert ("pp_careader: on its compartment beside hh: nm_cadecay (writes cai, which pp_careader reads); "
            "bs_cahva (writes ica, which nm_cadecay reads)") in out
    rows = _rows(out)
    for trace in ("v", "nm_cadecay.cai", "bs_cahva.m", "bs_cahva.h", "pp_careader.i"):
        assert rows[f"pp_careader {trace}"] <= RTOL, (trace, rows)
    spikes = next(ln for ln in out.splitlines() if ln.startswith("spikes (pp_careader compartment)"))
    assert "excitable 0 [" not in spikes, spikes  # the step fires it: the Ca channel opens, cai moves

    from neuron import h  # the files are loaded now (the compare above)

    from excitable.io.nmodl.loader import load_mod
    from excitable.workflows import neuron_compare_point as point
    from excitable.workflows import neuron_side_point as side

    loaded = load_mod(CA_FILES)
    kw = {"weight": 0.0, "spikes": (), "dt": DT, "celsius": 6.3, "tstop": 30.0, "iclamp": (2.0, 20.0, 0.1)}
    alone = side.neuron_run(h, loaded["pp_careader"], {}, **kw)
    beside = side.neuron_run(h, loaded["pp_careader"], {}, **kw, density={
        s: (loaded[s], {}) for s in ("nm_cadecay", "bs_cahva")})
    assert float(np.ptp(beside["nm_cadecay.cai"])) > 1e-3  # mM: 20x its start (5e-5) during the spikes
    i_alone, i_beside = alone["current:pp_careader.i"], beside["current:pp_careader.i"]
    assert np.max(np.abs(i_beside - i_alone)) > 0.1 * np.max(np.abs(i_alone))
    # what is chosen: the readers' writers, transitively; nothing for a file reading no ion
    density = {s: loaded[s] for s in ("nm_cadecay", "bs_cahva")}
    assert list(point.inserted(loaded["pp_careader"], density, {})[0]) == ["nm_cadecay", "bs_cahva"]
    assert point.inserted(side.wheel_mod("expsyn.mod"), density, {}) == ({}, [])


def test_with_puts_a_pool_beside_a_synapse_writing_ica(capsys):
    files = [EVENTS / "ev_nmda.mod", MOD / "nm_cadecay.mod"]
    code, out, err = _compare([*files, "--with", "nm_cadecay,pas", "--set", "pas.g=0.0002",
                               "--amplitude", "0.001"], capsys)
    _skip_without_compiler(code, err)
    assert code == 0, out + err
    assert "ev_nmda: on its compartment beside hh: nm_cadecay (--with); pas (--with)" in out
    rows = _rows(out)
    assert rows["ev_nmda nm_cadecay.cai"] <= RTOL and rows["ev_nmda v"] <= RTOL, rows

    from neuron import h

    from excitable.io.nmodl.loader import load_mod
    from excitable.workflows import neuron_compare_point as point
    from excitable.workflows import neuron_side_point as side

    loaded = load_mod(files)
    kw = {"spikes": (2.0, 3.1, 7.3, 7.8, 15.4), "dt": DT, "celsius": 6.3, "tstop": 30.4,
          "density": {"nm_cadecay": (loaded["nm_cadecay"], {})}}
    # without --with the report says which pool the synapse's ica would flow into
    assert point.suggestions(loaded["ev_nmda"], {"nm_cadecay": loaded["nm_cadecay"]}, {}) == [
        "ev_nmda: writes what nm_cadecay reads; compare them together with --with nm_cadecay"]
    assert point.suggestions(loaded["ev_nmda"], {"nm_cadecay": loaded["nm_cadecay"]}, {"nm_cadecay": None}) == []
    driven = side.neuron_run(h, loaded["ev_nmda"], {}, weight=0.001, **kw)["nm_cadecay.cai"]
    quiet = side.neuron_run(h, loaded["ev_nmda"], {}, weight=0.0, **kw)["nm_cadecay.cai"]
    # the synapse's ica reaches the pool in NEURON: the compared cai carries it (> 1e-3 of its scale)
    assert np.max(np.abs(driven - quiet)) > 1e-3 * np.max(driven)


@pytest.mark.parametrize("argv, words", [
    ([EVENTS / "ev_intfire.mod", EVENTS / "pp_careader.mod", "--with", "kdr"], "no density mechanism 'kdr'"),
    ([EVENTS / "ev_intfire.mod", "--with", "ev_intfire"], "no density mechanism 'ev_intfire'"),
    ([MOD / "nm_cadecay.mod", "--with", "nm_cadecay"], "the files define no point process"),
    ([EVENTS / "ev_intfire.mod", "--with", "pas"], "the files define no point process"),
    ([_wheel("expsyn.mod"), "--spikes", "2,-0.01"], "-0.01 is not a time in 0..1e5 ms"),
])
def test_bad_input_is_one_line(argv, words, capsys):
    code, out, err = _compare(argv, capsys)
    assert code == 2 and out == "", out
    assert err.count("\n") == 1 and words in err, err


def test_what_reads_an_events_time():
    from excitable.io.nmodl.loader import load_mod
    from excitable.workflows.neuron_side_point import events_read_time, wheel_mod

    # t in NET_RECEIVE, net_send (self-events timed from t), an artificial cell's net_event
    assert all(events_read_time(load_mod(EVENTS / f)) for f in ("ev_twostep.mod", "ev_nmda.mod", "ev_intfire.mod"))
    # jumps only (expsyn, exp2syn), no NET_RECEIVE (pp_careader): off-grid times are taken
    assert not any(events_read_time(c) for c in (wheel_mod("expsyn.mod"), wheel_mod("exp2syn.mod"),
                                                 load_mod(EVENTS / "pp_careader.mod")))


def test_spikes_off_the_dt_grid_arrive_in_neurons_step(capsys):
    from neuron import h

    from excitable.workflows import neuron_side_point as side

    cls = side.wheel_mod("expsyn.mod")  # NEURON's built-in ExpSyn is compiled from this file
    kw = {"weight": 0.001, "dt": DT, "celsius": 6.3, "tstop": 3.0}
    for when, sample in ((2.0 + DT / 3, 81), (2.0 + 2 * DT / 3, 82)):  # t_80 = 2.0 ms
        theirs = side.neuron_run(h, cls, {}, spikes=(when,), **kw)["ExpSyn.g"]
        ours = side.ours(cls, {}, spikes=(when,), **kw)["ExpSyn.g"]
        # NEURON's rule: T <= t_n + dt/2 arrives before the step from t_n, so g is first > 0 at n + 1
        assert np.flatnonzero(theirs > 0)[0] == sample == np.flatnonzero(ours > 0)[0]
        assert np.max(np.abs(ours - theirs)) <= RTOL * np.max(theirs)
    # Before dt/2: the first step (sample 1); T = 0: finitialize, in the first sample (engine.drive)
    for when, sample in ((0.005, 1), (0.0, 0)):
        theirs = side.neuron_run(h, cls, {}, spikes=(when,), **kw)["ExpSyn.g"]
        ours = side.ours(cls, {}, spikes=(when,), **kw)["ExpSyn.g"]
        assert np.flatnonzero(theirs > 0)[0] == sample == np.flatnonzero(ours > 0)[0]
        assert np.max(np.abs(ours - theirs)) <= RTOL * np.max(theirs)

    times = "2.0083,3.1166,7.31,7.3333,15.412"  # off the grid: 0.33, 0.66, 0.4, 0.33, 0.48 of dt past a step
    code, out, err = _compare([_wheel("expsyn.mod"), _wheel("exp2syn.mod"), "--spikes", times], capsys)
    assert code == 0, out + err
    rows = _rows(out)
    for key in ("ExpSyn v", "ExpSyn ExpSyn.g", "Exp2Syn v", "Exp2Syn Exp2Syn.A", "Exp2Syn Exp2Syn.B", "Exp2Syn Exp2Syn.i"):
        assert rows[key] <= RTOL, (key, rows)
    spikes = next(ln for ln in out.splitlines() if ln.startswith("spikes (Exp2Syn compartment)"))
    assert "excitable 0 [" not in spikes, spikes  # spike times compared (0.05 ms: the verdict above)
    # a file reading the event's time, at 0, halfway (NEURON's clock decides) and off the grid: taken
    code, out, err = _compare([EVENTS / "ev_twostep.mod", "--spikes", "0,6.0125,10.0083"], capsys)
    assert code == 0, out + err
