"""The sweep's journal and lock: torn lines repaired, one sweep per folder, no rows of two settings.

The journal tests (``Journal``) need no simulation; the sweep tests run action-potential on a
grid of 2-4 points of 8 ms (one compiled program serves them all).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from excitable.errors import ModelError
from excitable.interfaces.cli.main import main
from excitable.workflows.journal import LOCK, Journal, key, locked
from excitable.workflows.sweeping import JOURNAL, TABLE, parse_axis, sweep

EXP = "action-potential"
SETS = {"tstop": 8.0}
HEADER = {"experiment": EXP, "fixed": {"tstop": 8.0}}


def record(i: int) -> dict:
    return {"point": {"amplitude": float(i)}, "summary": {"peak_mV": 40.0 + i, "n_spikes": 1}}


def write_journal(path, n: int) -> bytes:
    data = "".join(json.dumps(r) + "\n" for r in [HEADER, *map(record, range(n))]).encode()
    path.write_bytes(data)
    return data


def lines(path) -> list[dict]:
    text = path.read_text()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]  # every line parses


def test_a_torn_last_line_is_dropped_and_the_next_record_starts_its_own_line(tmp_path):
    path = tmp_path / JOURNAL
    write_journal(path, 3)
    with open(path, "a") as f:
        f.write('{"point": {"amplitude": 9.0}, "summ')  # killed while appending
    j = Journal(path, HEADER)
    assert list(j.done) == [key(record(i)["point"]) for i in range(3)] and j.dropped == 1
    j.add(record(3))
    assert lines(path) == [HEADER, *map(record, range(4))]  # record 3 intact, not glued to the torn one
    again = Journal(path, HEADER)
    assert len(again.done) == 4 and again.dropped == 0


def test_lines_that_are_not_records_are_dropped_and_counted(tmp_path):
    path = tmp_path / JOURNAL
    write_journal(path, 2)
    with open(path, "ab") as f:
        f.write(b'\n[1, 2]\n{"point": 3, "summary": {}}\n{"point": {"a": 1}}\n\xff\xfe\n')
        f.write((json.dumps(record(7)) + "\n").encode())
    j = Journal(path, HEADER)
    assert j.dropped == 5 and sorted(j.done) == sorted(key(record(i)["point"]) for i in (0, 1, 7))
    assert lines(path) == [HEADER, record(0), record(1), record(7)]  # rewritten without them


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 5), cut=st.floats(0, 1), junk=st.binary(max_size=40))
def test_a_journal_cut_anywhere_keeps_its_whole_records_and_takes_new_ones(tmp_path_factory, n, cut, junk):
    # A kill can stop a write at any byte; whatever follows (junk) is what a later run found there.
    path = tmp_path_factory.mktemp("j") / JOURNAL
    data = write_journal(path, n)
    header_end = data.index(b"\n") + 1
    at = header_end + round(cut * (len(data) - header_end))  # the header is written atomically
    path.write_bytes(data[:at] + junk.replace(b"\n", b""))
    whole = data[:at].count(b"\n") - 1  # records whose newline made it
    j = Journal(path, HEADER)
    assert list(j.done) == [key(record(i)["point"]) for i in range(whole)]
    j.add(record(99))
    assert lines(path) == [HEADER, *map(record, range(whole)), record(99)]


def test_a_journal_of_other_settings_or_without_a_header_is_refused(tmp_path):
    path = tmp_path / JOURNAL
    before = write_journal(path, 2)
    for header, says in (({"experiment": "all-or-none", "fixed": {"tstop": 8.0}}, "of 'action-potential'"),
                         ({"experiment": EXP, "fixed": {"tstop": 9.0}}, "tstop = 8.0 there, 9.0 now"),
                         ({"experiment": EXP, "fixed": {}}, "tstop = 8.0 there, a grid axis now")):
        with pytest.raises(ModelError, match=f"another sweep \\({says}\\).*--fresh") as e:
            Journal(path, header)
        assert str(tmp_path) in str(e.value) and "\n" not in str(e.value)
    assert path.read_bytes() == before  # untouched
    path.write_bytes(b"amplitude,peak\n1,2\n")
    with pytest.raises(ModelError, match="does not start with a sweep's header"):
        Journal(path, HEADER)
    assert Journal(path, HEADER, fresh=True).done == {} and lines(path) == [HEADER]


def test_the_lock_refuses_a_second_holder_and_is_gone_afterwards(tmp_path):
    with locked(tmp_path):
        assert (tmp_path / LOCK).read_text() == f"{os.getpid()}\n"
        with pytest.raises(ModelError, match=f"--out {tmp_path}: another sweep \\(pid {os.getpid()}\\)"):
            with locked(tmp_path):
                pass
    assert not (tmp_path / LOCK).exists()
    with locked(tmp_path):  # free again
        pass


def test_the_lock_is_held_against_another_process_and_dropped_when_it_dies(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from excitable.workflows.journal import locked
        with locked({str(tmp_path)!r}):
            print("locked", flush=True)
            time.sleep(600)
    """)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"locked\n"
        with pytest.raises(ModelError, match=f"pid {holder.pid}"):
            with locked(tmp_path):
                pass
    finally:
        holder.kill()  # SIGKILL: the kernel drops its lock; the file stays behind
        holder.wait(timeout=30)
    assert (tmp_path / LOCK).exists()
    with locked(tmp_path):
        pass
    assert not (tmp_path / LOCK).exists()


def test_locks_taken_and_given_back_in_a_race_are_never_held_twice(tmp_path, monkeypatch):
    # Each holder removes the lock file as it leaves. A sweep that opened the old file just before
    # must not believe it holds the lock once it gets it, while another holds the new file's. A
    # pause between opening and locking (a slow machine) makes that happen often here.
    import fcntl
    import random
    import time
    import types

    import excitable.workflows.journal

    def slow_flock(fd, op):
        time.sleep(random.uniform(0, 0.002))
        return fcntl.flock(fd, op)

    monkeypatch.setattr(excitable.workflows.journal, "fcntl", types.SimpleNamespace(**{
        **{k: getattr(fcntl, k) for k in ("LOCK_EX", "LOCK_NB")}, "flock": slow_flock}))
    inside, most, held = [0], [0], [0]
    guard = threading.Lock()

    def worker():
        for _ in range(100):
            try:
                with locked(tmp_path):
                    with guard:
                        inside[0] += 1
                        most[0] = max(most[0], inside[0])
                        held[0] += 1
                    time.sleep(random.uniform(0, 0.001))
                    with guard:
                        inside[0] -= 1
            except ModelError:
                pass

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert held[0] > 0 and most[0] == 1, (most, held)


# ---- through sweep() and the command line -----------------------------------------------------------

def grid(spec="amplitude=5,40"):
    return [parse_axis(spec, EXP)]


def test_a_sweep_on_a_locked_folder_is_refused_before_computing(tmp_path, capsys):
    out = tmp_path / "s"
    out.mkdir()
    with locked(out):
        with pytest.raises(ModelError, match="another sweep"):
            sweep(EXP, grid(), sets=SETS, out=out)
        assert main(["sweep", EXP, "--grid", "amplitude=5,40", "--set", "tstop=8", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"excitable: error: --out {out}: another sweep") and err.count("\n") == 1
    assert sorted(p.name for p in out.iterdir()) == []  # nothing computed, nothing written


def test_a_resumed_sweep_repairs_a_torn_journal_and_loses_no_row(tmp_path, capsys):
    out = tmp_path / "s"
    args = ["sweep", EXP, "--grid", "amplitude=5,10,20,40", "--set", "tstop=8", "--out", str(out)]
    full = sweep(EXP, grid("amplitude=5,10,20,40"), sets=SETS, out=tmp_path / "ref")
    sweep(EXP, grid("amplitude=5,10"), sets=SETS, out=out)  # the first two points
    with open(out / JOURNAL, "a") as f:
        f.write('{"point": {"amplitude": 20.0}, "summary": {"rest_mV": -6')  # killed in the third
    assert main(args) == 0
    assert "(2 computed now; dropped 1 unreadable line of sweep.jsonl)" in capsys.readouterr().out
    recs = lines(out / JOURNAL)
    assert [r["point"]["amplitude"] for r in recs[1:]] == [5.0, 10.0, 20.0, 40.0]
    assert (out / TABLE).read_text() == (tmp_path / "ref" / TABLE).read_text()
    assert len(full.rows) == 4
    assert main(args) == 0 and "(0 computed now)" in capsys.readouterr().out  # all four on record


def test_other_settings_are_refused_and_fresh_starts_over(tmp_path, capsys):
    out = tmp_path / "s"
    first = sweep(EXP, grid(), sets=SETS, out=out)
    before = (out / JOURNAL).read_bytes()
    for spec, sets in (("gNa_scale=0.5,1", SETS), ("amplitude=5,40", {"tstop": 9.0})):
        argv = ["sweep", EXP, "--grid", spec, *[f"--set={k}={v}" for k, v in sets.items()], "--out", str(out)]
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "another sweep" in err and "--fresh" in err and err.count("\n") == 1
        assert (out / JOURNAL).read_bytes() == before  # no row of the other settings mixed in
    res = sweep(EXP, grid("gNa_scale=0.5,1"), sets=SETS, out=out, fresh=True)
    assert res.computed == 2 and [list(r["point"]) for r in lines(out / JOURNAL)[1:]] == [["gNa_scale"]] * 2
    assert "amplitude" not in (out / TABLE).read_text().splitlines()[0].split(",")
    assert first.computed == 2
