"""``excitable mod compare`` where NEURON itself cannot run the file: one line naming the mechanism,
the protocol and NEURON's own words, exit status 2 (bad input, as the CLI documents it), no
traceback and no table (nothing was compared). Exit 1 stays "some trace differs".

- tests/reference/mod/nm_zero_floor.mod (the form of ModelDB 266797 cacumm.mod): NEURON's
  derivimplicit Newton iteration does not converge, "scopmath library error";
- the same floor in a POINT_PROCESS (the point processes' protocol, neuron_side_point.neuron_run);
- ``neuron_side.neuron_failure``, which all three NEURON runs (density, point process, --cell) go
  through, with a hoc error raised directly (h.execerror), and NEURON's printing kept after a run
  that succeeds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from excitable.errors import ModelError
from excitable.workflows.neuron_side import neuron_failure
from tests.workflows.test_neuron_compare_tables import _compare

pytestmark = pytest.mark.neuron
FLOOR = Path(__file__).parents[1] / "reference" / "mod" / "nm_zero_floor.mod"


def test_a_file_neuron_cannot_integrate_is_one_line(capsys):
    code, out, err = _compare([FLOOR], capsys)
    assert code == 2 and out == "", out
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("excitable: error: NEURON cannot run nm_zfloor under the voltage clamp"), err
    assert "scopmath library error" in err and "Convergence not achieved" in err, err


def test_a_point_process_neuron_cannot_integrate_is_one_line(tmp_path, capsys):
    text = FLOOR.read_text().replace("SUFFIX nm_zfloor", "POINT_PROCESS nm_zfloor_pp")
    (tmp_path / "nm_zfloor_pp.mod").write_text(text.replace("ica (mA/cm2)", "ica (nA)"))
    code, out, err = _compare([tmp_path / "nm_zfloor_pp.mod"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1, out + err
    assert "NEURON cannot run nm_zfloor_pp under the" in err and "scopmath library error" in err, err


def test_neuron_failure_is_a_model_error_and_keeps_neurons_printing(capfd):
    h = pytest.importorskip("neuron").h
    with pytest.raises(ModelError, match=r"^NEURON cannot run the thing: boom here; NEURON's own run failed"):
        with neuron_failure("the thing"):
            h.execerror("boom", "here")
    capfd.readouterr()
    with neuron_failure("the thing"):
        h.printf("said by hoc\n")
    assert "said by hoc" in "".join(capfd.readouterr())  # held during the run, printed after it


#: A current that is 0/0 with its parameter at its default, 0 (kc.mod's all-zero defaults, ModelDB
#: 84589): NaN in NEURON's C and here, so neither side has anything to compare.
NAN_AT_DEFAULTS = """
NEURON { SUFFIX nm_nandefault NONSPECIFIC_CURRENT i RANGE g, s }
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { g = 0.001 (S/cm2) s = 0 }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g*(s/s)*(v + 65) }
"""


def test_a_file_unstable_on_both_sides_is_one_line_not_a_verdict(tmp_path, capsys):
    (tmp_path / "nm_nandefault.mod").write_text(NAN_AT_DEFAULTS)
    code, out, err = _compare([tmp_path / "nm_nandefault.mod"], capsys)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, out + err
    assert err.startswith("excitable: error: mod compare: nothing could be compared: nm_nandefault clamp"), err
    assert "NEURON's traces are not finite either" in err, err
    # with the parameter given, both sides run and agree (the same file, so the NaN was the defaults')
    code, out, err = _compare([tmp_path / "nm_nandefault.mod", "--set", "nm_nandefault.s=1"], capsys)
    assert code == 0 and "same as NEURON" in out, out + err


#: A pool state that is -x/0 with its time constant at its default, 0 (ModelDB 116096 cadspine.mod's
#: GLOBALs left at 0): NaN on both sides while V, which nothing of it feeds, stays finite.
NAN_STATE = """
NEURON { SUFFIX nm_nanstate USEION ca READ cai WRITE cai RANGE k }
PARAMETER { k = 0 (ms) cai (mM) }
STATE { ca (mM) }
INITIAL { ca = 1e-4 cai = ca }
BREAKPOINT { SOLVE state METHOD euler }
DERIVATIVE state { ca' = -ca/k cai = ca }
"""


def test_a_state_nan_on_both_sides_is_named_and_not_a_difference(tmp_path, capsys):
    (tmp_path / "nm_nanstate.mod").write_text(NAN_STATE)
    code, out, err = _compare([tmp_path / "nm_nanstate.mod"], capsys)
    # was exit 1, "DIFFERS" with an infinite V difference and "V reached nan mV", V finite on both sides
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, out + err
    assert "nm_nanstate.ca became NaN while V stayed finite" in err, err
    assert "NEURON's nm_nanstate.ca, nm_nanstate.cai are not finite either" in err, err
    code, out, err = _compare([tmp_path / "nm_nanstate.mod", "--set", "nm_nanstate.k=50"], capsys)
    assert code == 0 and "same as NEURON" in out, out + err


#: A gate whose INITIAL is 0/0 with its parameters at their defaults, 0 (ModelDB 93326 shunt.mod's
#: vstart and k): NaN in NEURON from finitialize (the gate at t = 0; V, recorded before INITIAL,
#: from the first step), and here; the same in a point process.
NAN_GATE = """
NEURON { SUFFIX cmp_nandef NONSPECIFIC_CURRENT i RANGE g, k, vstart }
PARAMETER { g = 0.001 (S/cm2) k (mV) vstart (mV) }
ASSIGNED { v (mV) i (mA/cm2) }
STATE { m }
INITIAL { m = 1/(1 + exp(vstart/k)) }
BREAKPOINT { SOLVE states METHOD cnexp  i = g*m*(v + 80) }
DERIVATIVE states { m' = (1 - m)/5 }
"""
NAN_GATE_PP = (NAN_GATE.replace("SUFFIX cmp_nandef", "POINT_PROCESS cmp_nandefpp")
               .replace("g = 0.001 (S/cm2)", "g = 0.001 (uS)").replace("i (mA/cm2)", "i (nA)"))


def test_nan_at_the_defaults_names_neurons_nan_not_a_runaway(tmp_path, capsys):
    (tmp_path / "cmp_nandef.mod").write_text(NAN_GATE)
    (tmp_path / "cmp_nandefpp.mod").write_text(NAN_GATE_PP)
    code, out, err = _compare([tmp_path], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err, out + err
    # was "NEURON's V reached 65 mV: these mechanisms alone do not hold V" (65: the one sample before
    # the NaN), and the point process ended the folder with "reduce dt" (exit 1), NEURON never run
    assert "together, current clamp of 0.1 nA: not compared: the run became numerically unstable" in err, err
    assert ("NEURON's V is not finite either (cmp_nandef.m NaN from t = 0 ms, V from t = 0.025 ms): "
            "give the file's parameters values (--set cmp_nandef.NAME=VALUE)") in err, err
    assert ("cmp_nandefpp current clamp: not compared: the run became numerically unstable by t = 0 ms") in err, err
    assert ("NEURON's traces are not finite either (cmp_nandefpp.m NaN from t = 0 ms, V from t = 0.025 ms): "
            "give the file's parameters values (--set cmp_nandefpp.NAME=VALUE)") in err, err
    assert "reached 65" not in err and "reduce dt" not in err, err
    # the hint works: with k given, both files run and agree with NEURON (the protocol's 1e-6)
    code, out, err = _compare([tmp_path, "--set", "cmp_nandef.k=5", "--set", "cmp_nandefpp.k=5"], capsys)
    assert code == 0 and "same as NEURON" in out and "not compared" not in out, out + err


def test_a_folder_compares_its_other_files_beside_a_pointer_and_a_nan(tmp_path, capsys):
    # ModelDB Li & Cleland's GradeGABA.mod (POINTER vpre) ended the run for every file of its folder,
    # and 93326's shunt.mod (a point process NaN at its defaults) hid the others: now each is a note
    for name in ("nm_vpointer.mod", "nm_kca.mod"):
        (tmp_path / name).write_text((FLOOR.parent / name).read_text())
    (tmp_path / "cmp_nandefpp.mod").write_text(NAN_GATE_PP)
    code, out, err = _compare([tmp_path], capsys)
    assert code == 0 and err == "", out + err
    assert ("note: nm_vpointer: not compared: has POINTER vpre, the V of another place, which this protocol's "
            "one compartment cannot name: compare that model by script") in out, out
    assert "note: cmp_nandefpp current clamp: not compared: " in out, out
    rows = [ln.split() for ln in out.splitlines() if ln.startswith(("nm_kca clamp", "together"))]
    assert len(rows) == 6 and all(float(r[-1]) <= 1e-6 for r in rows), out  # v, q, ik twice; the 1e-6 bound
    assert "same as NEURON: 6 traces" in out and out.rstrip().endswith("; 2 not compared (notes)"), out


TONIC = """
NEURON { POINT_PROCESS cmp_tonic NONSPECIFIC_CURRENT i RANGE g, e }
PARAMETER { g = 0.002 (uS) e = -80 (mV) }
ASSIGNED { v (mV) i (nA) }
BREAKPOINT { i = g*(v - e) }
"""


def test_a_point_process_unstable_here_only_differs(tmp_path, capsys, monkeypatch):
    from excitable.errors import SimulationError
    from excitable.workflows import neuron_side_point

    def unstable(*args, **kwargs):  # excitable's side failing alone, NEURON's run being finite
        raise SimulationError("the run became numerically unstable by t = 1 ms: V reached nan mV; reduce dt")

    (tmp_path / "cmp_tonic.mod").write_text(TONIC)
    monkeypatch.setattr(neuron_side_point, "ours", unstable)
    code, out, err = _compare([tmp_path / "cmp_tonic.mod"], capsys)
    assert code == 1 and "Traceback" not in err, out + err
    assert "cmp_tonic current clamp  v" in out and "inf   > 1e-06: DIFFERS" in out, out
    assert ("note: cmp_tonic current clamp: the run became numerically unstable by t = 1 ms: V reached nan mV "
            "here, while NEURON's traces stayed finite") in out, out


def test_unstable_point_and_together_read_neurons_traces():
    import numpy as np

    from excitable.errors import SimulationError
    from excitable.workflows.neuron_compare import _unstable_together
    from excitable.workflows.neuron_compare_point import unstable
    from excitable.workflows.unstable_runs import unstable_clamp

    error = SimulationError("the run became numerically unstable by t = 0.05 ms: V reached nan mV; reduce dt")
    notes: list[str] = []
    # V past 1000 mV first, NaN after: a runaway (the drive), named by its finite peak, not the NaN
    away = {"v": np.array([-65.0, 3000.0, np.nan]), "x.m": np.array([0.1, 0.2, np.nan])}
    assert unstable("x train", error, away, 0.025, notes, "x") == []
    assert _unstable_together(error, away, 0.1, notes, dt=0.025) == []
    assert "NEURON's V reached 3000 mV: the compartment does not hold V" in notes[0], notes
    assert "NEURON's V reached 3000 mV: these mechanisms alone do not hold V" in notes[1], notes
    # under the voltage clamp: NEURON's V ran away too (nm_bpfilter.mod at g = 1e-3 S/cm2 at +20 mV,
    # 2.1e4 mV in NEURON 9.0.2): a note, no row; V in range and finite in NEURON: excitable differs
    assert not unstable_clamp("x clamp", 20.0, error, away, notes, dt=0.025)
    assert notes[-1] == ("x clamp (step to 20 mV): not compared: the run became numerically unstable by t = 0.05 "
                         "ms: V reached nan mV here, and NEURON's V reached 3000 mV: the model runs away under this "
                         "clamp in both")
    assert unstable_clamp("x clamp", 20.0, error, {"v": np.array([-65.0, 20.0, 20.0])}, notes, dt=0.025)
    assert notes[-1].endswith("here, while NEURON's traces stayed finite")
    notes[-2:] = []
    # an inf that is not V's, first at sample 2: named with its value and its time
    inf = {"v": np.array([-65.0, -64.0, -63.0]), "current:x.i": np.array([0.0, 1.0, np.inf])}
    assert unstable("x train", error, inf, 0.025, notes, "x") == []
    assert "not finite either (x.i inf from t = 0.05 ms): give the file's parameters values (--set x.NAME" in notes[2]
    # an artificial cell (no V of its own compared): its state's row differs
    cell = {"v": np.full(3, -65.0), "x.m": np.zeros(3), "spikes": np.array([])}
    assert unstable("x train", error, cell, 0.025, notes, "x") == [("x train", "x.m", float("inf"))]


#: A Ca2+ pool whose file holds VERBATIM C (as many ModelDB pools do), and a current drawing random
#: numbers (normrand): excitable refuses both at file:line, as ``mod check`` lists them.
VERBATIM_POOL = """
NEURON { SUFFIX cmp_verbpool USEION ca READ ica WRITE cai RANGE tau }
PARAMETER { tau = 20 (ms) }
ASSIGNED { ica (mA/cm2) }
STATE { cai (mM) }
INITIAL { cai = 5e-5 }
VERBATIM
static int calls = 0;
ENDVERBATIM
BREAKPOINT { SOLVE states METHOD cnexp }
DERIVATIVE states { cai' = -ica*0.01 - (cai - 5e-5)/tau }
"""
NOISE = """
NEURON { SUFFIX cmp_noise NONSPECIFIC_CURRENT i RANGE g }
PARAMETER { g = 0.0001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { set_seed(1) i = g*normrand(0, 1)*(v + 65) }
"""


def _refusal(path) -> str:
    """The line ``excitable mod check`` prints for the file's (first) unsupported construct."""
    from excitable.io.nmodl.check import check_file

    return next(ln.strip() for ln in check_file(path)[0] if ln.endswith("not supported"))


def test_a_folder_compares_its_other_files_beside_refused_ones(tmp_path, capsys):
    # a ModelDB folder with a file excitable refuses ended with that file's one line (exit 2) and
    # compared nothing: now each refused file is a note and the others are compared
    (tmp_path / "cmp_verbpool.mod").write_text(VERBATIM_POOL)
    (tmp_path / "cmp_noise.mod").write_text(NOISE)
    (tmp_path / "nm_kca.mod").write_text((FLOOR.parent / "nm_kca.mod").read_text())
    # a --set of a refused file is the user's (it would apply in their own model), not an error
    code, out, err = _compare([tmp_path, "--set", "cmp_verbpool.tau=5"], capsys)
    assert code == 0 and err == "", out + err  # same as NEURON over what was compared: 0, as POINTER notes
    pool, noise = _refusal(tmp_path / "cmp_verbpool.mod"), _refusal(tmp_path / "cmp_noise.mod")
    assert pool.startswith(f"{tmp_path / 'cmp_verbpool.mod'}:7: VERBATIM"), pool
    assert noise.startswith(f"{tmp_path / 'cmp_noise.mod'}:5: set_seed()"), noise
    kept = ("; inserted on neither side (left out of NEURON's build too), so the other files are compared "
            "without it")
    assert f"note: cmp_noise: not compared: {noise}{kept}\n" in out, out
    # nm_kca's cai is the refused pool's: the note says nm_kca ran without it (its declarations say so)
    assert (f"note: cmp_verbpool: not compared: {pool}{kept} (nm_kca reads cai, which this file writes: "
            "compared with the ion as the other files alone leave it, not as in the folder's cell)") in out, out
    rows = [ln.split() for ln in out.splitlines() if ln.startswith(("nm_kca clamp", "together"))]
    assert len(rows) == 6 and all(float(r[-1]) <= 1e-6 for r in rows), out  # v, q, ik twice; the 1e-6 bound
    assert "same as NEURON: 6 traces" in out and out.rstrip().endswith("; 2 not compared (notes)"), out


def test_nothing_but_refused_files_is_one_line(tmp_path, capsys):
    (tmp_path / "cmp_verbpool.mod").write_text(VERBATIM_POOL)
    (tmp_path / "cmp_noise.mod").write_text(NOISE)
    pool, noise = _refusal(tmp_path / "cmp_verbpool.mod"), _refusal(tmp_path / "cmp_noise.mod")
    code, out, err = _compare([tmp_path / "cmp_verbpool.mod"], capsys)  # one file: its refusal, as before
    assert code == 2 and out == "" and err == f"excitable: error: {pool}\n", out + err
    code, out, err = _compare([tmp_path], capsys)  # a folder: every file's reason on the one line
    assert code == 2 and out == "" and err == (f"excitable: error: mod compare: nothing could be compared: "
                                               f"cmp_noise: not compared: {noise} | "
                                               f"cmp_verbpool: not compared: {pool}\n"), out + err
    (tmp_path / "nm_vpointer.mod").write_text((FLOOR.parent / "nm_vpointer.mod").read_text())
    code, out, err = _compare([tmp_path], capsys)  # refused and POINTER files only: still nothing compared
    assert code == 2 and out == "" and err.count("\n") == 1 and "| nm_vpointer: not compared: has POINTER" in err, err
    # a bad --tables entry is the user's input, not the file's: the whole call's one line, as before
    (tmp_path / "t.json").write_text('{"cmp_tonic": {"t": 1}}')
    (tmp_path / "cmp_tonic.mod").write_text(TONIC)
    code, out, err = _compare([tmp_path / "cmp_tonic.mod", tmp_path / "nm_vpointer.mod", "--tables",
                               tmp_path / "t.json"], capsys)
    assert code == 2 and err == ("excitable: error: tables: cmp_tonic is a point process; only density "
                                 "mechanisms take FUNCTION_TABLEs\n"), out + err


def test_two_pools_writing_one_ion_are_each_compared_alone(capsys):
    # a ModelDB folder with two Ca pools (50997's cad and cas) stopped with "both write cai" (exit 2)
    # and compared nothing; now each pool runs its clamp family and the together-run is a note
    pools = [FLOOR.parent / "nm_cadecay.mod", FLOOR.parent / "nm_cadparam.mod"]
    code, out, err = _compare(pools, capsys)
    assert code == 0 and err == "", out + err
    assert ("note: together, current clamp: not run: nm_cadecay and nm_cadparam both write cai; each was "
            "compared alone above") in out, out
    assert "nm_cadecay clamp" in out and "nm_cadparam clamp" in out and "together, current clamp  v" not in out, out


def test_a_run_neuron_cannot_repeat_under_round_off_says_so():
    """``unstable_runs.round_off_notes``: a note where NEURON's own V moves past the tolerance when only
    the step is nudged by 1e-12 of itself; none where it holds (a difference is then excitable's)."""
    import numpy as np

    from excitable.workflows.unstable_runs import nudged, round_off_notes

    assert nudged((2.0, 20.0, 0.1)) == (2.0, 20.0, 0.1 + 1e-13) and nudged((2.0, 20.0, 0.0))[2] == 1e-15
    base = {"v": np.array([-65.0, -60.0, 20.0])}
    assert round_off_notes({"v": base["v"] + 1e-12}, base, 1e-6) == []
    note = round_off_notes({"v": np.array([-65.0, -60.0, -64.0])}, base, 1e-6)
    assert len(note) == 1 and note[0].startswith("together, current clamp: NEURON's own V moves by 1.29 of its scale")  # 84 mV of 65
    assert round_off_notes({"v": np.array([-65.0, np.nan, 1.0])}, base, 1e-6)[0].count("moves by inf") == 1


@pytest.mark.neuron
def test_a_breakpoint_filter_neuron_runs_by_round_off_is_named_as_such(capsys):
    """nm_bpfilter.mod at its g (1e-3 S/cm2): NEURON's slope from BREAKPOINT's two runs passes -C/dt
    (tests/reference/mod/nm_bpfilter.mod's header), so its current-clamp run is decided by round-off
    (excitable's is too: 11 times V's scale apart) and its +20 mV clamp runs away in both. mod compare
    says DIFFERS, as it must, and says why in two notes."""
    code, out, err = _compare([Path(__file__).parents[1] / "reference" / "mod" / "nm_bpfilter.mod"], capsys)
    assert code == 1, out + err
    assert "NEURON's V reached" in out and "the model runs away under this clamp in both" in out, out
    assert "note: together, current clamp: NEURON's own V moves by" in out and "decided by round-off" in out, out
