"""The command line: listing, running, JSON output, reports, and one-line errors with exit code 2."""

import json
import os
import subprocess
import sys

import pytest

from excitable.interfaces.cli.main import main

EXE = [sys.executable, "-m", "excitable.interfaces.cli"]


def run_cli(*args, cwd=None):
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([*EXE, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def test_list_shows_the_experiments(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "action-potential" in out and "all-or-none" in out


def test_run_json_has_the_summary_keys(capsys):
    assert main(["run", "action-potential", "--json", "--set", "tstop=25"]) == 0
    summary = json.loads(capsys.readouterr().out)
    for key in ("rest_mV", "peak_mV", "undershoot_mV", "half_width_ms", "threshold_mV", "n_spikes",
                "spike_times_ms"):
        assert key in summary
    assert summary["n_spikes"] == 1


def test_run_out_writes_report(tmp_path, capsys):
    out = tmp_path / "ap"
    assert main(["run", "action-potential", "--set", "tstop=20", "--out", str(out)]) == 0
    for name in ("summary.json", "traces.csv", "figure.png", "figure.svg"):
        assert (out / name).stat().st_size > 100
    header = (out / "traces.csv").read_text().splitlines()[0]
    assert header.startswith("t (ms),v,") and "NaTraub.m" in header and "NaTraub.ina" in header  # textbook
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


@pytest.mark.parametrize("args, field", [
    (["run", "action-potential", "--set", "dt=-1"], "dt"),
    (["run", "action-potential", "--set", "dt=0"], "dt"),
    (["run", "action-potential", "--set", "amplitude=abc"], "amplitude"),
    (["run", "action-potential", "--set", "amplitude=nan"], "amplitude"),
    (["run", "action-potential", "--set", "model=frog"], "model"),
    (["run", "action-potential", "--set", "nonsense=1"], "nonsense"),
    (["run", "action-potential", "--set", "novalue"], "novalue"),
    (["run", "no-such-experiment"], "no-such-experiment"),
    (["run", "action-potential", "--bogus"], "--bogus"),
])
def test_bad_input_is_one_line_exit_2(args, field, tmp_path):
    out = tmp_path / "report"
    proc = run_cli(*args, "--out", str(out)) if "--bogus" not in args else run_cli(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()  # nothing half-written


def test_params_lists_units(capsys):
    assert main(["run", "all-or-none", "--params"]) == 0
    assert "uA/cm2" in capsys.readouterr().out


def test_python_api_mirrors_the_cli():
    from excitable import experiments

    res = experiments.run("action-potential", tstop=20.0)
    df = res.to_dataframe()
    assert df.index.name == "t (ms)" and {"v", "NaTraub.m", "NaTraub.ina"} <= set(df.columns)  # textbook
    assert abs(df["v"].iloc[0] - res.summary["rest_mV"]) < 1e-6
    fig = res.figure()
    assert len(fig.axes) >= 4


def test_text_summary_prints_sentences_one_to_a_line(capsys):
    """run model's notes (files left out) are sentences: one per line under the key, not a Python
    list; long numeric lists are still shortened."""
    from types import SimpleNamespace

    from excitable.interfaces.cli.run import _print_summary

    notes = ["verb: not loaded: verb.mod:3: VERBATIM", "pool: not loaded: pool.mod:9: WATCH"]
    _print_summary(SimpleNamespace(summary={"n_spikes": 2, "notes": notes, "t": list(range(10)),
                                            "mechanisms": ["hh", "pas"]}))
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:4] == ["notes", f"  {notes[0]}", f"  {notes[1]}"], lines
    assert lines[0].split() == ["n_spikes", "2"] and lines[4].split() == ["t", "[10", "values]"]
    assert lines[5].split() == ["mechanisms", "['hh',", "'pas']"], lines  # names, not sentences: one line
