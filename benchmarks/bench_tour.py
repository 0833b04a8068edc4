"""The tour, end to end: `excitable tour --out DIR` as a user runs it (process start to exit).

Runs every experiment in the registry with its default settings and writes the HTML report, in a
fresh process with an empty JAX compilation cache (the first run a student makes) and once more with
the cache warm. Goal (issue "phenomena catalogue"): under 10 minutes on a 2-core machine. There is no
NEURON counterpart; the per-experiment times come from DIR/tour.json.

Usage: python benchmarks/bench_tour.py [--quick]   (--quick: `tour --quick`, each experiment's QUICK settings)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common as c

EXCITABLE = Path(sys.executable).with_name("excitable")


def tour(out: Path, cache: str, quick: bool) -> float:
    cmd = [str(EXCITABLE), "tour", "--out", str(out)] + (["--quick"] if quick else [])
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "JAX_COMPILATION_CACHE_DIR": cache})
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stderr[-2000:], file=sys.stderr)
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="excitable-bench-tour-") as tmp:
        cache = str(Path(tmp) / "cache")
        cold = tour(Path(tmp) / "cold", cache, args.quick)
        warm = tour(Path(tmp) / "warm", cache, args.quick)
        runs = json.loads((Path(tmp) / "warm" / "tour.json").read_text())["experiments"]
    slowest = sorted(runs, key=lambda e: -e["seconds"])[:5]
    print(f"tour of {len(runs)} experiments: {cold:.1f} s with an empty compilation cache, {warm:.1f} s warm")
    print("slowest (warm): " + ", ".join(f"{e['name']} {e['seconds']:.1f} s" for e in slowest))
    rows = [c.row("tour", f"excitable tour, {len(runs)} experiments, empty cache", cold, None, "< 10 min"),
            c.row("tour", f"excitable tour, {len(runs)} experiments, warm cache", warm, None)]
    rows[0]["met"] = cold < 600.0
    c.emit(rows)


if __name__ == "__main__":
    main()
