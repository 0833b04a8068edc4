"""What a newcomer meets first (issue 16, item 7): the help lists the experiments, names are accepted
as Python spells them, paths print clean, defaults that depend on the model say so."""

from __future__ import annotations

import os
import subprocess
import sys

from excitable import experiments
from excitable.interfaces.cli.main import main


def test_a_name_with_underscores_runs_in_the_cli(capsys):
    assert main(["run", "action_potential", "--params"]) == 0
    assert capsys.readouterr().out.startswith("action-potential: ")


def test_list_is_in_the_tours_order_with_each_question(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == experiments.names()
    for line, (name, declared) in zip(lines, experiments.declarations().items()):
        assert line.endswith(declared.question), line


def test_run_help_lists_every_experiment_with_its_question_and_no_jax():
    code = ("import sys\nfrom excitable.interfaces.cli.main import main\n"
            "try:\n    main(['run', '--help'])\nexcept SystemExit:\n    pass\n"
            "print('HEAVY', sorted(m for m in ('jax', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, COLUMNS="200")).stdout
    assert out.rstrip().endswith("HEAVY []"), out
    positions = [out.index(f"  {name} ") for name in experiments.names()]
    assert positions == sorted(positions), "not in the tour's order"
    assert experiments.declaration("action-potential").question in out


def test_list_imports_neither_jax_nor_numpy():
    """``excitable list`` answers from the declarations alone (issue 16 asks < 0.3 s; its time is
    measured in benchmarks/bench_cli.py, not asserted here): what makes it quick is that it imports
    neither JAX nor NumPy."""
    code = ("import sys\nfrom excitable.interfaces.cli.main import main\nmain(['list'])\n"
            "print('HEAVY', sorted(m for m in ('jax', 'numpy') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, EXCITABLE_SERVER="0"))
    assert proc.returncode == 0 and proc.stdout.rstrip().endswith("HEAVY []"), proc.stdout + proc.stderr


def test_the_written_paths_print_clean(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "action-potential", "--set", "tstop=15", "--out", "ap/"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {os.path.join('ap', 'summary.json')}, traces.csv" in out and "//" not in out


def test_params_say_what_a_model_dependent_default_is(capsys):
    from excitable.experiments.common.models import MODELS, single_compartment

    assert main(["run", "action-potential", "--params"]) == 0
    out = capsys.readouterr().out
    assert " = None" not in out
    line = next(line for line in out.splitlines() if line.strip().startswith("temperature ="))
    for model in MODELS:  # the note is true to the models it describes
        assert f"{single_compartment(model).temperature:g} for {model}" in line, line


def test_reported_floats_have_the_precision_of_the_model(tmp_path, capsys):
    import json

    import numpy as np

    from excitable.results import SUMMARY_DIGITS, Result, jsonable

    summary = {"a_mV": 9.850000000000001, "b": [np.float64(0.1 + 0.2), 1e-7 / 3], "n": 3, "ok": True,
               "none": float("nan")}
    assert jsonable(summary, SUMMARY_DIGITS) == {"a_mV": 9.85, "b": [0.3, 3.33333e-08], "n": 3, "ok": True,
                                                 "none": None}
    assert jsonable(summary)["a_mV"] == 9.850000000000001  # computing with it keeps every digit
    assert '"a_mV": 9.85,' in Result(np.zeros(1), {}, summary).to_json()
    assert main(["run", "action-potential", "--json", "--set", "tstop=15"]) == 0
    printed = capsys.readouterr().out
    for value in json.loads(printed).values():
        for x in value if isinstance(value, list) else [value]:
            assert not isinstance(x, float) or float(f"{x:.{SUMMARY_DIGITS}g}") == x, printed


def test_an_unknown_trace_names_the_recorded_ones():
    import numpy as np
    import pytest

    from excitable.errors import ModelError
    from excitable.results import Result

    res = Result(np.zeros(2), {"v": np.zeros(2), "HH.m": np.zeros(2)})
    with pytest.raises(ModelError, match=r"^no trace 'vm' in this result; recorded: v, HH.m$"):
        res["vm"]
    with pytest.raises(KeyError):  # still a KeyError for code that looks up and falls back
        res["vm"]
