"""The payload's downsampling and JSON, without a simulation: every bucket's extrema kept (checked
against a brute-force scan of the same buckets), and the worker's JSON equal to json.dumps'."""

from __future__ import annotations

import json

import numpy as np

from excitable.interfaces.lab.payload import keep_indices
from excitable.interfaces.lab.runner import encoded


def test_every_buckets_extrema_survive_the_downsampling():
    rng = np.random.default_rng(0)
    n, budget = 12401, 2000
    t = np.arange(n) * 0.025
    traces = [np.cumsum(rng.normal(size=n)), np.sin(t) + 0.01 * rng.normal(size=n), rng.normal(size=n)]
    traces[2][5000:5100] = np.nan  # a stretch not measured
    idx = keep_indices(t, traces, budget)
    assert len(idx) <= budget and np.all(np.diff(idx) > 0) and idx[0] == 0 and idx[-1] == n - 1
    kept = set(idx.tolist())
    for y in traces:
        assert int(np.nanargmax(y)) in kept and int(np.nanargmin(y)) in kept
    # The brute-force reference: the same equal buckets, scanned one by one.
    per_bucket = 2 * len(traces)
    buckets = (budget - 2 * len(traces) - 2) // (per_bucket + 1)
    width = -(-n // buckets)
    for a in range(0, n, width):
        for y in traces:
            seg = y[a:a + width]
            if np.isfinite(seg).any():
                assert a + int(np.nanargmax(seg)) in kept and a + int(np.nanargmin(seg)) in kept


def test_short_runs_are_sent_whole():
    t = np.arange(1500.0)
    np.testing.assert_array_equal(keep_indices(t, [t ** 2]), np.arange(1500))


def test_the_workers_json_is_what_json_dumps_writes():
    value = {"t": [0.0, 0.025, 1e-05, 1e16], "summary": {"peak_mV": 40.2, "n": 3, "none": None, "ok": True},
             "unit": "µA/cm²", "nested": [[1, 2.5], []]}
    raw = encoded(value).raw
    assert json.loads(raw) == value
    assert json.loads(encoded(value).with_cached(True).raw) == {**value, "cached": True}
    assert json.loads(encoded({"x": float("nan")}).raw) == {"x": None}  # as the payload builders write it
