"""Progress reporting for long runs, without threading a callback through every experiment.

The CLI installs a reporter with ``reporting(StderrBar())``; ``Simulation.run`` then runs long
simulations in chunks and reports after each. Library users get no output unless they install one.
"""

from __future__ import annotations

import contextvars
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Reporter = Callable[[int, int], None]  # (steps done, steps in total)
_current: contextvars.ContextVar[Reporter | None] = contextvars.ContextVar("excitable_progress", default=None)


def current() -> Reporter | None:
    return _current.get()


@contextmanager
def reporting(reporter: Reporter | None) -> Iterator[None]:
    token = _current.set(reporter)
    try:
        yield
    finally:
        _current.reset(token)


class StderrBar:
    """A one-line bar on stderr, shown only once a run has taken more than ``after_s`` seconds."""

    def __init__(self, label: str = "", after_s: float = 1.0, stream=None):
        self.label = label
        self.after_s = after_s
        self.stream = stream or sys.stderr
        self.t0 = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.t0
        if elapsed < self.after_s and done < total:
            return
        if not self.shown and done >= total:
            return  # finished before the bar was worth showing
        self.shown = True
        frac = done / max(total, 1)
        bar = "#" * int(30 * frac)
        end = "\n" if done >= total else ""
        self.stream.write(f"\r{self.label} [{bar:<30}] {100 * frac:5.1f}%  {elapsed:6.1f} s{end}")
        self.stream.flush()
