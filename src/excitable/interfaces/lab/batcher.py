"""Concurrent requests for the same experiment run as one vmapped batch (a class moving the same
slider): requests for an experiment that declares ``batches`` wait in a list instead of a worker;
one worker task per experiment drains the list, runs everything that accumulated as one
``experiments.common.batching.run_many`` (points that share a program run as one ``vmap``) and
hands each request its own payload. A request alone runs as ``experiments.run`` does (the same
numbers to the last bit); a request whose client left before its batch started is dropped.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from concurrent.futures import Future

from excitable.interfaces.lab.runner import encoded

#: At most this many requests in one batched run (a class of 30, padded to 32 by run_many).
MAX_BATCH = 32


class Batcher:
    def __init__(self, submit):
        """``submit(fn, *args)``: how a drain task gets a worker (the runner's pool)."""
        self._submit = submit
        self._lock = threading.Lock()
        self._pending: dict[str, list] = defaultdict(list)
        self._draining: set[str] = set()
        self.batches: list[int] = []  # the size of each batched run, for the benchmark and tests

    def submit(self, exp, values, build) -> Future:
        """A Future of ``build(exp, values, result_or_None)``'s payload (``None``: run it alone)."""
        fut: Future = Future()
        with self._lock:
            self._pending[exp.name].append((values, fut, build))
            start = exp.name not in self._draining
            self._draining.add(exp.name)
        if start:
            self._submit(self._drain, exp)
        return fut

    def _take(self, name: str) -> list:
        with self._lock:
            batch, self._pending[name] = self._pending[name][:MAX_BATCH], self._pending[name][MAX_BATCH:]
            if not batch:
                self._draining.discard(name)
        return [item for item in batch if item[1].set_running_or_notify_cancel()]  # left: dropped

    def _drain(self, exp) -> None:
        while True:
            batch = self._take(exp.name)
            if not batch:
                with self._lock:
                    if exp.name in self._draining:
                        continue  # taken empty after cancellations, but not released: look again
                return
            self._run(exp, batch)

    def _run(self, exp, batch: list) -> None:
        from excitable.experiments.common.batching import run_many

        t0 = time.perf_counter()
        if len(batch) == 1:
            results = [None]
        else:
            try:
                results = run_many(exp.name, [dict(values) for values, _, _ in batch])
            except Exception as e:  # noqa: BLE001 - every request of the batch gets the error
                results = [e] * len(batch)
        self.batches.append(len(batch))
        for (values, fut, build), res in zip(batch, results):
            try:
                if isinstance(res, Exception):
                    raise res
                payload = build(exp, values, res)
                payload["elapsed_ms"] = round((time.perf_counter() - t0) * 1e3, 2)
                payload["batch"] = len(batch)
                fut.set_result(encoded(payload))  # its JSON made here, in the worker
            except Exception as e:  # noqa: BLE001 - handed to the request that waits for it
                fut.set_exception(e)
