"""WATCH in imported point processes (io/nmodl/watch.py), side by side with NEURON 9.0.2 compiling
the same files with nrnivmodl (once, cached: tests/reference/nrnmech.py):

- mod_events/watch_detect.mod: WATCH (v > thresh), armed at t = 0 by INITIAL's net_send(0, 1), on an
  hh compartment under a current step: a rise fires once, a second rise fires again (the watch
  stays armed); a condition already true when armed waits until it has been false (NEURON's
  ``WatchCondition::activate``); a value exactly 0 when armed counts as not true; a WATCH run in a
  later NET_RECEIVE replaces the instance's watches (hysteresis);
- mod_events/watch_qif.mod: Izhikevich's 2007 quadratic model as a point process on a passive
  compartment, reset by ``v = c`` in NET_RECEIVE (written into the node) with a STATE jump, and a
  parameter in nS whose default is negative (b = -2 nS: not a conductance, so not refused);
- mod_events/watch_izh.mod: netpyne's izhi2007b.mod form (a PARAMETER BREAKPOINT sets for one cell
  type, v = vr in the self-event INITIAL sends, delivered in finitialize);
- mod_events/watch_state.mod: WATCH on a STATE, three watches in one statement (one written b < a,
  two rising in the same step: delivered in the order armed);
- what NEURON refuses or crashes on is refused with its line.

Tolerances: V and every recorded variable within 1e-6 of the trace's range (issue 18); both sides
are float64 with the same formulas and the same event steps, so what is left is round-off (1e-11
seen). Event times: the same step is expected, so 1e-9 ms (the sums of half steps that are t on
both sides differ by round-off, 1e-13 ms; one step off would be 0.025 ms), far inside the issue's
0.05 ms. A reset one step late or early moves V by tens of mV.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from excitable.model.network import Network
from tests.io.nmodl.neuron_side import share
from tests.reference.nrnmech import neuron_loaded

OWN = Path(__file__).parent / "mod_events"
FILES = [OWN / "watch_detect.mod", OWN / "watch_qif.mod", OWN / "watch_state.mod", OWN / "watch_izh.mod"]
DT = 0.025
TOL = 1e-6
T_TOL = 1e-9  # ms: the same step on both sides (module docstring)
CM = 100.0 / (np.pi * 20.0 * 20.0 * 1e-2)  # µF/cm²: 100 pF on 20 x 20 µm (1256.6 µm²), Izhikevich's


def neuron_watch():
    return neuron_loaded(FILES, "nrnmech-watch", "the WATCH test files")


@pytest.fixture(scope="module")
def mods():
    return load_mod([*FILES, share() / "modfile" / "hh.mod", share() / "modfile" / "passive.mod"])


def rel(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.ptp(b)


def neuron_run(name, params, fields, membrane, clamp, tstop):
    """NEURON: a 20 x 20 µm compartment (``membrane``: "hh" with exact rates, or "pas" at 1e-5
    S/cm², -60 mV and 7.96 µF/cm²: 100 pF, Izhikevich's) with the point process ``name`` and an
    IClamp (delay, dur, amp); V, ``fields`` at every step, and the point process's net_event times."""
    h = neuron_watch()
    sec = h.Section(name=f"w_{name}")
    sec.L = sec.diam = 20.0
    sec.insert(membrane)
    if membrane == "hh":
        h.usetable_hh = 0
    else:
        sec.g_pas, sec.e_pas, sec.cm = 1e-5, -60.0, CM
    pp = getattr(h, name)(sec(0.5))
    for k, x in params.items():
        setattr(pp, k, x)
    stim = h.IClamp(sec(0.5))
    stim.delay, stim.dur, stim.amp = clamp
    nc = h.NetCon(pp, None)
    spikes = h.Vector()
    nc.record(spikes)
    rec = {"v": h.Vector().record(sec(0.5)._ref_v)}
    rec.update({k: h.Vector().record(getattr(pp, f"_ref_{k}")) for k in fields})
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(tstop)
    out = {k: np.array(x) for k, x in rec.items()}
    out["spikes"] = np.array(spikes)
    del nc, stim, pp, sec
    return out


def ours_run(mods, name, params, fields, membrane, clamp, tstop):
    """The same with excitable (the IClamp built in, hh and pas from the wheel's files)."""
    chan = mods.hh() if membrane == "hh" else mods.pas(g=1e-5, e=-60.0)
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0, **({} if membrane == "hh" else {"cm": CM})).insert(chan)
    cell.place(getattr(mods, name)(**params), cell.soma)
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=clamp[2], delay=clamp[0], duration=clamp[1]))
    sim.record("v", label="v")
    for k in (*fields, "spikes", "spike_t", "events_lost"):
        sim.record(f"{name}[0].{k}", label=k)
    res = sim.run(tstop)
    out = {k: np.asarray(res[k]).ravel() for k in ("v", *fields, "spikes", "spike_t", "events_lost")}
    out["spikes"] = out["spike_t"][out["spikes"] > 0]  # net_event's time, in the steps that sent one
    return out


def compare(ref, ours, fields):
    assert ours["events_lost"].max() == 0
    assert rel(ours["v"], ref["v"]) < TOL
    for k in fields:  # from t = 0: both record after finitialize delivered INITIAL's net_send(0, 1)
        scale = max(np.ptp(ref[k]), 1.0)  # a count or time that never changes: its absolute value
        assert np.max(np.abs(ours[k] - ref[k])) / scale < TOL, k
    assert len(ours["spikes"]) == len(ref["spikes"]), (ours["spikes"], ref["spikes"])
    assert np.max(np.abs(ours["spikes"] - ref["spikes"]), initial=0.0) < T_TOL


DETECT_FIELDS = ("count", "tlast", "tarm", "nlow", "nin")
#: watch_detect's parameters, IClamp amp (nA), and what NEURON does (checked on its side too): the
#: spike times.
DETECT = {
    # two spikes: v rises above -20 mV twice; each rise is an event at the next step's start
    "rises": ({"thresh": -20.0}, 0.3, [2.1, 13.575]),
    # -70 is below V when armed (-65): already true, no event until V has been below -70 (the
    # first spike's undershoot) and rises again
    "true_when_armed": ({"thresh": -70.0}, 0.3, [7.125, 18.0, 24.875]),
    # V = -65 exactly when armed: value 0 is not > 0, and hh's drift to -64.97 is a rise at once
    "zero_when_armed": ({"thresh": -65.0}, 0.0, [0.025]),
    # hysteresis: the spike's WATCH (v < lo) replaces v > thresh; the undershoot below -70 arms it again
    "toggle": ({"thresh": -20.0, "toggle": 1.0, "lo": -70.0}, 0.3, [2.1, 13.575]),
    # V never falls below -80: v > thresh stays removed after the first spike (were it kept, 13.575)
    "toggle_removed": ({"thresh": -20.0, "toggle": 1.0, "lo": -80.0}, 0.3, [2.1]),
    # a self-event at 2.095 ms re-arms v > thresh: NEURON delivers it before testing the watches at
    # the step that starts at 2.1 (it is due by that t), so the rise there gives no spike ...
    "self_event_before_the_test": ({"thresh": -20.0, "resend": 2.095}, 0.3, [13.575]),
    # ... one at 2.105 comes after the test (later than t): the rise fires
    "self_event_after_the_test": ({"thresh": -20.0, "resend": 2.105}, 0.3, [2.1, 13.575]),
}


@pytest.mark.parametrize("case", sorted(DETECT))
def test_watch_detector_matches_neuron(mods, case):
    params, amp, times = DETECT[case]
    args = ("watch_detect", params, DETECT_FIELDS, "hh", (1.0, 20.0, amp), 25.0)
    ref, ours = neuron_run(*args), ours_run(mods, *args)
    np.testing.assert_allclose(ref["spikes"], times, atol=1e-9)  # NEURON's behaviour, as described
    assert ref["tarm"][-1] == 0.0  # armed at t = 0, by the self-event INITIAL sent
    compare(ref, ours, DETECT_FIELDS)


#: delay (ms) of the cell's own NetCon (threshold -20 mV) onto watch_detect, whose input re-arms
#: v > thresh -> NEURON's spike times. The first crossing (2.1 ms, plus NEURON's 1e-10) arrives near
#: the second rise (13.575 ms): before NEURON tests the watches there (13.565 <= t: the re-armed watch
#: finds v above, that rise is lost), or after (13.585; and 13.575 + 1e-10 on the grid).
SELF = {11.465: [2.1], 11.485: [2.1, 13.575], 11.475: [2.1, 13.575]}


def neuron_self(delay):
    """NEURON: watch_detect (thresh -20 mV) on an hh compartment fed by its own V (NetCon threshold
    -20 mV, ``delay``); the net_event times and the input count nin at every step."""
    h = neuron_watch()
    sec = h.Section(name="w_self")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    pp = h.watch_detect(sec(0.5))
    pp.thresh = -20.0
    stim = h.IClamp(sec(0.5))
    stim.delay, stim.dur, stim.amp = 1.0, 20.0, 0.3
    nc = h.NetCon(sec(0.5)._ref_v, pp, sec=sec)
    nc.threshold, nc.delay, nc.weight[0] = -20.0, delay, 1.0
    out = h.NetCon(pp, None)
    spikes, nin = h.Vector(), h.Vector().record(pp._ref_nin)
    out.record(spikes)
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(25.0)
    res = np.array(spikes), np.array(nin)
    del nc, out, stim, pp, sec
    return res


@pytest.mark.parametrize("delay", sorted(SELF))
def test_a_connections_event_at_a_rise_comes_where_neuron_puts_it(mods, delay):
    spikes, nin = neuron_self(delay)
    np.testing.assert_allclose(spikes, SELF[delay], atol=1e-9)  # NEURON's behaviour, as described
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    net.connect(cell, cell, mods.watch_detect(thresh=-20.0), delay=delay, threshold=-20.0, weight=1.0,
                t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.3, delay=1.0, duration=20.0))
    for k in ("spikes", "spike_t", "nin"):
        sim.record(f"watch_detect[0].{k}", label=k)
    res = sim.run(25.0)
    ours = np.asarray(res["spike_t"]).ravel()[np.asarray(res["spikes"]).ravel() > 0]
    assert len(ours) == len(spikes) and np.max(np.abs(ours - spikes)) < T_TOL, (ours, spikes)
    np.testing.assert_array_equal(np.asarray(res["nin"]).ravel(), nin)  # the input at the same step


def test_watch_runs_in_a_batch(mods):
    """A vmap batch over thresh (jit and vmap: the crossings are jnp.where on each element) gives
    each element the spike times NEURON gives that threshold (DETECT, checked against NEURON above)."""
    from excitable.engine.batch import broadcast, with_param

    cases = ("rises", "true_when_armed")
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    cell.place(mods.watch_detect(), cell.soma)
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.3, delay=1.0, duration=20.0))
    sim.record("watch_detect[0].count", label="count")
    sim.record("watch_detect[0].tlast", label="tlast")
    batch = with_param(broadcast(sim.parameters(), 2), "watch_detect.thresh",
                       np.array([DETECT[c][0]["thresh"] for c in cases]))
    res = sim.run_batch(25.0, batch)
    count, tlast = np.asarray(res["count"]).reshape(2, -1), np.asarray(res["tlast"]).reshape(2, -1)
    for row, case in enumerate(cases):
        steps = np.flatnonzero(np.diff(count[row]) > 0) + 1
        np.testing.assert_allclose(tlast[row][steps], DETECT[case][2], atol=T_TOL)


def test_watch_reset_of_v_matches_neuron(mods):
    """watch_qif (Izhikevich's 2007 form, b = -2 nS): v = c in NET_RECEIVE; 5 spikes in 90 ms of
    0.3 nA, their intervals lengthened by u (13.2 -> 18.4 ms), V within 1e-6 of its range."""
    args = ("watch_qif", {}, ("count", "tlast", "u"), "pas", (5.0, 90.0, 0.3), 100.0)
    ref, ours = neuron_run(*args), ours_run(mods, *args)
    assert len(ref["spikes"]) == 5 and ref["v"].max() > 35.0  # it passes vpeak and is reset
    compare(ref, ours, ("count", "tlast", "u"))


#: watch_izh (izhi2007b.mod's form) cases: parameters and IClamp (delay, dur, amp nA) on the 100-pF
#: passive compartment. "tc": Izhikevich's thalamocortical cell (type 6), hyperpolarized by -0.5 nA
#: for 60 ms (below -65 mV BREAKPOINT and the WATCHes set b = 15), a rebound spike after release;
#: "rs": type 1 at Iin = 70 reads the PARAMETER b = -2 as given, one spike.
IZH = {
    "tc": ({"celltype": 6.0, "k": 1.6, "vr": -60.0, "vt": -50.0, "vpeak": 35.0, "a": 0.01, "c": -60.0, "d": 10.0},
           (20.0, 60.0, -0.5)),
    "rs": ({"Iin": 70.0}, (10.0, 100.0, 0.0)),
}
IZH_FIELDS = ("u", "b", "t0", "nspk")


@pytest.mark.parametrize("case", sorted(IZH))
def test_izhikevich_2007b_form_matches_neuron(mods, case):
    """A PARAMETER BREAKPOINT sets for one cell type only and reads as given for the others (it was
    refused: "PARAMETER b read in BREAKPOINT before it is assigned there"), an ASSIGNED u stepped in
    BREAKPOINT, and v = vr written by INITIAL's self-event, which NEURON delivers in finitialize: its
    first sample is vr (-60 mV), not v_init (-65 mV, as it was here: 8.0e-2 of V's range off in mod compare)."""
    params, clamp = IZH[case]
    args = ("watch_izh", params, IZH_FIELDS, "pas", clamp, 200.0)
    ref, ours = neuron_run(*args), ours_run(mods, *args)
    assert ref["v"][0] == -60.0 and len(ref["spikes"]) == 1  # NEURON's behaviour, as described
    if case == "tc":
        assert set(np.unique(ref["b"])) == {0.0, 15.0}  # b switched both ways
    else:
        assert set(np.unique(ref["b"])) == {-2.0}
    compare(ref, ours, IZH_FIELDS)


def test_watch_of_a_state_and_two_watches_match_neuron(mods):
    """watch_state: x > thresh, x < lo and x > near in one WATCH statement, x a STATE following V;
    the two that rise in one step are delivered in the order they were armed (seq: 24 per spike)."""
    fields = ("count", "tlast", "n_low", "n_armed", "x", "seq")
    args = ("watch_state", {}, fields, "hh", (1.0, 30.0, 0.3), 40.0)
    ref, ours = neuron_run(*args), ours_run(mods, *args)
    assert ref["count"][-1] == 3 and ref["n_low"][-1] >= 1 and ref["n_armed"][-1] == 1 and ref["seq"][-1] == 242424
    compare(ref, ours, fields)


POINT = """NEURON {
    %s w
}
PARAMETER { x = 1 }
ASSIGNED { v (mV) m }
INITIAL { m = 0 net_send(0, 1) }
NET_RECEIVE (w) {
    if (flag == 1) {
%s
    }
}
"""
#: forms nocmodl refuses (its grammar: WATCH (a > b) number, or <): NEURON's own NMODL parser refuses
#: them too, in one line with the line
SYNTAX = ["WATCH (v >= x) 2", "WATCH (v > x && v < 0) 2", "WATCH (v > x) flag + 1", "WATCH (v > x) -2"]


@pytest.mark.parametrize("statement", SYNTAX)
def test_forms_neuron_refuses_are_refused_with_their_line(statement, tmp_path):
    path = tmp_path / "form.mod"
    path.write_text(POINT % ("POINT_PROCESS", "        " + statement))
    with pytest.raises(ModelError, match=r"^.*form\.mod: line 9: syntax error[^\n]*$"):
        load_mod(path)


def test_watch_in_an_artificial_cell_is_refused(tmp_path):
    """NEURON 9.0.2 crashes (segmentation fault in finitialize, checked) on a WATCH in an
    ARTIFICIAL_CELL: nocmodl's condition function reads the node's v, and the cell has no node."""
    path = tmp_path / "art.mod"
    path.write_text(POINT % ("ARTIFICIAL_CELL", "        WATCH (m > x) 2"))
    with pytest.raises(ModelError) as err:
        load_mod(path)
    assert str(err.value).startswith(f"{path}:9: WATCH in an ARTIFICIAL_CELL") and "\n" not in str(err.value)
    report, n = check_file(path)
    assert n == 1 and any(r.strip().startswith(f"{path}:9: WATCH in an ARTIFICIAL_CELL") for r in report), report


def test_watch_outside_net_receive_is_refused(tmp_path):
    path = tmp_path / "initial_watch.mod"
    path.write_text(POINT.replace("INITIAL { m = 0 net_send(0, 1) }", "INITIAL {\n WATCH (v > x) 2\n}")
                    % ("POINT_PROCESS", "        m = 1"))
    report, n = check_file(path)
    assert n >= 1 and any(r.strip().startswith(f"{path}:7: WATCH outside the NET_RECEIVE") for r in report), report


@pytest.mark.parametrize("opening", [" {", "\n    {", "\n\n    {"])
def test_watch_in_net_receives_initial_is_refused_whatever_the_layout(opening, tmp_path):
    """A WATCH in the INITIAL inside NET_RECEIVE, its brace on the INITIAL line or a later one (nocmodl
    takes both layouts): refused at the WATCH's line either way."""
    path = tmp_path / "nr_initial_watch.mod"
    body = f"    INITIAL{opening}\n        WATCH (v > x) 2\n    }}\n    if (flag == 1) {{\n        m = 1\n    }}"
    text = POINT.replace("NET_RECEIVE (w) {\n    if (flag == 1) {\n%s\n    }", "NET_RECEIVE (w) {\n" + body) % "POINT_PROCESS"
    path.write_text(text)
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "WATCH" in s)
    report, n = check_file(path)
    assert any(r.strip().startswith(f"{path}:{line}: WATCH in the INITIAL inside NET_RECEIVE") for r in report), report


def test_mod_check_lists_the_watches():
    report, n = check_file(OWN / "watch_qif.mod")
    assert n == 0 and any("watches: v > vpeak -> flag 2" in r and "writes v" in r for r in report), report
    report, n = check_file(OWN / "watch_state.mod")
    assert any("watches: x > thresh -> flag 2, x < lo -> flag 3, x > near -> flag 4" in r for r in report), report


def test_a_watch_reads_v_through_a_function(mods, tmp_path):
    """WATCH (above() > 0) with above() = v - thresh in a FUNCTION: the V reaches it (the engine
    passes the sites' V to any NET_RECEIVE that reads v, also through what it calls), so the events
    come at the steps NEURON gives watch_detect's WATCH (v > thresh) (DETECT, checked beside NEURON)."""
    path = tmp_path / "fnw.mod"
    path.write_text("NEURON { POINT_PROCESS fnw RANGE thresh, tlast }\nPARAMETER { thresh = -20 (mV) }\n"
                    "ASSIGNED { v (mV) tlast (ms) }\nINITIAL { tlast = -1 net_send(0, 1) }\n"
                    "FUNCTION above() { above = v - thresh }\n"
                    "NET_RECEIVE (w) {\n  if (flag == 1) {\n    WATCH (above() > 0) 2\n  } else if (flag == 2) {\n"
                    "    tlast = t\n    net_event(t)\n  }\n}\n")
    fnw = load_mod(path)
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    cell.place(fnw(), cell.soma)
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.3, delay=1.0, duration=20.0))
    for k in ("spikes", "spike_t"):
        sim.record(f"fnw[0].{k}", label=k)
    res = sim.run(25.0)
    times = np.asarray(res["spike_t"]).ravel()[np.asarray(res["spikes"]).ravel() > 0]
    np.testing.assert_allclose(times, DETECT["rises"][2], atol=T_TOL)


def test_gradient_through_the_resets(mods):
    """jax.grad of mean V over watch_qif's run (5 spikes, each a reset and a jump u + d) with respect
    to d, against central differences (h = 1e-6 nA: the spikes stay in their steps, so mean V is
    smooth in d there; the difference's error is round-off, 1e-16 x 50 mV / 1e-6 ~ 1e-8 relative,
    hence 1e-6). 7e-9 seen."""
    import jax

    from excitable.engine.batch import with_param

    cell = ex.Cell.cylinder(length=20.0, diameter=20.0, cm=CM).insert(mods.pas(g=1e-5, e=-60.0))
    cell.place(mods.watch_qif(), cell.soma)
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.3, delay=5.0, duration=90.0))
    sim.record("v", label="v")
    f, p0 = sim.function(100.0), sim.parameters()

    def mean_v(d):
        return f(with_param(p0, "watch_qif.d", d))[:, 0].mean()

    grad = float(jax.grad(mean_v)(0.1))
    central = float((mean_v(0.1 + 1e-6) - mean_v(0.1 - 1e-6)) / 2e-6)
    assert abs(central) > 1.0 and abs(grad - central) < 1e-6 * abs(central), (grad, central)


def comparison_rows() -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of the runs of the tests above, for the table in
    docs/nmodl.md (benchmarks/nmodl_table.py): the largest differences, nothing asserted."""
    mods_ = load_mod([*FILES, share() / "modfile" / "hh.mod", share() / "modfile" / "passive.mod"])
    runs = {
        f"watch_detect on hh, 0.3 nA (0 for the value-0 case), {len(DETECT)} cases (rises, true or 0 when armed, "
        "replaced by a later WATCH, self-events before and after the test)":
            ([OWN / "watch_detect.mod"], [("watch_detect", p, DETECT_FIELDS, "hh", (1.0, 20.0, amp), 25.0)
                                          for p, amp, _ in DETECT.values()]),
        "watch_qif (Izhikevich 2007 form, reset v = c) on a passive 100-pF compartment, 0.3 nA for 90 ms":
            ([OWN / "watch_qif.mod"], [("watch_qif", {}, ("count", "tlast", "u"), "pas", (5.0, 90.0, 0.3), 100.0)]),
        "watch_state (three watches of a STATE, two rising in one step) on hh, 0.3 nA":
            ([OWN / "watch_state.mod"], [("watch_state", {}, ("count", "tlast", "n_low", "n_armed", "x", "seq"),
                                          "hh", (1.0, 30.0, 0.3), 40.0)]),
    }
    rows = []
    for row, (files, cases) in runs.items():
        worst, counts, dt_max = {}, [0, 0], 0.0
        for args in cases:
            ref, ours = neuron_run(*args), ours_run(mods_, *args)
            for k in ("v", *args[2]):
                d = np.max(np.abs(ours[k] - ref[k])) / max(np.ptp(ref[k]), 1.0)
                worst[k] = max(worst.get(k, 0.0), float(d))
            counts = [counts[0] + len(ours["spikes"]), counts[1] + len(ref["spikes"])]
            if len(ours["spikes"]) == len(ref["spikes"]):
                dt_max = max(dt_max, float(np.max(np.abs(ours["spikes"] - ref["spikes"]), initial=0.0)))
        rows.append((row, [str(f) for f in files], ", ".join(f"{k} {d:.1e}" for k, d in worst.items()),
                     f"{counts[0]} vs {counts[1]}, times within {dt_max:.0e} ms"))
    return rows
