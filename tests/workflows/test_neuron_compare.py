"""``excitable mod compare``: a user's .mod files run by NEURON (compiled by nrnivmodl) and by
excitable side by side, every trace compared.

- The ball-and-stick mechanisms of tests/reference/mod/model (a Na, a delayed rectifier, an HVA Ca
  channel and a decaying Ca pool, written for these tests) agree with NEURON within the issue's
  1e-6 of each trace's scale, and the current step fires on both sides at the same times (0.05 ms).
- The comparison can fail: a copy of the neuron wheel's hh.mod with gnabar 0.10 instead of 0.12
  keeps NEURON's name, so NEURON runs its built-in hh (the note says so) while excitable runs the
  file; the table says DIFFERS and the exit status is 1.
- Mechanisms that run away together under the current clamp (a Ca2+ channel and pool, no K+
  current) on both sides keep their clamps' rows and get a note; a runaway NEURON does not share
  is a difference.
- Bad input is one line with exit status 2: an unknown mechanism or parameter in --set, a value
  that is not a number, a temperature out of range, a file with a construct excitable refuses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from excitable.interfaces.cli.main import main

pytestmark = pytest.mark.neuron
MOD = Path(__file__).parents[1] / "reference" / "mod"
MODEL = MOD / "model"


def _compare(argv, capsys):
    pytest.importorskip("neuron")
    code = main(["mod", "compare", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_ball_and_stick_mechanisms_give_neurons_numbers(capsys):
    code, out, err = _compare([MODEL, "--celsius", "34", "--amplitude", "0.05"], capsys)
    if code == 2 and "nrnivmodl" in err:
        pytest.skip(err)  # NEURON's compiler (or a C compiler) is missing here
    assert code == 0, out
    assert "same as NEURON" in out
    spikes = [ln for ln in out.splitlines() if ln.startswith("spikes")][0]
    ours, neuron = spikes.split("NEURON")
    assert " 0 [" not in ours and " 0 [" not in neuron, spikes  # the comparison covers spikes
    rows = [ln for ln in out.splitlines() if ln.startswith(("bs_", "together"))]
    assert len(rows) >= 15  # every state and current of the four files, alone and together
    assert any("bs_cad.cai" in r for r in rows) and any(" ica " in r for r in rows)


def test_a_different_model_is_reported(tmp_path, capsys):
    import importlib.util

    wheel = Path(next(iter(importlib.util.find_spec("neuron").submodule_search_locations)))
    text = (wheel / ".data" / "share" / "modfile" / "hh.mod").read_text()
    assert "gnabar = .12" in text
    (tmp_path / "hh.mod").write_text(text.replace("gnabar = .12", "gnabar = .10"))
    code, out, _ = _compare([tmp_path / "hh.mod", "--celsius", "6.3"], capsys)
    assert code == 1, out
    assert "DIFFERS from NEURON" in out and "NEURON runs that one, not the file" in out


@pytest.mark.parametrize("argv, words", [
    (["--set", "nope.gbar=1"], "no mechanism 'nope'"),
    (["--set", "bs_na.gmax=1"], "bs_na has no parameter 'gmax'"),
    (["--set", "bs_na.gbar=lots"], "'lots' is not a number"),
    (["--celsius", "500"], "celsius = 500.0 is outside"),
])
def test_bad_settings_are_one_line(argv, words, capsys):
    code, out, err = _compare([MODEL / "bs_na.mod", *argv], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and words in err, err


def test_a_refused_construct_names_its_line(tmp_path, capsys):
    bad = tmp_path / "bad.mod"
    bad.write_text((MODEL / "bs_na.mod").read_text().replace("BREAKPOINT {", "VERBATIM\nstatic int calls;\nENDVERBATIM\nBREAKPOINT {", 1))
    code, _, err = _compare([bad], capsys)
    assert code == 2 and err.count("\n") == 1 and "bad.mod:" in err and "VERBATIM" in err, err


#: A whole model for --cell: NEURON's built-in hh on the shipped allen-scnn1a reconstruction, with the
#: ball-and-stick Ca channel, K channel and Ca pool in the soma (BluePyOpt's spelling). The pool is
#: listed last, so it is inserted after the Ca channel (NEURON runs concentration writers first).
WHOLE = ([{"param_name": f"{k}_hh", "sectionlist": "all", "type": "range", "value": v}
          for k, v in (("gnabar", 0.12), ("gkbar", 0.036), ("gl", 0.0003))]
         + [{"param_name": "gbar_bs_cahva", "sectionlist": "somatic", "type": "range", "value": 0.0008},
            {"param_name": "gbar_bs_kdr", "sectionlist": "somatic", "type": "range", "value": 0.01},
            {"param_name": "gamma_bs_cad", "sectionlist": "somatic", "type": "range", "value": 0.05},
            {"param_name": "cm", "sectionlist": "basal", "type": "section", "value": 2.0},
            {"param_name": "Ra", "sectionlist": "all", "type": "section", "value": 120.0},
            {"param_name": "celsius", "type": "global", "value": 10.0},
            {"param_name": "v_init", "type": "global", "value": -65.0}])


def test_a_whole_model_gives_neurons_spike_times(tmp_path, capsys):
    import json

    params = tmp_path / "parameters.json"
    params.write_text(json.dumps(WHOLE))
    code, out, err = _compare([MODEL, "--cell", "allen-scnn1a", "--parameters", params, "--amplitude", "0.5",
                               "--tstop", "60"], capsys)
    if code == 2 and "nrnivmodl" in err:
        pytest.skip(err)
    assert code == 0, out + err
    assert "same as NEURON" in out and "could not parse" not in out  # NEURON's Import3d noise kept out
    ours = [ln for ln in out.splitlines() if ln.startswith("spikes: excitable")][0]
    assert int(ours.split()[2]) >= 3, ours  # the step fires the cell repeatedly: several times compared


def test_cell_and_parameters_go_together(capsys):
    code, out, err = _compare([MODEL, "--cell", "allen-scnn1a"], capsys)
    assert code == 2 and out == "" and "--cell and --parameters go together" in err and err.count("\n") == 1


def test_a_conserved_state_at_round_off_is_measured_against_the_laws_total():
    # Closed forms: a state near 1e-14 of its CONSERVE total 1, 1e-16 apart (the total's last
    # bits), is 1e-16 of that total, not 1e-2 of itself; a difference beyond the total's round-off
    # (1e-10 on a 1e-3 state) stays relative to the state's own magnitude.
    from excitable.io.nmodl import load_mod
    from excitable.workflows.neuron_compare import conserve_groups, worst

    kin = load_mod(Path(__file__).parents[1] / "reference" / "mod" / "nm_kinrate.mod")
    groups = conserve_groups({"nm_kinrate": kin})
    assert set(groups["nm_kinrate.O"]) == {"nm_kinrate.C", "nm_kinrate.O"}
    assert set(groups["nm_kinrate.P1"]) == {"nm_kinrate.P0", "nm_kinrate.P1"}
    assert worst([0.0, 1e-14 + 1e-16], [0.0, 1e-14], total=1.0) == pytest.approx(1e-16, rel=1e-2)
    assert worst([0.0, 1e-3 + 1e-10], [0.0, 1e-3], total=1.0) == pytest.approx(1e-7, rel=1e-4)
    assert worst([0.0, 1e-14 + 1e-16], [0.0, 1e-14]) == pytest.approx(1e-2, rel=1e-2)


def test_a_current_is_measured_on_at_least_the_floor_that_v_can_see():
    # Closed forms: a pump current of 0 in NEURON and 1e-20 mA/cm2 here is 1e-11 of the 1e-9
    # mA/cm2 floor; a 1e-3 mA/cm2 current 1e-9 apart stays 1e-6 of its own magnitude.
    from excitable.io.nmodl import load_mod
    from excitable.workflows.neuron_compare import CURRENT_FLOOR_MA_CM2, current_traces, worst

    assert worst([0.0, 1e-20], [0.0, 0.0], floor=CURRENT_FLOOR_MA_CM2) == pytest.approx(1e-11, rel=1e-9)
    assert worst([0.0, 1e-3 + 1e-9], [0.0, 1e-3], floor=CURRENT_FLOOR_MA_CM2) == pytest.approx(1e-6, rel=1e-6)
    kin = load_mod(Path(__file__).parents[1] / "reference" / "mod" / "nm_kinrate.mod")
    found = current_traces({"nm_kinrate": kin})  # ASSIGNED in mA/cm2: ik, not the rates (/ms)
    assert "nm_kinrate.ik" in found and "nm_kinrate.a" not in found


def test_a_point_process_whose_kinetic_rate_reads_a_state_gives_neurons_numbers(capsys):
    # nm_kinrate_pp.mod (ours): without the rates at the step's start (expressions.kinetic_block)
    # O was 3e-2 of its range from NEURON's; now float64 round-off (measured 5e-13), under the 1e-6.
    code, out, err = _compare([MOD / "nm_kinrate_pp.mod", "--celsius", "16"], capsys)
    if code == 2 and "nrnivmodl" in err:
        pytest.skip(err)  # NEURON's compiler (or a C compiler) is missing here
    assert code == 0, out
    rows = [ln.split() for ln in out.splitlines() if ln.startswith("nm_kinrate_pp")]
    assert any(r[-2] == "nm_kinrate_pp.O" for r in rows), out
    assert all(float(r[-1]) <= 1e-6 for r in rows), out


def test_mechanisms_that_run_away_together_keep_their_clamp_rows(capsys):
    """A Ca2+ channel and a pool with no K+ current: under 0.1 nA, V runs away on both sides (NEURON's
    past 1000 mV, ours too since an emptied pool follows NEURON's Nernst rule). The clamps are still compared, and a note says why the current clamp
    is not (before, the instability aborted the whole comparison)."""
    code, out, _ = _compare([MOD / "nm_cadecay.mod", MODEL / "bs_cahva.mod"], capsys)
    assert code == 0, out
    assert "bs_cahva clamp" in out and "together, current clamp of 0.1 nA: not compared" in out
    assert "NEURON's V reached" in out and "together, current clamp  v" not in out


def test_a_run_away_that_neuron_does_not_share_is_a_difference():
    """Where NEURON's V stayed in range, excitable's instability is a difference (an infinite row)."""
    import numpy as np

    from excitable.errors import SimulationError
    from excitable.workflows.neuron_compare import _unstable_together

    notes: list[str] = []
    rows = _unstable_together(SimulationError("the run became numerically unstable; reduce dt"),
                              {"v": np.linspace(-65.0, 30.0, 50)}, 0.1, notes)
    assert [(r.trace, r.difference) for r in rows] == [("v", float("inf"))]
    assert "stayed within 65 mV" in notes[0]
    assert _unstable_together(SimulationError("x"), {"v": np.array([-65.0, np.nan])}, 0.1, []) == []


@pytest.mark.parametrize("path", [Path(__file__).parents[1] / "io" / "nmodl" / "mod_events" / "pt_gap.mod",
                                  MOD / "nm_vpointer.mod"])
def test_a_pointer_is_one_line_saying_to_compare_by_script(path, capsys):
    # A POINTER names another place's V, which the one-compartment protocol has not: exit 2 before
    # NEURON compiles anything (the unset POINTER's own message would point at Network.pointer,
    # which mod compare cannot call).
    code, out, err = _compare([path], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "has POINTER" in err and "compare that model by script" in err
