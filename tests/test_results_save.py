"""Result.save and atomic_write_text: whole reports or nothing, the usual file modes, and the
leftovers of killed writers cleaned up by the next writer beside them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from excitable.results import STALE_AFTER_S, Result, _host_tag, atomic_write_text

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process ids and umasks as on POSIX")


def plot(result):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1.5))
    fig.subplots().plot(result.t, result.traces["v (mV)"])
    return fig


def broken_plot(result):
    raise RuntimeError("no figure today")


def result(peak=40.0, plotter=plot) -> Result:
    t = np.linspace(0.0, 1.0, 11)
    return Result(t=t, traces={"v (mV)": -65.0 + peak * t}, summary={"peak_mV": peak}, plotter=plotter)


def dead_pid() -> int:
    """The id of a process that has just exited (and was reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def leftover(parent: Path, name: str, pid: int, host: str | None = None, age_s: float = 0.0) -> Path:
    """A temporary folder as a writer with ``pid`` names it, holding a partial report."""
    d = parent / f".{name}.tmp-{pid}-{host or _host_tag()}-0123abcd"
    d.mkdir()
    (d / "summary.json").write_text('{"peak_mV": ')
    if age_s:
        t = time.time() - age_s
        os.utime(d, (t, t))
    return d


def test_a_new_folder_appears_whole_with_the_usual_modes(tmp_path):
    for umask, file_mode, dir_mode in ((0o077, 0o600, 0o700), (0o022, 0o644, 0o755)):
        old = os.umask(umask)
        try:
            out = result().save(tmp_path / f"r{umask:o}")
        finally:
            os.umask(old)
        assert sorted(p.name for p in out.iterdir()) == ["figure.png", "figure.svg", "summary.json",
                                                        "traces.csv"]
        assert json.loads((out / "summary.json").read_text()) == {"peak_mV": 40.0}
        assert out.stat().st_mode & 0o777 == dir_mode
        assert {p.stat().st_mode & 0o777 for p in out.iterdir()} == {file_mode}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_failed_save_leaves_no_folder_or_the_old_one_untouched(tmp_path):
    with pytest.raises(RuntimeError, match="no figure today"):
        result(plotter=broken_plot).save(tmp_path / "new")
    assert os.listdir(tmp_path) == []  # neither the report nor its temporary folder

    out = result(peak=10.0).save(tmp_path / "old")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(RuntimeError):
        result(peak=99.0, plotter=broken_plot).save(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(os.listdir(tmp_path)) == ["old"]


def test_saving_over_a_report_replaces_it_and_keeps_other_files(tmp_path):
    out = result(peak=10.0).save(tmp_path / "r")
    (out / "notes.txt").write_text("mine")
    result(peak=20.0).save(out, figure=False)
    # The old figure would show another run than summary.json: it goes; the user's file stays.
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "summary.json", "traces.csv"]
    assert json.loads((out / "summary.json").read_text()) == {"peak_mV": 20.0}


def test_leftovers_of_dead_writers_are_removed_and_live_ones_kept(tmp_path):
    name = "report"
    dead = leftover(tmp_path, name, dead_pid())
    live = leftover(tmp_path, name, os.getpid())  # ours: a save in progress in this process
    other_host_new = leftover(tmp_path, name, 1, host="00000000")  # cannot ask: kept while young
    other_host_old = leftover(tmp_path, name, 1, host="00000001", age_s=STALE_AFTER_S + 60)
    unnamed_old = tmp_path / f".{name}.tmp-k3j_x9ab"  # a writer from before pids were in the name
    unnamed_old.mkdir()
    os.utime(unnamed_old, (time.time() - STALE_AFTER_S - 60,) * 2)
    other_name = leftover(tmp_path, "another", dead_pid())  # not this report's
    result().save(tmp_path / name)
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {name, live.name, other_host_new.name, other_name.name}
    assert not {dead.name, other_host_old.name, unnamed_old.name} & left


def test_a_save_killed_midway_leaves_a_leftover_that_the_next_save_removes(tmp_path):
    script = textwrap.dedent("""
        import sys, time
        import numpy as np
        from excitable.results import Result

        def plot(result):  # the report's files are written by now; the figure never comes
            print("saving", flush=True)
            time.sleep(600)

        Result(t=np.zeros(3), traces={"v (mV)": np.zeros(3)}, summary={"peak_mV": 1.0},
               plotter=plot).save(sys.argv[1])
    """)
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "r")], stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline() == b"saving\n"
        proc.kill()  # SIGKILL: no finally clause runs
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    [tmp] = [p for p in tmp_path.iterdir()]
    assert tmp.name.startswith(f".r.tmp-{proc.pid}-") and (tmp / "traces.csv").exists()
    assert not (tmp_path / "r").exists()  # nothing half-written where the report goes
    result().save(tmp_path / "r")
    assert [p.name for p in tmp_path.iterdir()] == ["r"]


def test_atomic_write_text_removes_dead_writers_leftovers_and_gives_the_usual_mode(tmp_path):
    target = tmp_path / "index.html"
    dead = tmp_path / f".index.html.tmp-{dead_pid()}-{_host_tag()}-0123abcd"
    dead.write_text("<html><bo")
    live = tmp_path / f".index.html.tmp-{os.getpid()}-{_host_tag()}-0123abcd"
    live.write_text("<html>")
    old = os.umask(0o027)
    try:
        atomic_write_text(target, "<html></html>\n")
    finally:
        os.umask(old)
    assert target.read_text() == "<html></html>\n" and target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, live.name])
