"""How long the tour will take, said before it starts, and the order that finishes it soonest.

``SECONDS`` holds each experiment's time in the tour (default settings) on the reference machine of
BENCHMARKS.md (2 cores, no GPU, idle): on the first run (every program compiled) and with the
compiled programs cached. They are estimates for a newcomer's "how long will this take?", not
promises, and no test asserts them; ``benchmarks/bench_tour.py`` measures the real thing. An
experiment missing here counts as ``DEFAULT_SECONDS``.

With several worker processes the experiments go longest first (``longest_first``), each to the
first free worker, so the longest (a network) does not start last and keep everyone waiting; the
estimate replays that schedule (``makespan``).
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Sequence

#: name -> (seconds on the first run, seconds with cached programs), default settings, reference
#: machine, one experiment at a time: each experiment's CPU seconds in DIR/tour.json (`excitable tour
#: --jobs 1`, empty caches, 2026-12-06) scaled to the 97 s of the whole tour on the idle machine
#: (BENCHMARKS.md), less the SVG the tour no longer draws; epilepsy, neuron-types and pump-failure
#: (cached) as bench_tour.py measured them in the tour after their speed-ups (2026-12-06); first-run
#: times scaled by 1.45 so the whole matches bench_tour.py's 70 s with empty caches (2 workers), then
#: each less the compile CPU that the program store's fast CPU options (``engine.programs``) saved it
#: in a side-by-side measurement (2026-12-06, BENCHMARKS.md: 0-52 %; one-way 32 % more). Experiments
#: added since (calcium-release, postsynaptic-spike, neuron-shapes, model): their CPU seconds in a
#: one-process tour with empty caches, on the same scale; all first-run times x 1.1, so that the
#: table before the fast options replays the measured 70 s.
SECONDS: dict[str, tuple[float, float]] = {
    "resting-potential": (2.6, 0.8), "hyper-depolarization": (1.1, 0.5),
    "graded-potential": (3.0, 1.3), "all-or-none": (3.2, 0.8), "action-potential": (1.3, 0.5),
    "gates-overlap": (1.8, 0.5), "membrane-currents": (0.8, 0.5), "undershoot": (1.4, 0.5),
    "undershoot-recovery": (2.6, 0.8), "refractory-period": (1.1, 0.5), "propagation": (1.5, 0.5),
    "one-way": (6.3, 1.3), "myelination": (4.2, 1.7), "synaptic-transmission": (4.1, 1.7),
    "electrical-synapse": (3.6, 1.3), "excitation-inhibition": (4.6, 1.2),
    "receptor-types": (3.7, 2.2), "transmitter-clearance": (2.9, 0.9), "pump-failure": (5.7, 4.3),
    "permeability": (2.9, 0.8), "epilepsy": (12.8, 4.9), "synapse-speed": (4.2, 1.4),
    "neuron-types": (8.1, 5.8), "voltage-clamp": (1.7, 0.5), "morphology": (1.3, 0.5),
    "calcium-release": (5.2, 0.9), "postsynaptic-spike": (3.6, 0.6), "neuron-shapes": (6.8, 1.8),
    "model": (1.5, 0.4),
}
DEFAULT_SECONDS = (7.0, 2.0)
#: Starting a worker process (Python, JAX, matplotlib), seconds; once per worker, in parallel.
STARTUP_S = 3.0
#: More workers than this gain little (each JAX process uses several threads) and cost memory.
MAX_JOBS = 4


def default_jobs(n_experiments: int) -> int:
    """Worker processes for a tour of ``n_experiments``: one per core, at most ``MAX_JOBS``, and
    one (in this process) for a single experiment or a single core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_JOBS, n_experiments))


def expected(name: str, cached: bool) -> float:
    return SECONDS.get(name, DEFAULT_SECONDS)[1 if cached else 0]


def longest_first(names: Sequence[str]) -> list[str]:
    """``names`` by expected time, longest first (ties: in the given order)."""
    return sorted(names, key=lambda n: -expected(n, cached=False))


def makespan(names: Sequence[str], jobs: int, cached: bool) -> float:
    """Seconds until the last experiment is done, each taken longest first by the first free worker."""
    free = [0.0] * max(1, jobs)
    for name in longest_first(names):
        heapq.heappush(free, heapq.heappop(free) + expected(name, cached))
    return max(free) + (STARTUP_S if jobs > 1 else 0.0)


def estimate_line(names: Sequence[str], jobs: int, quick: bool) -> str:
    """What the tour says before it starts: "23 experiments, about 25 s (cached programs) / 55 s
    (first run), 2 at a time"."""
    cached, first = (makespan(names, jobs, c) for c in (True, False))
    scale = 0.7 if quick else 1.0  # quick settings: shorter runs, the same programs to compile
    n = len(names)
    at_once = f", {jobs} at a time" if jobs > 1 else ""
    return (f"{n} experiment{'s' * (n != 1)}, about {_round(cached * scale)} s (cached programs) / "
            f"{_round(first * scale)} s (first run){at_once}")


def _round(seconds: float) -> int:
    return max(1, int(round(seconds / 5.0) * 5)) if seconds >= 10 else max(1, round(seconds))
