"""Warm-up: the single-compartment pages run once with their defaults when the lab starts (in the
background), so their programs are compiled and cached before the first slider moves; then the
batching pages compile their vmapped programs for every batch size a class may send (``run_many``
pads a batch to a power of 2: 2, 4, ... 32), which otherwise stall the first class for a second or
two per size; last, the settings beyond the defaults whose programs a page's controls meet
(``more_settings``: gates-overlap's model, drug, pronase and the rungs of its run lengths).

The warm-up gives way to learners: it starts after the first page has loaded (or after
``FIRST_WAIT_S`` without a request) and runs each program only when no request has come for
``QUIET_S`` (at most ``MAX_WAIT_S`` later): compiling keeps both cores busy, and a page's files
served meanwhile took 0.4-0.5 s each instead of a few ms.
"""

from __future__ import annotations

import logging
import threading
import time

#: The pages a learner meets first, single compartments: fast once compiled.
WARM = ("action-potential", "gates-overlap", "membrane-currents", "all-or-none", "hyper-depolarization")
#: Batch sizes compiled at start for the pages that batch (``batcher.MAX_BATCH`` is the largest).
BATCH_SIZES = (2, 4, 8, 16, 32)


#: Seconds to wait for the first request before warming up anyway.
FIRST_WAIT_S = 3.0
#: Seconds without a request before each warm-up run.
QUIET_S = 0.5
#: The longest a warm-up run waits for quiet (a busy class still gets its programs compiled).
MAX_WAIT_S = 10.0


class Activity:
    """When the last request ended and how many are running (kept by the app's middleware)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.in_flight = 0
        self.last = None  # time.monotonic() of the last request's end; None: none yet
        self.first = threading.Event()

    def started(self) -> None:
        with self._lock:
            self.in_flight += 1
        self.first.set()

    def ended(self) -> None:
        with self._lock:
            self.in_flight -= 1
            self.last = time.monotonic()

    def wait_quiet(self, quiet_s: float = QUIET_S, max_wait_s: float = MAX_WAIT_S) -> None:
        """Return once no request has run for ``quiet_s`` seconds, or after ``max_wait_s``."""
        give_up = time.monotonic() + max_wait_s
        while time.monotonic() < give_up:
            with self._lock:
                idle = self.in_flight == 0 and (self.last is None or time.monotonic() - self.last >= quiet_s)
            if idle:
                return
            time.sleep(0.05)


def warm_up(runner, names=WARM, activity: Activity | None = None) -> None:
    """Run each page of ``names`` with its defaults, then the batch sizes of the batching pages,
    then each page's ``more_settings``, each when no request has run for ``QUIET_S``."""
    log = logging.getLogger("excitable.lab")
    if activity is None:  # called on its own (tests, scripts): no requests to give way to
        activity = Activity()
        activity.first.set()
    activity.first.wait(FIRST_WAIT_S)
    for name in names:
        _warm_page(runner, name, {}, activity, log)
    from excitable import experiments
    from excitable.experiments.common.batching import run_many

    for name in names:
        if experiments.declaration(name).batches:
            for n in BATCH_SIZES:
                activity.wait_quiet()
                try:
                    run_many(name, [{"tstop": experiments.declaration(name).params["tstop"].default}] * n)
                except Exception:  # noqa: BLE001
                    log.exception("batch warm-up of %s failed", name)
    for name in names:
        for given in more_settings(name):
            _warm_page(runner, name, given, activity, log)
    runner.warm = True


def more_settings(name: str) -> list[dict]:
    """Settings of page ``name`` beyond its defaults whose programs its controls meet, most likely
    first: gates-overlap's model, drug and pronase, and each rung of its ladder of run lengths (the
    delay and window sliders), so that none of its controls compiles once the warm-up is over
    (except dt, a constant of the compiled program)."""
    if name == "gates-overlap":
        from excitable.experiments.excitability.gates_overlap import warm_settings

        return warm_settings()
    return []


def _warm_page(runner, name: str, given: dict, activity: Activity, log) -> None:
    """Run page ``name`` with ``given`` as a request would (its payload cached), once it is quiet."""
    import asyncio

    from excitable.interfaces.lab import api

    activity.wait_quiet()
    exp = api.declared(name)
    values = exp.resolve(given)
    try:
        asyncio.run(runner.run(api.cache_key("run", name, values), lambda: api.run_payload(exp, values)))
    except Exception:  # noqa: BLE001 - a warm-up that fails only leaves that page (setting) cold
        log.exception("warm-up of %s %s failed", name, given)
