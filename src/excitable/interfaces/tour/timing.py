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
#: machine, one experiment at a time (measured with `excitable tour`: DIR/tour.json).
SECONDS: dict[str, tuple[float, float]] = {
    "resting-potential": (4.0, 1.0), "hyper-depolarization": (2.5, 0.7), "graded-potential": (6.0, 2.0),
    "all-or-none": (2.5, 0.8), "action-potential": (2.5, 0.8), "gates-overlap": (2.0, 0.8),
    "membrane-currents": (2.0, 0.8), "undershoot": (3.5, 1.5), "refractory-period": (3.0, 1.5),
    "propagation": (4.0, 1.5), "one-way": (4.5, 2.0), "myelination": (6.0, 2.5),
    "synaptic-transmission": (6.0, 2.0), "excitation-inhibition": (5.0, 2.0), "receptor-types": (7.0, 2.5),
    "transmitter-clearance": (4.0, 1.5), "pump-failure": (7.0, 4.0), "permeability": (3.0, 1.0),
    "epilepsy": (30.0, 25.0), "synapse-speed": (4.0, 1.5), "neuron-types": (8.0, 4.0),
    "voltage-clamp": (2.5, 1.0), "morphology": (3.0, 1.5),
}
DEFAULT_SECONDS = (5.0, 2.0)
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
