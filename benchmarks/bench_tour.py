"""The tour, end to end: `excitable tour --out DIR` as a user runs it (process start to exit).

Runs every experiment in the registry with its default settings and writes the HTML report, in a
fresh process with an empty JAX compilation cache and program store (the first run a student makes)
and once more with them warm. Goal (issue 16, item 6): <= 60 s with empty caches and <= 30 s warm on
an idle 2-core machine. The reference is the same tour run the way it ran before, one experiment after
the other in one process (``--jobs 1``), in the same invocation (``--reference``), so both figures
come from the same machine under the same load.

Besides the wall-clock time each line gives the CPU time of the tour and its worker processes
(user + system, all threads), which a busy machine inflates far less, and the load average before
the run: on a shared machine read the wall-clock figures against it. Each experiment's CPU seconds
(from DIR/tour.json) are printed too, largest first. ``EXCITABLE_FAST_COMPILE=0 python
benchmarks/bench_tour.py`` measures the tour with XLA's default compile options (``engine.programs``).
Run it on a copy of one commit: the program store's key hashes the package's source, so an edit
between the empty-cache run and the warm one makes the warm run compile everything again.

Usage: python benchmarks/bench_tour.py [--quick] [--jobs N] [--reference] [--only NAME,NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common as c

EXCITABLE = Path(sys.executable).with_name("excitable")


def tour(out: Path, cache: str, args, jobs: int | None) -> tuple[float, float, float, dict]:
    """(wall s, CPU s of the tour and its workers, load average before, DIR/tour.json)."""
    cmd = [str(EXCITABLE), "tour", "--out", str(out)] + (["--quick"] if args.quick else []) \
        + (["--jobs", str(jobs)] if jobs else []) + (["--only", args.only] if args.only else [])
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "JAX_COMPILATION_CACHE_DIR": cache})
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers were waited for: included
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        print(proc.stderr[-2000:], file=sys.stderr)
    print(proc.stdout.splitlines()[0] if proc.stdout else "(no output)")  # the tour's own estimate
    return elapsed, cpu, load, json.loads((out / "tour.json").read_text())


def cold_and_warm(tmp: Path, label: str, args, jobs: int | None):
    cache = str(tmp / label / "cache")  # empty: the store of compiled programs sits beside it
    cold = tour(tmp / label / "cold", cache, args, jobs)
    warm = tour(tmp / label / "warm", cache, args, jobs)
    used = warm[3].get("jobs", 1)
    n = len(warm[3]["experiments"])
    for name, (wall, cpu, load, _) in (("empty caches", cold), ("warm caches", warm)):
        print(f"{label}: tour of {n} experiments, {used} at a time, {name}: {wall:.1f} s "
              f"(CPU {cpu:.1f} s; load average {load:.1f} before)")
    slowest = sorted(warm[3]["experiments"], key=lambda e: -e["seconds"])[:5]
    print(f"{label}: slowest (warm): " + ", ".join(f"{e['name']} {e['seconds']:.1f} s" for e in slowest))
    for name, run in (("empty caches", cold), ("warm caches", warm)):  # CPU: what the load inflates least
        by_cpu = sorted(run[3]["experiments"], key=lambda e: -e["cpu_seconds"])
        print(f"{label}: CPU s by experiment ({name}, {sum(e['cpu_seconds'] for e in by_cpu):.1f} s in the "
              f"workers' experiments): " + ", ".join(f"{e['name']} {e['cpu_seconds']:.1f}" for e in by_cpu))
    return n, used, cold, warm


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="each experiment's QUICK settings")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: the tour's own)")
    ap.add_argument("--reference", action="store_true", help="also the tour one experiment at a time")
    ap.add_argument("--only", help="these experiments only (comma-separated)")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="excitable-bench-tour-") as tmp:
        n, used, cold, warm = cold_and_warm(Path(tmp), "ours", args, args.jobs)
        ref = cold_and_warm(Path(tmp), "one at a time", args, 1) if args.reference else None
    what = f"excitable tour, {n} experiments, {used} at a time"
    for label, goal, ours, theirs, limit in (("empty caches", "<= 60 s", cold, ref and ref[2], 60.0),
                                             ("warm caches", "<= 30 s", warm, ref and ref[3], 30.0)):
        row = c.row("tour", f"{what}, {label} (CPU {ours[1]:.0f} s, load {ours[2]:.1f}); reference: --jobs 1",
                    ours[0], theirs[0] if theirs else None, goal)
        row["met"] = ours[0] <= limit
        rows.append(row)
    c.emit(rows)


if __name__ == "__main__":
    main()
