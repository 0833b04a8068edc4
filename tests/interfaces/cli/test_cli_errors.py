"""The command line refuses what it cannot do before it starts, and says so in one line with exit 2.

- ``--out`` (run, sweep, tour) is checked before any computing: a file, a path under a file, an
  impossible or unwritable place, an empty string.
- A full disk while saving, MemoryError and OSError anywhere: one line, exit 2, nothing half-written.
- Work beyond a limit is refused with the estimate: a grid is counted before it is built; a long
  ``tstop`` or a huge ``ncomp`` is refused by the engine's estimate (``excitable.limits``).
- A rejected ``--set``, ``--params`` and ``list`` import no JAX (a subprocess reports its modules).
- An interrupted tour leaves a page marked incomplete, never an older tour's page.

Experiments that need no simulation (fakes registered like ``test_tour.py``'s) keep most tests fast.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
import tracemalloc
import types
from pathlib import Path

import numpy as np
import pytest

from excitable import experiments
from excitable.errors import ModelError
from excitable.experiments.base import Experiment, Param
from excitable.interfaces.cli.main import main
from excitable.limits import LIMITS
from excitable.results import Result


#: Runs main() for each argv of a JSON list and writes, to the file named first, the exit statuses, the
#: seconds, the peak resident memory and which heavy packages were imported (the test process itself
#: imports JAX in conftest.py, so this must be another process). The third argument caps its address
#: space (bytes; 0: no cap), set here rather than in a preexec_fn (a fork of the JAX-threaded test
#: process could deadlock).
DRIVER = """
import json, resource, sys, time
cap = int(sys.argv[3])
if cap:
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from excitable.interfaces.cli.main import main


def peak_mb():
    # VmHWM is this process image's own peak: getrusage's ru_maxrss survives exec on Linux, so in
    # a child of a large test process it reports the parent's peak (seen: 1.6 GB for a 0.2-GB run).
    with open("/proc/self/status") as f:
        return next(int(ln.split()[1]) for ln in f if ln.startswith("VmHWM:")) / 1024


report, argvs = sys.argv[1], json.loads(sys.argv[2])
t0 = time.perf_counter()
rcs = []
for argv in argvs:
    try:
        rcs.append(main(argv))
    except SystemExit as e:
        rcs.append(e.code)
json.dump({"rc": rcs, "seconds": time.perf_counter() - t0,
           "maxrss_mb": peak_mb(),
           "modules": sorted(m for m in ("jax", "jaxlib", "numpy", "matplotlib") if m in sys.modules)},
          open(report, "w"))
"""


def drive(tmp_path, *argvs, timeout=120, memory_cap_gb=None, env=None):
    """Run ``main(argv)`` for each argv in a fresh interpreter: (report dict, stderr lines)."""
    report = tmp_path / f"report-{time.monotonic_ns()}.json"
    # the cap is a safety net: without the engine's check a huge request must not swap the machine
    cap = int((memory_cap_gb or 0) * 2**30)
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(report), json.dumps(list(argvs)), str(cap)],
                          capture_output=True, text=True, timeout=timeout, cwd=tmp_path,
                          env={**os.environ, "EXCITABLE_SERVER": "0", "MPLBACKEND": "Agg", **(env or {})})
    assert report.exists(), proc.stderr[-3000:]
    return json.loads(report.read_text()), proc.stderr.strip().splitlines()


def call(argv) -> int:
    """main(argv), with argparse's SystemExit turned into its status."""
    try:
        return main(argv)
    except SystemExit as e:
        return e.code


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("excitable: error: "), err
    return err[0]


# --- fake experiments (no simulation) ----------------------------------------------------------------

def _fake(name: str, run):
    mod = types.ModuleType(name)
    mod.__doc__ = f"Does {name} work? A fake experiment.\n\nIt is fake.\n"
    mod.EXPERIMENT = Experiment(name=name, question=f"Does {name} work?",
                                params={"n": Param(50, "", "points", int, minimum=1)})
    mod.run = run
    return mod


def _result(**given) -> Result:
    n = given.get("n", 50)
    t = np.linspace(0.0, 10.0, n)
    return Result(t=t, traces={"v": np.sin(t)}, summary={"peak_mV": 1.0, "n": n}, name="fake")


def _raises(exc):
    def run(**given):
        raise exc
    return run


@pytest.fixture
def register(monkeypatch):
    """register(name, run): a fake experiment in the registry for this test."""
    def add(name, run):
        mod = _fake(name, run)
        monkeypatch.setitem(sys.modules, f"_cli_errors_{name}", mod)
        monkeypatch.setitem(experiments.REGISTRY, name, f"_cli_errors_{name}")
        return mod
    return add


@pytest.fixture
def no_computing(monkeypatch):
    """Any attempt to load an experiment's protocol (the step before computing) fails the test."""
    def get(name):
        raise AssertionError(f"the protocol of {name} was loaded: the check came too late")
    monkeypatch.setattr(experiments, "get", get)


# --- --out is checked first --------------------------------------------------------------------------

def _unwritable(tmp_path) -> str:
    if os.geteuid() != 0:
        d = tmp_path / "locked"
        d.mkdir(mode=0o555)
        return str(d / "report")
    return "/proc/sys/excitable-report"  # root may write anywhere but in the kernel's files


@pytest.mark.parametrize("kind", ["file", "under-a-file", "impossible", "unwritable", "empty", "dangling-link"])
@pytest.mark.parametrize("command", [
    ["run", "action-potential", "--set", "tstop=20"],
    ["sweep", "action-potential", "--grid", "amplitude=5,10"],
    ["tour", "--only", "action-potential"],
])
def test_a_bad_out_is_refused_before_any_computing(command, kind, tmp_path, capsys, no_computing):
    (tmp_path / "afile").write_text("not a folder\n")
    (tmp_path / "link").symlink_to(tmp_path / "gone")
    value = {"file": str(tmp_path / "afile"), "under-a-file": str(tmp_path / "afile" / "report"),
             "impossible": "/proc/no-such-process/report", "unwritable": _unwritable(tmp_path),
             "empty": "", "dangling-link": str(tmp_path / "link")}[kind]
    before = sorted(tmp_path.iterdir())
    assert call([*command, "--out", value]) == 2
    line = one_line(capsys)
    assert "--out" in line and repr(value) in line
    assert sorted(tmp_path.iterdir()) == before  # nothing made, not even the probe


def test_out_check_accepts_what_will_work(tmp_path, monkeypatch):
    from excitable.interfaces.cli.arguments import check_out

    monkeypatch.chdir(tmp_path)
    (tmp_path / "exists").mkdir()
    for value in (tmp_path / "exists", tmp_path / "new" / "deeper", Path("relative-report"), Path(".")):
        assert check_out(str(value), beside=True) == value
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exists"]  # nothing was created
    # `--out .` is written in . alone: a folder above it that we cannot write in is no reason to refuse
    (tmp_path / "exists" / "inner").mkdir()
    monkeypatch.chdir(tmp_path / "exists" / "inner")
    monkeypatch.setattr(os, "rmdir", _only_under(tmp_path / "exists" / "inner", os.rmdir))
    assert check_out(".", beside=True) == Path(".")
    with pytest.raises(ModelError, match="cannot write in"):
        check_out("../sibling", beside=True)


def _only_under(folder: Path, rmdir):
    """os.rmdir as if only ``folder`` were writable (the probe's folder elsewhere: EACCES)."""
    def fake(path, *a, **k):
        if Path(path).resolve().parent != folder.resolve():
            rmdir(path, *a, **k)
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return rmdir(path, *a, **k)
    return fake


# --- errors after the work: full disk, memory, other OSErrors ----------------------------------------

def test_a_full_disk_while_saving_is_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch, register):
    register("fake-ok", _result)
    real = Path.write_text

    def full(self, *a, **k):
        if str(self).startswith(str(tmp_path)):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "write_text", full)
    out = tmp_path / "report"
    assert call(["run", "fake-ok", "--out", str(out)]) == 2
    line = one_line(capsys)
    assert "--out" in line and str(out) in line and "No space left on device" in line
    assert list(tmp_path.iterdir()) == []  # no report, no .report.tmp-* folder


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64-kB tmpfs (root on Linux only: mounting needs the privilege)."""
    where = tmp_path / "tiny"
    where.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip()}); the monkeypatched test covers it")
    yield where
    subprocess.run(["umount", str(where)], check=True)


def test_a_really_full_disk(tiny_disk, capsys, register):
    register("fake-big", _result)  # 20,000 samples: ~0.5 MB of traces.csv, the disk holds 64 kB
    out = tiny_disk / "report"
    assert call(["run", "fake-big", "--set", "n=20000", "--out", str(out)]) == 2
    assert "No space left on device" in one_line(capsys)
    assert list(tiny_disk.iterdir()) == []


def _xla_out_of_memory():
    import jax

    return jax.errors.JaxRuntimeError("RESOURCE_EXHAUSTED: Out of memory allocating 240000016 bytes.")


@pytest.mark.parametrize("exc, words", [
    (MemoryError(), "out of memory"),
    (_xla_out_of_memory(), "240000016 bytes"),  # seen: all-or-none --set n_sweep=30000000
    (OSError(errno.EIO, os.strerror(errno.EIO), "/some/file"), "/some/file"),
])
def test_memory_and_os_errors_are_one_line(exc, words, capsys, register):
    register("fake-fails", _raises(exc))
    assert call(["run", "fake-fails"]) == 2
    line = one_line(capsys)
    assert words in line and "fake-fails" in line


def test_a_bug_keeps_its_traceback(register):
    register("fake-bug", _raises(RuntimeError("RESOURCE_EXHAUSTED is only XLA's when XLA says it")))
    with pytest.raises(RuntimeError):
        main(["run", "fake-bug"])


def test_a_closed_pipe_is_not_turned_into_an_error(register):
    register("fake-pipe", _raises(BrokenPipeError()))  # entry() treats it as success (`| head`)
    with pytest.raises(BrokenPipeError):
        main(["run", "fake-pipe"])


# --- bounded work ------------------------------------------------------------------------------------

def test_a_huge_grid_is_refused_before_it_is_built(tmp_path, capsys, no_computing):
    tracemalloc.start()
    t0 = time.perf_counter()
    rc = call(["sweep", "action-potential", "--grid", "amplitude=1:2:100000000", "--out", str(tmp_path / "s")])
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert rc == 2
    line = one_line(capsys)
    assert "1e+08 grid points" in line and "EXCITABLE_MAX_GRID" in line
    # 1e8 float64 values alone are 800 MB; the refusal allocates next to nothing and takes no time
    assert peak < 20 * 2**20 and seconds < 2.0, (peak, seconds)
    assert not (tmp_path / "s").exists()


def test_the_grid_is_counted_across_axes_and_the_limit_can_be_raised(tmp_path, capsys, monkeypatch):
    def grid(n1, n2):
        return ["sweep", "action-potential", "--grid", f"amplitude=1:2:{n1}", "--grid", f"gNa_scale=1:2:{n2}",
                "--out", str(tmp_path / "s")]

    assert call(grid(1000, 1000)) == 2  # each axis is within the limit (1e5), their product is not
    assert "1e+06 grid points" in one_line(capsys)
    from excitable.workflows import sweeping as sweep

    ran = []
    monkeypatch.setattr(sweep, "sweep", lambda name, axes, **k: ran.append(axes) or sweep.SweepResult([], []))
    monkeypatch.setenv("EXCITABLE_MAX_GRID", "4")
    assert call(grid(2, 3)) == 2 and "6 grid points" in one_line(capsys)
    assert call(grid(2, 2)) == 0 and len(ran) == 1  # within the limit: handed to the sweep


def test_a_grid_beyond_any_memory_with_the_limits_off_is_still_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("EXCITABLE_LIMITS", "off")
    assert call(["sweep", "action-potential", "--grid", "amplitude=1:2:99999999999999999999999",
                 "--out", str(tmp_path / "s")]) == 2
    assert "amplitude" in one_line(capsys)


def test_help_names_every_limit_variable(capsys):
    assert call(["--help"]) == 0
    out = capsys.readouterr().out
    for spec in LIMITS.values():
        assert spec.variable in out
    assert "EXCITABLE_LIMITS=off" in out


# These two depend on the engine's own estimate (Simulation.run: steps, work, memory; the
# discretization: compartments), checked before anything is allocated or compiled.

def test_a_long_tstop_is_refused_with_the_estimate(tmp_path):
    report, err = drive(tmp_path, ["run", "action-potential", "--set", "tstop=1e9"], timeout=120,
                        memory_cap_gb=8)
    assert report["rc"] == [2], err
    assert len(err) == 1 and "tstop" in err[0] and "over the limit" in err[0], err
    # measured: ~4 s and ~300 MB (the JAX import); without the check it grows 25 MB/s and never ends
    assert report["seconds"] < 30 and report["maxrss_mb"] < 1000, report


def test_a_huge_ncomp_is_refused_with_the_estimate(tmp_path):
    report, err = drive(tmp_path, ["run", "propagation", "--set", "ncomp=10000000"], timeout=180,
                        memory_cap_gb=8)
    assert report["rc"] == [2], err
    assert len(err) == 1 and "compartments" in err[0] and "over the limit" in err[0], err
    assert report["seconds"] < 30 and report["maxrss_mb"] < 1000, report


# --- a rejected parameter costs no JAX ---------------------------------------------------------------

def test_refusing_parameters_listing_and_params_import_no_jax(tmp_path):
    argvs = [["list"]]
    for name in experiments.names():
        argvs += [["run", name, "--set", "bad=1"], ["run", name, "--params"]]
    argvs += [["run", "action-potential", "--set", "amplitude=abc"], ["run", "action-potential", "--set", "x"],
              ["sweep", "action-potential", "--grid", "amplitude=1:2:100000000", "--out", "s"]]
    report, err = drive(tmp_path, *argvs)
    assert report["rc"] == [0] + [2, 0] * len(experiments.names()) + [2, 2, 2], err
    # what keeps them fast: neither JAX nor matplotlib is imported (their time is measured, not
    # asserted: `excitable list` in benchmarks/bench_cli.py)
    assert not {"jax", "jaxlib", "matplotlib"} & set(report["modules"]), report


def test_every_declaration_is_its_modules_EXPERIMENT():
    from excitable.experiments import find_declaration as find

    for name in experiments.names():
        declared = find(name)
        assert declared is not None, f"{name} has no light declaration"
        assert declared is experiments.get(name).EXPERIMENT and declared.name == name


# --- an interrupted tour -----------------------------------------------------------------------------

def test_an_interrupted_tour_never_leaves_an_older_page(tmp_path, capsys, register):
    out = tmp_path / "tour"
    out.mkdir()
    (out / "index.html").write_text("<html>the OLD tour, all green</html>")
    (out / "tour.json").write_text('{"old": true}')

    def plotted(**given):
        res = _result(**given)

        def plot(r):
            from matplotlib.figure import Figure

            fig = Figure(figsize=(2, 2))
            fig.add_subplot().plot(r.t, r["v"])
            return fig

        res.plotter = plot
        return res

    # The fakes are registered in this process only, so the tour runs them here (--jobs 1), not in
    # worker processes.
    register("fake-first", plotted)
    register("fake-stopped", _raises(KeyboardInterrupt()))
    register("fake-never", plotted)
    assert call(["tour", "--out", str(out), "--jobs", "1", "--only", "fake-first,fake-stopped,fake-never"]) == 130
    page = (out / "index.html").read_text()
    assert "OLD tour" not in page and not (out / "tour.json").exists()
    assert "INCOMPLETE: 1 of 3 experiments" in page and 'data-name="fake-first"' in page
    assert 'data-name="fake-never"' not in page
    # the same tour run to the end: complete, no mark
    register("fake-stopped", plotted)
    assert call(["tour", "--out", str(out), "--jobs", "1", "--only", "fake-first,fake-stopped,fake-never"]) == 0
    page = (out / "index.html").read_text()
    assert "INCOMPLETE" not in page and page.count('data-status="ok"') == 3
    assert json.loads((out / "tour.json").read_text())["experiments"][2]["name"] == "fake-never"


# --- bad inputs of every kind: one line, exit 2 ------------------------------------------------------

BAD = [
    (["run"], "name"),
    (["run", "action-potential", "--set"], "--set"),
    (["run", "action-potential", "--set", "novalue"], "novalue"),
    (["run", "action-potential", "--set", "=5"], "=5"),
    (["run", "action-potential", "--set", "amplitude="], "amplitude"),
    (["run", "action-potential", "--set", "amplitude=1e400"], "amplitude"),
    (["run", "action-potential", "--set", "amplitude=inf"], "amplitude"),
    (["run", "action-potential", "--set", "tstop=-5"], "tstop"),
    (["run", "action-potential", "--set", "temperature=1e308"], "temperature"),
    (["run", "action-potential", "--set", "ampl itude=1"], "ampl itude"),
    (["run", "propagation", "--set", "ncomp=1.5"], "ncomp"),
    (["run", "propagation", "--set", "ncomp=0"], "ncomp"),
    (["run", "all-or-none", "--set", "model="], "model"),
    (["run", "myelination", "--set", "myelin=maybe"], "myelin"),
    (["run", "all-or-none", "--set", "n_sweep=100000000"], "n_sweep"),
    (["run", "no-such"], "no-such"),
    (["list", "extra"], "extra"),
    (["bogus"], "bogus"),
    (["server", "bogus"], "bogus"),
    (["tour", "--only", ",,,"], "--only"),
    (["tour", "--only", "nope"], "nope"),
    (["sweep"], "--out"),
    (["sweep", "action-potential", "--out", "s"], "--grid"),
    (["sweep", "no-such", "--grid", "amplitude=1,2", "--out", "s"], "no-such"),
    (["sweep", "action-potential", "--grid", "amplitude", "--out", "s"], "amplitude"),
    (["sweep", "action-potential", "--grid", "amplitude=1:2", "--out", "s"], "amplitude"),
    (["sweep", "action-potential", "--grid", "amplitude=1:2:0", "--out", "s"], "amplitude"),
    (["sweep", "action-potential", "--grid", "amplitude=1:2:x", "--out", "s"], "amplitude"),
    (["sweep", "action-potential", "--grid", "amplitude=nan:2:3", "--out", "s"], "amplitude"),
    (["sweep", "action-potential", "--grid", "amplitude=a,b", "--out", "s"], "amplitude"),
    (["sweep", "action-potential", "--grid", "amplitude=1,1", "--out", "s"], "amplitude"),
    (["sweep", "action-potential", "--grid", "nope=1,2", "--out", "s"], "nope"),
    (["sweep", "action-potential", "--grid", "model=hh:textbook:2", "--out", "s"], "model"),
    (["sweep", "action-potential", "--grid", "amplitude=1,2", "--grid", "amplitude=3,4", "--out", "s"],
     "amplitude"),
    (["sweep", "action-potential", "--grid", "amplitude=1,2", "--set", "amplitude=3", "--out", "s"],
     "amplitude"),
    (["sweep", "action-potential", "--grid", "amplitude=1,2", "--set", "tstop=x", "--out", "s"], "tstop"),
    (["sweep", "action-potential", "--grid", "amplitude=1,2", "--batch", "0", "--out", "s"], "--batch"),
    (["sweep", "action-potential", "--grid", "amplitude=1,2", "--batch", "x", "--out", "s"], "--batch"),
]


@pytest.mark.parametrize("argv, field", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_exit_2_and_computes_nothing(argv, field, tmp_path, capsys, monkeypatch,
                                                            no_computing):
    monkeypatch.chdir(tmp_path)
    assert call(argv) == 2
    assert field in one_line(capsys)
    assert list(tmp_path.iterdir()) == []
