"""Progress reporting for long runs, without threading a callback through every experiment.

The CLI installs a reporter with ``reporting(StderrBar())``; ``Simulation.run`` then runs long
simulations in chunks and reports after each. Library users get no output unless they install one.
"""

from __future__ import annotations

import contextvars
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

SPINNER = "|/-\\"
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
    """A one-line progress display on stderr, shown only once the work has taken ``after_s`` seconds.

    Used as a context manager around an experiment, a background thread redraws it four times a
    second: a bar while a long simulation reports its steps (``bar(done, total)``), otherwise a
    spinner with the elapsed time (an experiment made of many short runs).
    """

    def __init__(self, label: str = "", after_s: float = 1.0, stream=None):
        self.label = label
        self.after_s = after_s
        self.stream = stream or sys.stderr
        self.t0 = time.monotonic()
        self.shown = False
        self.fraction: float | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._ticks = 0
        self._entered = False

    def __call__(self, done: int, total: int) -> None:
        # A finished run hands back to the spinner: the experiment may have more work to do.
        self.fraction = done / max(total, 1) if done < total else None
        if self._thread is None and not self._entered:  # used without the context manager
            self._draw(final=False)

    def __enter__(self) -> StderrBar:
        self._entered = True
        self.t0 = time.monotonic()
        if getattr(self.stream, "isatty", lambda: False)():  # no \r-animations in logs and pipes
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.shown:
            with self._lock:
                self.stream.write("\r" + " " * 72 + "\r")
                self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(0.25):
            self._draw(final=False)

    def _draw(self, final: bool) -> None:
        elapsed = time.monotonic() - self.t0
        if elapsed < self.after_s:
            return
        with self._lock:
            self.shown = True
            if self.fraction is None:
                self._ticks += 1
                spin = SPINNER[self._ticks % len(SPINNER)]
                text = f"{self.label} {spin} running  {elapsed:6.1f} s"
            else:
                bar = "#" * int(30 * self.fraction)
                text = f"{self.label} [{bar:<30}] {100 * self.fraction:5.1f}%  {elapsed:6.1f} s"
            self.stream.write("\r" + text[:72].ljust(72))
            self.stream.flush()
