"""The lab's worker pool: runs go to a bounded pool of threads in the server's one process (the
compiled programs stay warm; JAX releases the GIL while it computes), identical requests are
answered from an LRU cache, identical requests in flight share one run, the queue is bounded
(``Busy``: 503), each request has a time limit (``TimedOut``: 504), and a client that disconnects
while its run is still queued takes it out of the queue.

A run that has started cannot be stopped from outside its thread (XLA has no cancellation): the
time limit answers the client, the worker finishes and its result goes to the cache.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class Payload(dict):
    """A run's payload and, in ``raw``, its JSON encoding (made in the worker thread, so the event
    loop that serves every client does not spend ~6 ms per answer encoding 150 kB of numbers)."""

    raw: bytes | None = None

    def with_cached(self, cached: bool) -> "Payload":
        out = Payload(self, cached=cached)
        if self.raw is not None:  # the same object with "cached" appended: '{...}' -> '{...,"cached":true}'
            out.raw = self.raw[:-1] + (b',"cached":true}' if cached else b',"cached":false}')
        return out


def encoded(value: dict) -> Payload:
    """``value`` with its JSON (UTF-8, compact, a non-finite number as null, as the payload builders
    write them anyway). pydantic_core (FastAPI's own serializer, in Rust) writes the 150 kB of
    numbers of a page ~5x faster than ``json.dumps``; the same numbers (shortest round-trip form).
    Anything it does not know (a NumPy integer) goes through ``json.dumps`` as before."""
    import pydantic_core

    out = Payload(value)
    try:
        out.raw = pydantic_core.to_json(value, inf_nan_mode="null")
    except pydantic_core.PydanticSerializationError:
        out.raw = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    return out


class Busy(Exception):
    """The queue is full: come back later (HTTP 503)."""


class TimedOut(Exception):
    """The run took longer than the lab's time limit (HTTP 504)."""


#: Seconds between checks that a waiting client is still there.
POLL_S = 0.25


class Runner:
    """``workers`` threads; at most ``queue`` runs waiting or running; ``cache`` results kept;
    ``time_limit_s`` per request."""

    def __init__(self, workers: int = 2, queue: int = 64, cache: int = 256, time_limit_s: float = 60.0):
        self.workers, self.queue_limit, self.cache_size = workers, queue, cache
        self.time_limit_s = time_limit_s
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="excitable-lab")
        # Re-entrant: a run that ends at once calls its done-callback inside _submit, lock held.
        self._lock = threading.RLock()
        self._cache: OrderedDict[Any, dict] = OrderedDict()
        self._inflight: dict[Any, tuple[Future, list[int]]] = {}  # key -> (future, [waiters])
        self.warm = False  # set when the start-up warm-up (warmup.py) has finished
        self.stats = {"runs": 0, "cache_hits": 0, "shared": 0, "cancelled": 0, "refused": 0, "timeouts": 0}

    # ---- the cache ----------------------------------------------------------------------------
    def cached(self, key) -> Payload | None:
        """The payload kept for ``key`` with "cached": True, or None."""
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                self.stats["cache_hits"] += 1
                value = self._cache[key]
                return value.with_cached(True) if isinstance(value, Payload) else Payload(value, cached=True)
        return None

    def _store(self, key, value: dict) -> None:
        with self._lock:
            self._cache[key] = value
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    # ---- submitting ---------------------------------------------------------------------------
    def _submit(self, key, fn: Callable[[], dict], start: Callable[[], Future] | None = None
                ) -> tuple[Future, list[int]]:
        with self._lock:
            if key in self._inflight:
                fut, waiters = self._inflight[key]
                waiters[0] += 1
                self.stats["shared"] += 1
                return fut, waiters
            if len(self._inflight) >= self.queue_limit:
                self.stats["refused"] += 1
                raise Busy(f"the lab is busy ({len(self._inflight)} runs queued, at most "
                           f"{self.queue_limit}); try again in a moment")
            fut = start() if start is not None else self._pool.submit(self._work, key, fn)
            entry = (fut, [1])
            self._inflight[key] = entry
            self.stats["runs"] += 1
            fut.add_done_callback(lambda f, key=key: self._done(key, f))
            return entry

    def _work(self, key, fn: Callable[[], dict]) -> dict:
        t0 = time.perf_counter()
        value = fn()
        value["elapsed_ms"] = round((time.perf_counter() - t0) * 1e3, 2)
        return encoded(value)

    def _done(self, key, fut: Future) -> None:
        if not fut.cancelled() and fut.exception() is None and "elapsed_ms" in fut.result():
            self._store(key, fut.result())
        with self._lock:
            if self._inflight.get(key, (None,))[0] is fut:
                del self._inflight[key]

    def _leave(self, key, fut: Future, waiters: list[int]) -> None:
        """One waiter gave up (disconnected): the last one takes a queued run out of the queue."""
        with self._lock:
            waiters[0] -= 1
            last = waiters[0] <= 0
        if last and fut.cancel():
            self.stats["cancelled"] += 1

    async def run(self, key, fn: Callable[[], dict] | None,
                  disconnected: Callable[[], Awaitable[bool]] | None = None,
                  start: Callable[[], Future] | None = None) -> dict:
        """The payload of ``fn()`` for ``key``: from the cache ("cached": True), a run in flight, or a
        new run in the pool (or the Future that ``start()`` returns: a batch, ``batcher.py``).
        Raises Busy, TimedOut, or what the run raised."""
        hit = self.cached(key)
        if hit is not None:
            return hit
        fut, waiters = self._submit(key, fn, start)
        wrapped = asyncio.wrap_future(fut)
        wrapped.add_done_callback(lambda f: f.cancelled() or f.exception())  # retrieved: no warning
        deadline = time.monotonic() + self.time_limit_s
        while True:
            # It returns as soon as the run ends; the timeout only paces the disconnect checks
            # (30 clients polling every 50 ms cost the event loop more than their answers).
            done, _ = await asyncio.wait({wrapped}, timeout=POLL_S)
            if done:
                break
            if disconnected is not None and await disconnected():
                self._leave(key, fut, waiters)
                raise asyncio.CancelledError("the client went away")
            if time.monotonic() > deadline:
                self._leave(key, fut, waiters)
                self.stats["timeouts"] += 1
                raise TimedOut(f"the run took longer than the lab's time limit of "
                               f"{self.time_limit_s:g} s; ask for less (a shorter tstop, fewer compartments)")
        if fut.cancelled():
            raise asyncio.CancelledError("cancelled")
        value = fut.result()
        return value.with_cached(False) if isinstance(value, Payload) else Payload(value, cached=False)

    def submit(self, fn, *args) -> Future:
        """``fn(*args)`` on a worker (a batch's drain task)."""
        return self._pool.submit(fn, *args)

    def pending(self) -> int:
        with self._lock:
            return len(self._inflight)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
