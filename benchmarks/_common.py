"""Helpers shared by the benchmarks: timing, the NEURON reference set-up, and result rows.

Every benchmark prints readable lines and, last, one ``RESULT {json}`` line with its rows, which
``run_all.py`` collects into a single table. A row is a dict:

    bench, measure: what was timed
    ours, neuron:   seconds (None where not applicable or NEURON is not installed)
    speedup:        neuron / ours (> 1: excitable is faster)
    goal, met:      the goal from the issue, as text, and whether this run met it (None: no goal)
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# The HH workload of the issue: one 20 x 20 um cylinder at 6.3 degC, dt 0.025 ms.
LENGTH_UM = DIAMETER_UM = 20.0
AREA_UM2 = math.pi * LENGTH_UM * DIAMETER_UM
DT = 0.025
CELSIUS = 6.3


def density_to_nA(uA_cm2: float) -> float:
    """Current (nA) giving ``uA_cm2`` over the 20 x 20 um cylinder."""
    return uA_cm2 * AREA_UM2 * 1e-5


def neuron_h():
    """NEURON's ``h`` with the standard run system, or None if NEURON is not installed."""
    try:
        from neuron import h
    except ImportError:
        return None
    h.load_file("stdrun.hoc")
    return h


def neuron_hh_section(h, name: str, amp_nA: float, delay: float, dur: float, gna_mS_cm2=None):
    """One 20 x 20 um section with hh (exact rates) and an IClamp; returns (section, clamp)."""
    sec = h.Section(name=name)
    sec.L, sec.diam = LENGTH_UM, DIAMETER_UM
    sec.insert("hh")
    if gna_mS_cm2 is not None:
        sec(0.5).hh.gnabar = gna_mS_cm2 / 1000.0  # NEURON's hh uses S/cm2
    stim = h.IClamp(sec(0.5))
    stim.amp, stim.delay, stim.dur = amp_nA, delay, dur
    return sec, stim


def neuron_setup(h) -> None:
    """Fixed step, backward Euler, exact HH rates (docs/design.md "Matching NEURON")."""
    h.usetable_hh = 0
    h.dt, h.secondorder, h.celsius = DT, 0, CELSIUS


def neuron_runners(h, tstop: float, pc=None):
    """(continuerun, psolve): NEURON's two ways to run ``tstop`` ms from finitialize(-65).

    continuerun is the standard run system (a hoc loop around each step); ParallelContext.psolve
    does the same fixed steps in C.
    """
    pc = pc or h.ParallelContext()
    pc.set_maxstep(10.0)

    def continuerun():
        h.finitialize(-65.0)
        h.continuerun(tstop)

    def psolve():
        h.finitialize(-65.0)
        pc.psolve(tstop)

    return continuerun, psolve


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def median_time(fn, repeats: int) -> float:
    """Median wall time (s) of ``repeats`` calls of ``fn``."""
    return statistics.median(timed(fn) for _ in range(repeats))


def cpu(fn, repeats: int) -> float:
    """Median CPU seconds (time.process_time: the machine may be shared) of ``repeats`` calls of
    ``fn``, after one warm-up call (compilation)."""
    fn()
    out = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        out.append(time.process_time() - t0)
    return statistics.median(out)


def spike_count(v, threshold: float = 0.0) -> int:
    """Upward crossings of ``threshold`` (mV) along the last axis (sum over cells if 2-D)."""
    import numpy as np

    above = np.asarray(v) >= threshold
    return int(np.sum(~above[..., :-1] & above[..., 1:]))


def child_json(args: list[str], env: dict | None = None) -> dict:
    """Run ``python args...`` and parse the last stdout line as JSON (raise with stderr on failure)."""
    proc = subprocess.run([PYTHON, *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def jax_counters() -> dict:
    """Register JAX monitoring listeners; the returned dict fills with JAX's own compile counters.

    Keys: "cache_hits", "cache_misses" (persistent cache), and seconds for "trace" (Python -> jaxpr),
    "lower" (jaxpr -> StableHLO), "backend" (XLA compile or, on a cache hit, loading the executable).
    Nested jit calls are counted inside their parent too, so the seconds are an upper bound.
    """
    from jax import monitoring

    names = {"/jax/compilation_cache/cache_hits": "cache_hits",
             "/jax/compilation_cache/cache_misses": "cache_misses",
             "/jax/core/compile/jaxpr_trace_duration": "trace",
             "/jax/core/compile/jaxpr_to_mlir_module_duration": "lower",
             "/jax/core/compile/backend_compile_duration": "backend"}
    out = dict.fromkeys(names.values(), 0)

    def on_event(event, **_):
        if event in names:
            out[names[event]] += 1

    def on_duration(event, secs, **_):
        if event in names:
            out[names[event]] += secs

    monitoring.register_event_listener(on_event)
    monitoring.register_event_duration_secs_listener(on_duration)
    return out


def row(bench: str, measure: str, ours=None, neuron=None, goal: str = "", min_speedup=None) -> dict:
    speedup = neuron / ours if ours and neuron else None
    met = None if min_speedup is None or speedup is None else speedup >= min_speedup
    return {"bench": bench, "measure": measure, "ours": ours, "neuron": neuron, "speedup": speedup,
            "goal": goal, "met": met}


def emit(rows: list[dict]) -> None:
    print("RESULT " + json.dumps(rows), flush=True)


def fmt_s(x) -> str:
    """Seconds in a readable unit."""
    if x is None:
        return "-"
    if x < 1e-3:
        return f"{x * 1e6:.1f} us"
    if x < 1.0:
        return f"{x * 1e3:.1f} ms"
    return f"{x:.2f} s"
