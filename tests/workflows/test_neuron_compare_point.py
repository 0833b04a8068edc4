"""``excitable mod compare`` on point processes and artificial cells (workflows/neuron_compare_point.py):
NEURON (the files compiled by nrnivmodl, cached) and excitable side by side on an hh compartment.

- Our event test files (tests/io/nmodl/mod_events: ev_twostep's net_send self-events off the dt
  grid, ev_pulse's per-NetCon NET_RECEIVE arguments, ev_nmda's kinetic NMDA synapse, ev_stdp's
  weight changes, pp_geom's diam/area/dt, ev_intfire's artificial cell), the neuron wheel's own
  expsyn.mod, exp2syn.mod and invlfire.mod (read from the installed package) and a tonic conductance
  without NET_RECEIVE (written here) agree with NEURON within the issue's 1e-6 of each trace's scale
  (measured: 4e-13 or less, float64 round-off), and the spike times (the compartment's, the
  artificial cell's output) agree within the issue's 0.05 ms.
- The comparison can fail: a copy of expsyn.mod with tau 0.2 ms keeps NEURON's name, so NEURON
  runs its built-in ExpSyn (tau 0.1 ms) while excitable runs the file: DIFFERS, exit status 1.
- Bad input is one line with exit status 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workflows.test_neuron_compare import _compare

pytestmark = pytest.mark.neuron
EVENTS = Path(__file__).parents[1] / "io" / "nmodl" / "mod_events"
TONIC = """NEURON {
    POINT_PROCESS h6_tonic
    RANGE g, e, i
    NONSPECIFIC_CURRENT i
}
PARAMETER { g = 0.002 (uS) e = -80 (mV) }
ASSIGNED { v (mV) i (nA) }
BREAKPOINT { i = g*(v - e) }
"""


def _wheel(name: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec("neuron")
    return Path(next(iter(spec.submodule_search_locations))) / ".data" / "share" / "modfile" / name


def _rows(out: str) -> dict[str, float]:
    """{'NAME TRACE': difference} of the report's point rows ("NAME train" or "NAME current clamp")."""
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        skip = 2 if parts[1:2] == ["train"] else 3 if parts[1:3] == ["current", "clamp"] else 0
        if skip and len(parts) > skip + 1:
            rows[f"{parts[0]} {parts[skip]}"] = float(parts[skip + 1])
    return rows


def test_synapses_and_an_artificial_cell_give_neurons_numbers(tmp_path, capsys):
    pytest.importorskip("neuron")
    (tmp_path / "h6_tonic.mod").write_text(TONIC)
    files = [EVENTS / "ev_twostep.mod", EVENTS / "ev_pulse.mod", EVENTS / "ev_intfire.mod", EVENTS / "pp_geom.mod",
             EVENTS / "ev_stdp.mod", EVENTS / "ev_nmda.mod",
             _wheel("expsyn.mod"), _wheel("exp2syn.mod"), _wheel("../nrn/demo/release/invlfire.mod"),
             tmp_path / "h6_tonic.mod"]
    code, out, err = _compare(files, capsys)
    if code == 2 and "nrnivmodl" in err:
        pytest.skip(err)  # NEURON's compiler (or a C compiler) is missing here
    assert code == 0, out + err
    assert "same as NEURON" in out
    rows = _rows(out)
    # 1e-6 of each trace's scale (the bound; both sides float64, measured <= 4e-13)
    for key in ("ev_twostep v", "ev_twostep ev_twostep.g", "ev_twostep ev_twostep.tlast", "ev_twostep ev_twostep.i",
                "ev_pulse ev_pulse.Ron", "ev_pulse ev_pulse.Roff", "ev_pulse ev_pulse.i", "ev_intfire ev_intfire.m",
                "ExpSyn ExpSyn.g", "Exp2Syn Exp2Syn.A", "Exp2Syn Exp2Syn.B", "h6_tonic v", "h6_tonic h6_tonic.i",
                "pp_geom pp_geom.i", "IntervalFire IntervalFire.m", "ev_stdp ev_stdp.g", "ev_stdp ev_stdp.wlast",
                "ev_nmda ev_nmda.Ron", "ev_nmda ev_nmda.Roff", "ev_nmda ev_nmda.i"):
        assert key in rows and rows[key] <= 1e-6, (key, rows)
    spikes = {ln.split(")")[0].split("(")[1]: ln for ln in out.splitlines() if ln.startswith("spikes (")}
    # The artificial cell fires (0.6 + 0.6 > 1 twice in the default train) and the train makes the
    # compartment spike under ev_twostep and Exp2Syn: spike times are really compared.
    assert "excitable 0 [" not in spikes["ev_intfire output"], spikes
    assert "excitable 0 [" not in spikes["Exp2Syn compartment"], spikes
    assert "h6_tonic compartment" in spikes
    assert "excitable 0 [" not in spikes["IntervalFire output"], spikes
    # ev_twostep takes the events at 2.0, 7.3 and 15.4 ms (3.1 and 7.8 fall in its 3.5-ms refractory
    # period) and sends itself one more jump after each: 6 steps whose current NEURON evaluates
    # after the jump at the V before the step, left out of the current's row (V and g cover them).
    assert "ev_twostep: its current is compared at every step but the 6 in which" in out
    assert "NEURON runs that one, not the file" in out  # expsyn/exp2syn: NEURON's built-ins, same files
    assert "ev_nmda: current ica not compared" in out  # NEURON keeps a point process's ica to itself


def test_a_different_synapse_is_reported(tmp_path, capsys):
    text = _wheel("expsyn.mod").read_text()
    assert "tau = 0.1 (ms)" in text
    (tmp_path / "expsyn.mod").write_text(text.replace("tau = 0.1 (ms)", "tau = 0.2 (ms)"))
    code, out, _ = _compare([tmp_path / "expsyn.mod", "--weight", "0.004"], capsys)
    assert code == 1, out
    assert "DIFFERS from NEURON" in out and "NEURON runs that one, not the file" in out
    g = [ln for ln in out.splitlines() if ln.split()[:3] == ["ExpSyn", "train", "ExpSyn.g"]]
    assert g and "DIFFERS" in g[0], out  # the conductance's decay differs, far over 1e-6


@pytest.mark.parametrize("argv, words", [
    (["--spikes", "2,x"], "expected times in ms separated by commas"),
    (["--spikes", "-1"], "-1.0 is not a time"),
    (["--weight", "nan"], "weight = nan is not a number"),
    (["--set", "ev_intfire.nope=1"], "ev_intfire has no parameter 'nope'"),
])
def test_bad_point_settings_are_one_line(argv, words, capsys):
    code, out, err = _compare([EVENTS / "ev_intfire.mod", *argv], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and words in err, err


def test_an_electrode_is_compared_and_an_idle_one_is_named(capsys):
    code, out, _ = _compare([_wheel("stim.mod")], capsys)
    assert code == 0 and "IClamp: its current i is 0 throughout" in out, out  # amp defaults to 0
    code, out, _ = _compare([_wheel("stim.mod"), "--set", "IClamp.del=3", "--set", "IClamp.dur=10",
                             "--set", "IClamp.amp=-0.05"], capsys)  # NEURON's Python spells del "delay"
    assert code == 0 and "0 throughout" not in out, out
    assert _rows(out)["IClamp IClamp.i"] <= 1e-6 and _rows(out)["IClamp v"] <= 1e-6, out


GLOBAL_SUM = """NEURON {
    POINT_PROCESS h6_gsum
    RANGE tau, i
    NONSPECIFIC_CURRENT i
    GLOBAL total
}
PARAMETER { tau = 2 (ms) }
ASSIGNED { v (mV) i (nA) total (uS) }
STATE { g (uS) }
INITIAL { g = 0 total = 0 }
BREAKPOINT {
    SOLVE s METHOD cnexp
    i = g * v
}
DERIVATIVE s { g' = -g / tau }
NET_RECEIVE (w (uS)) {
    state_discontinuity(g, g + w)
    total = total + w
}
"""


def test_a_global_the_events_change_is_compared_as_neurons_name_suffix(tmp_path, capsys):
    # 3264's FDSExp2Syn keeps a GLOBAL total: it was "not exposed (not RANGE)"; NEURON has it as
    # total_h6_gsum (one value for all instances; here one), so it is compared: the events' sum
    (tmp_path / "h6_gsum.mod").write_text(GLOBAL_SUM)
    code, out, err = _compare([tmp_path / "h6_gsum.mod", "--weight", "0.002"], capsys)
    assert code == 0 and err == "", out + err
    row = next(ln.split() for ln in out.splitlines() if ln.startswith("h6_gsum train  h6_gsum.total"))
    assert float(row[-1]) <= 1e-12 and "does not expose" not in out, out


SATURATING = """NEURON {
    POINT_PROCESS h6_satsyn
    RANGE tau, e, i, r, gmax
    NONSPECIFIC_CURRENT i
}
PARAMETER { tau = 5 (ms) e = 0 (mV) r = 1 gmax = 0.006 (uS) }
ASSIGNED { v (mV) i (nA) }
STATE { g (uS) }
INITIAL { g = 0 }
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g * (v - e)
}
DERIVATIVE state { g' = -g / tau }
NET_RECEIVE (w (uS)) {
    LOCAL step
    step = w * r
    if (g + step < gmax) {
        g = g + step
    } else {
        g = gmax
    }
}
"""


def test_a_net_receive_with_if_and_local_runs_on_the_event_path(tmp_path, capsys):
    # 139421's MyExp2SynNMDABB.mod (an if, a LOCAL in NET_RECEIVE) was refused line by line: only
    # jumps x = x + f(w) ran. Such a block now takes the event path, which runs it as NEURON does;
    # here a synapse that saturates at gmax, a jump that reads its state (closed form: the cap)
    import numpy as np

    import excitable as ex
    from excitable.model.network import Network

    path = tmp_path / "h6_satsyn.mod"
    path.write_text(SATURATING)
    code, out, err = _compare([path, "--weight", "0.004", "--spikes", "2,4,30"], capsys)
    assert code == 0 and err == "" and "h6_satsyn train  h6_satsyn.g" in out, out + err
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())
    net = Network([cell])
    net.spike_train([2.0, 4.0, 30.0], 0, ex.load_mod(path)(), weight=0.004, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.record("h6_satsyn[0].g", label="g")
    g = np.asarray(sim.run(40.0)["g"]).ravel()
    # the second event capped (0.004 e^(-2/5) + 0.004 > 0.006): g = gmax, recorded after the step's
    # cnexp decay (events arrive at a step's start)
    assert g.max() == pytest.approx(0.006 * np.exp(-0.025 / 5.0), rel=1e-12)


def test_a_jump_not_linear_in_the_weight_runs_event_by_event(tmp_path, capsys):
    # g = g + w*w was refused ("not linear in w": the summed-weight path would give (w1 + w2)^2 for
    # two events in a step); it now runs on the event path, one NET_RECEIVE per event, as NEURON does
    text = SATURATING.replace("h6_satsyn", "h6_square").replace(
        "    LOCAL step\n    step = w * r\n    if (g + step < gmax) {\n        g = g + step\n    } else {\n        g = gmax\n    }\n",
        "    g = g + w*w\n")
    assert "g = g + w*w" in text
    (tmp_path / "h6_square.mod").write_text(text)
    code, out, err = _compare([tmp_path / "h6_square.mod", "--weight", "0.05", "--spikes", "2,4,30"], capsys)
    assert code == 0 and err == "" and "h6_square train  h6_square.g" in out, out + err


#: Izhikevich's 2003 model as PyNN writes it for NEURON (written here in that form): an input event
#: adds its weight to v in NET_RECEIVE, a WATCH resets v and u.
V_WRITES = """NEURON {
    POINT_PROCESS h6_izhv
    RANGE a, b, c, d, vthresh, uinit
    NONSPECIFIC_CURRENT i
}
PARAMETER { a = 0.02 (/ms) b = 0.2 (/ms) c = -65 (mV) d = 2 (mV/ms) vthresh = 30 (mV)
            cm = 0.001 (nF) uinit = -14 (mV/ms) }
ASSIGNED { v (mV) i (nA) }
STATE { u (mV/ms) }
INITIAL { u = uinit  net_send(0, 1) }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = -cm*(0.04*v*v + 5*v + 140 - u)
}
DERIVATIVE states { u' = a*(b*v - u) }
NET_RECEIVE (weight (mV)) {
    if (flag == 1) {
        WATCH (v > vthresh) 2
    } else if (flag == 2) {
        net_event(t)
        v = c
        u = u + d
    } else {
        v = v + weight
    }
}
"""


def test_steps_whose_events_write_v_are_left_out_of_the_current_comparison(tmp_path, capsys):
    """NEURON's nrn_cur sees the V an event wrote (the input's v = v + weight, the reset's v = c);
    the comparison re-evaluates the current at the recorded V before it, so such steps are left out
    as steps with state jumps are. They were not: DIFFERS, i 1.3e-2 of its scale, while V and u
    agreed to 4e-12. The current elsewhere within the issue's 1e-6 of its scale (3e-12 measured)."""
    path = tmp_path / "h6_izhv.mod"
    path.write_text(V_WRITES)
    code, out, err = _compare([path, "--weight", "5"], capsys)
    assert code == 0 and err == "", out + err
    rows = _rows(out)
    assert rows["h6_izhv h6_izhv.i"] < 1e-6 and rows["h6_izhv v"] < 1e-6, out
    assert "spikes (h6_izhv compartment): excitable 4 [" in out, out  # the resets happen
