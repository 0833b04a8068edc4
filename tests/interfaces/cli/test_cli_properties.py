"""Property-based: whatever a user types, the command line answers with a result or one line, exit 2.

Random and malformed ``--set`` strings, parameter values (huge, NaN, inf, negative, empty, unicode,
NUL), ``--grid`` specs and ``--out`` names go to ``main([...])`` in this process. The only outcomes
allowed are exit 0, or exit 2 with exactly one line on stderr (``excitable: error: ...``): never a
traceback, never another status, and each answer within a second (Hypothesis' deadline). Only the
checking is exercised: an experiment's protocol (``experiments.get``) and the sweep itself are
replaced by stubs that record what they were given, so an accepted input costs no simulation, and the
properties also check what got through: every value obeys its parameter's own rules, and a grid is
within the ``grid`` limit, its values distinct.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import tempfile
import tracemalloc
import types
from pathlib import Path
from unittest import mock

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from excitable import experiments, limits
from excitable.interfaces.cli.main import main
from excitable.results import Result
from excitable.workflows import sweeping as sweep_module

NAMES = experiments.names()
#: ~150 examples per property keep this file under ~20 s; no example database is written.
FAST = settings(max_examples=150, deadline=1000, database=None,
                suppress_health_check=[HealthCheck.too_slow])

TRICKY = ["", " ", "nan", "NaN", "-inf", "inf", "1e400", "-1e400", "1e-400", "1e308", "-0", "0", "-1",
          "1e9", "99999999999999999999999", "true", "no", "hh", "textbook", "１２", "٣", "0x10", "1_000",
          " 5 ", "5\n", "\n", "\x00", "a\x00b", "=", "==", "é", "𝟘", "-", "--", "1,2", "1:2:3", "None"]


def values():
    return st.one_of(st.sampled_from(TRICKY), st.sampled_from(TRICKY),
                     st.floats(allow_nan=True, allow_infinity=True).map(repr),
                     st.integers(-10**30, 10**30).map(str),
                     st.text(max_size=12))


def sets_for(name: str):
    keys = st.sampled_from(list(experiments.declaration(name).params))
    pair = st.builds(lambda k, v: f"{k}={v}", st.one_of(keys, keys, keys, st.text(max_size=8)), values())
    # mostly well-formed pairs (the values are the hard part), sometimes any text at all
    return st.lists(st.one_of(pair, pair, pair, st.text(max_size=16)), max_size=3)


def outcome(argv: list[str]) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``main(argv)``; argparse's SystemExit is a status too."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as e:
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


def assert_result_or_one_line(rc, err) -> None:
    assert rc in (0, 2), (rc, err)
    assert "Traceback" not in err
    if rc == 2:
        lines = err.strip("\n").split("\n")
        assert len(lines) == 1 and lines[0].startswith("excitable: error: "), err


def obeys(param, key, value) -> bool:
    """``value`` is what the parameter's own rules make of it (coercing it again changes nothing)."""
    return param.coerce(key, value) == value and (not isinstance(value, float) or math.isfinite(value))


@contextlib.contextmanager
def stub_protocols():
    """``experiments.get`` -> a module whose ``run`` records its parameters and returns a tiny Result."""
    seen = []

    def run(**params):
        seen.append(params)
        return Result(t=np.arange(3.0), traces={"v": np.zeros(3)}, summary={"peak_mV": 1.0})

    def get(name):
        return types.SimpleNamespace(EXPERIMENT=experiments.declaration(name), run=run)

    with mock.patch.object(experiments, "get", get), mock.patch.dict(os.environ, {"EXCITABLE_SERVER": "0"}):
        yield seen


def check_run(name: str, sets: list[str], as_json: bool = False) -> None:
    argv = ["run", name, *(f"--set={s}" for s in sets), *(["--json"] if as_json else [])]
    with stub_protocols() as seen:
        rc, out, err = outcome(argv)
    assert_result_or_one_line(rc, err)
    if rc == 0:  # what reached the protocol obeys every rule of the declaration
        declared = experiments.declaration(name)
        (params,) = seen
        assert set(params) == set(declared.params)
        assert all(obeys(declared.params[k], k, v) for k, v in params.items() if v is not None)
    else:
        assert not seen  # refused before the protocol was asked


@FAST
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_any_value_of_any_parameter_is_a_result_or_one_line(data, name):
    key = data.draw(st.sampled_from(list(experiments.declaration(name).params)))
    check_run(name, [f"{key}={data.draw(values())}"])


@FAST
@given(data=st.data(), name=st.sampled_from(NAMES), as_json=st.booleans())
def test_any_set_strings_are_a_result_or_one_line(data, name, as_json):
    check_run(name, data.draw(sets_for(name)), as_json)


def specs_for(name: str):
    keys = list(experiments.declaration(name).params)
    numbers = st.one_of(st.sampled_from(["nan", "inf", "-1e400", "1e308", "", "x", "0", "-0"]),
                        st.floats(allow_nan=True, allow_infinity=True).map(repr),
                        st.integers(-10**6, 10**6).map(str))
    # counts just over the limit (1e5) cost ~100 MB and seconds if the grid were built before counted
    counts = st.one_of(st.integers(-3, 300).map(str), st.integers(100_001, 3_000_000).map(str),
                       st.integers(10**6, 10**30).map(str),
                       st.sampled_from(["", "x", "1e3", "2.5", "0x10"]))
    ranged = st.builds(lambda a, b, n: f"{a}:{b}:{n}", numbers, numbers, counts)
    listed = st.lists(values(), min_size=1, max_size=5).map(",".join)
    rhs = st.one_of(ranged, listed, st.text(max_size=16))
    spec = st.builds(lambda k, r: f"{k}={r}", st.one_of(st.sampled_from(keys), st.text(max_size=8)), rhs)
    return st.lists(st.one_of(spec, st.text(max_size=16)), min_size=0, max_size=3)


@FAST
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_any_grid_is_a_sweep_within_the_limit_or_one_line(data, name):
    specs = data.draw(specs_for(name))
    handed = []

    def fake_sweep(experiment, axes, **kw):
        handed.append(axes)
        return sweep_module.SweepResult([], [])

    with tempfile.TemporaryDirectory() as tmp, stub_protocols(), \
            mock.patch.object(sweep_module, "sweep", fake_sweep):
        tracemalloc.start()
        try:
            rc, out, err = outcome(["sweep", name, *(f"--grid={s}" for s in specs), "--out", tmp])
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert os.listdir(tmp) == []  # the stub wrote nothing, and neither did the checks
    assert_result_or_one_line(rc, err)
    assert peak < 64 * 2**20, peak  # a refused grid is never built (1e8 values would be 800 MB)
    if rc == 0:
        (axes,) = handed
        declared = experiments.declaration(name)
        assert math.prod(len(a.values) for a in axes) <= limits.limit("grid")
        for a in axes:
            assert len(set(a.values)) == len(a.values) >= 1
            assert all(obeys(declared.params[a.key], a.key, v) for v in a.values)
    else:
        assert not handed


names_in_a_folder = st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
                            max_size=20).filter(lambda s: s not in (".", ".."))


@FAST
@given(out=st.one_of(names_in_a_folder, st.sampled_from(["", " ", "a\x00b", "afile", "afile/x", "new/deeper"])))
def test_any_out_name_is_a_report_or_one_line(out):
    with tempfile.TemporaryDirectory() as tmp, stub_protocols():
        (Path(tmp) / "afile").write_text("a file, not a folder\n")
        old = os.getcwd()
        os.chdir(tmp)
        try:
            rc, _, err = outcome(["run", "action-potential", "--out", out])
        finally:
            os.chdir(old)
        assert_result_or_one_line(rc, err)
        left = sorted(p.name for p in Path(tmp).iterdir())
        if rc == 0:  # the report, whole, where it was asked for
            assert (Path(tmp) / out / "summary.json").is_file()
        else:
            assert left == ["afile"]  # nothing made, not even the probe
