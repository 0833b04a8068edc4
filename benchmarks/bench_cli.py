"""End to end as a user feels it: ``excitable run action-potential --json`` vs a NEURON script.

Measured (each a fresh subprocess, process start to exit, median of 5 after one warm-up run that
fills the persistent JAX compilation cache, kept in a new temporary directory):
- ``excitable run action-potential --json`` (30 ms of HH, a 1 ms pulse of 14 uA/cm2 at 5 ms, every
  gate, current and conductance recorded, summary as JSON), two ways: served by a warm server
  (what a repeated run is: the first run starts one; here started with ``excitable server start``
  in a private directory and stopped at the end), and in-process (``EXCITABLE_SERVER=0``, what a
  first run costs); the in-process warm-up run is reported as the "empty cache" time;
- ``python benchmarks/neuron_action_potential.py``, the same experiment written for NEURON;
- ``python -c pass``, ``-c "import numpy"``, ``-c "import jax"``, ``-c "from neuron import h"``:
  what starting the interpreter and importing the libraries cost on their own, and
  ``-c "import jax, os; os._exit(0)"``: the same without the interpreter's clean-up at exit.
Where our time goes: a profile of one CLI run in a fresh process (warm cache), timing each phase
inside (imports, building the model, parameters and the resting-potential solve, setting up the
recordings, the simulation call, the analysis) with JAX's own compile counters, and the top-level
imports by ``python -X importtime``.

Usage: python benchmarks/bench_cli.py [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import _common as c

ARGS = ["run", "action-potential", "--json"]
NEURON_SCRIPT = str(Path(__file__).with_name("neuron_action_potential.py"))


def excitable_cmd(args=ARGS) -> list[str]:
    exe = Path(c.PYTHON).with_name("excitable")
    return [str(exe), *args] if exe.exists() else [c.PYTHON, "-m", "excitable.interfaces.cli", *args]


def served_wall(env: dict, runs: int) -> tuple[float, float]:
    """(median seconds of a run served by a warm server, seconds to start that server until ready)."""
    sdir = tempfile.mkdtemp(prefix="exs")  # short: a Unix socket's path must fit in ~100 bytes
    env = {**env, "EXCITABLE_SERVER": "1", "EXCITABLE_SERVER_DIR": sdir}
    server = [c.PYTHON, "-m", "excitable.interfaces.cli", "server"]
    try:
        start = wall([*server, "start"], env)
        status = subprocess.run([*server, "status"], capture_output=True, text=True, env=env).stdout
        if "(ready)" not in status:
            raise RuntimeError(f"the server did not start:\n{status}")
        return median_wall(excitable_cmd(), env, runs), start
    finally:
        subprocess.run([*server, "stop"], capture_output=True, env=env)
        shutil.rmtree(sdir, ignore_errors=True)


def wall(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=c.ROOT)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    return dt


def median_wall(cmd: list[str], env: dict, runs: int) -> float:
    wall(cmd, env)  # warm-up: OS file cache, and our persistent compilation cache
    return statistics.median(wall(cmd, env) for _ in range(runs))


class Phases:
    """Exclusive wall time of wrapped functions (time in a nested wrapped call counts only there)."""

    def __init__(self):
        self.secs: dict[str, float] = defaultdict(float)
        self._stack: list[float] = []

    def wrap(self, name, fn):
        def wrapper(*a, **k):
            t0 = time.perf_counter()
            self._stack.append(0.0)
            try:
                return fn(*a, **k)
            finally:
                inner, dt = self._stack.pop(), time.perf_counter() - t0
                self.secs[name] += dt - inner
                if self._stack:
                    self._stack[-1] += dt
        return wrapper


def profile_child() -> None:
    """In a fresh process: time each phase of one CLI run (the cache is warm), then run it again."""
    out = {}
    start = t0 = time.perf_counter()
    import numpy  # noqa: F401
    out["import numpy"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    import jax  # noqa: F401
    out["import jax"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    from excitable import backends  # noqa: F401
    import excitable.engine.integrate as integrate
    import excitable.experiments.common.models as models
    import excitable.experiments.excitability.action_potential as ap
    from excitable.interfaces.cli.main import main
    from excitable.model.simulation import Simulation
    out["import excitable (rest)"] = time.perf_counter() - t0
    counters = c.jax_counters()

    ph = Phases()
    # Internal names: a phase whose function was renamed is simply not timed (it lands in "other").
    for owner, attr, label in [(models, "single_compartment", "build cell"),
                               (ap, "record_everything", "set up recordings (eager jax)"),
                               (ap, "summarize", "analysis (summary)"),
                               (integrate, "resting_potential", "resting potential (jit)"),
                               (Simulation, "parameters", "parameters (eager jax)"),
                               (Simulation, "_run", "simulate (trace + cache load + run)")]:
        if hasattr(owner, attr):
            setattr(owner, attr, ph.wrap(label, getattr(owner, attr)))
    main_ = ph.wrap("other (CLI, experiment glue, JSON)", main)

    def call():
        with contextlib.redirect_stdout(io.StringIO()):
            return main_(ARGS)

    for run in ("first", "again"):  # again: the same call in the same process, all compiled
        ph.secs.clear()
        counters.update(dict.fromkeys(counters, 0))
        t0 = time.perf_counter()
        call()
        out[run] = {"CLI run, total": time.perf_counter() - t0, **ph.secs, "jax": dict(counters)}
        out.setdefault("in_process", time.perf_counter() - start)
    print(json.dumps(out))


def importtime(env: dict) -> dict[str, float]:
    """Import seconds per top-level package during one CLI run (``-X importtime``, self times summed)."""
    cmd = excitable_cmd()
    if cmd[0] != c.PYTHON:
        cmd = [c.PYTHON, *cmd]
    proc = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], capture_output=True, text=True,
                          env=env, cwd=c.ROOT)
    totals: dict[str, float] = defaultdict(float)
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \| \s*(\S+)", line)
        if m:
            totals[m.group(2).split(".")[0]] += int(m.group(1)) * 1e-6
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 runs instead of 5")
    ap.add_argument("--profile-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.profile_child:
        return profile_child()
    runs = 3 if args.quick else 5

    # EXCITABLE_SERVER=0: in-process, and no run here leaves a warm server behind.
    base = {**os.environ, "MPLBACKEND": "Agg", "EXCITABLE_SERVER": "0"}
    with tempfile.TemporaryDirectory(prefix="excitable-bench-cache-") as cache:
        env = {**base, "JAX_COMPILATION_CACHE_DIR": cache}
        cold = wall(excitable_cmd(), env)
        ours = median_wall(excitable_cmd(), env, runs)
        imports = importtime(env)
        served, server_start = served_wall(env, runs)
    with tempfile.TemporaryDirectory(prefix="excitable-bench-cache-") as cache:
        env = {**base, "JAX_COMPILATION_CACHE_DIR": cache}
        profiles = []
        for _ in range(2):  # empty cache, then warm; "outside" = interpreter start and exit
            t0 = time.perf_counter()
            p = c.child_json([__file__, "--profile-child"], env)
            p["interpreter start + exit"] = time.perf_counter() - t0 - p.pop("in_process")
            profiles.append(p)
        prof_cold, prof = profiles
    have_neuron = c.neuron_h() is not None
    startup = {name: median_wall([c.PYTHON, "-c", code], base, runs) for name, code in
               [("pass", "pass"), ("import numpy", "import numpy"), ("import jax", "import jax"),
                ("import jax, os; os._exit(0)", "import jax, os; os._exit(0)")]
               + ([("from neuron import h", "from neuron import h")] if have_neuron else [])}
    nrn = median_wall([c.PYTHON, NEURON_SCRIPT], base, runs) if have_neuron else None
    # `excitable list`: the questions in the tour's order, read from the declarations (no JAX import)
    listing = median_wall(excitable_cmd(["list"]), base, runs)

    print(f"CLI end to end, process start to exit, median of {runs} after one warm-up")
    print("  excitable run action-potential --json")
    print(f"    served by the warm server (repeated) {c.fmt_s(served):>10}"
          + (f"   ours / NEURON = {served / nrn:.1f}x" if nrn else "")
          + f"   (server start until ready: {c.fmt_s(server_start)})")
    print(f"    in-process (EXCITABLE_SERVER=0)      {c.fmt_s(ours):>10}"
          + (f"   ours / NEURON = {ours / nrn:.1f}x" if nrn else "") + f"   (empty cache: {c.fmt_s(cold)})")
    if nrn:
        print(f"  NEURON script (same experiment)        {c.fmt_s(nrn):>10}")
    print(f"  excitable list (no JAX imported)       {c.fmt_s(listing):>10}   (goal < 0.3 s)")
    for name, s in startup.items():
        print(f"  python -c {name!r:<29} {c.fmt_s(s):>10}")
    print("    (the difference between the two jax lines is the interpreter's clean-up at exit)")
    print("  imports during one in-process CLI run, by package (-X importtime, self times): "
          + ", ".join(f"{k} {c.fmt_s(v)}" for k, v in list(imports.items())[:6])
          + f"; matplotlib imported: {'yes' if 'matplotlib' in imports else 'no'}")
    print("  where one CLI run goes, in a fresh process (exclusive times of each phase):")
    print(f"    {'phase':<40} {'empty cache':>11} {'warm cache':>11} {'2nd call':>11}")
    for name in (k for k in prof if not isinstance(prof[k], dict)):
        print(f"    {name:<40} {c.fmt_s(prof_cold[name]):>11} {c.fmt_s(prof[name]):>11}")
    runs_ = (prof_cold["first"], prof["first"], prof["again"])
    for name in (k for k in prof["first"] if k != "jax"):
        print(f"    {name:<40} " + " ".join(f"{c.fmt_s(r.get(name)):>11}" for r in runs_))
    for key, label in (("trace", "JAX: trace (jaxpr)"), ("lower", "JAX: lower (StableHLO)"),
                       ("backend", "JAX: XLA compile or cache load"), ("cache_hits", "JAX: cache hits"),
                       ("cache_misses", "JAX: cache misses")):
        vals = [r["jax"][key] for r in runs_]
        print(f"    {label:<40} " + " ".join(f"{(c.fmt_s(v) if 'cache' not in key else v):>11}"
                                             for v in vals))
    c.emit([
        c.row("cli", "excitable run action-potential --json (repeated: warm server)", served, nrn,
              "ours <= 2x NEURON", 0.5),
        c.row("cli", "the same, in-process (EXCITABLE_SERVER=0)", ours, nrn),
        c.row("cli", "the same, in-process, empty JAX cache (first run)", cold, nrn),
        c.row("cli", "excitable list (the questions in the tour's order)", listing, None, "< 0.3 s"),
        c.row("cli", "python -c 'import jax' vs 'from neuron import h'", startup["import jax"],
              startup.get("from neuron import h")),
    ])


if __name__ == "__main__":
    sys.exit(main())
