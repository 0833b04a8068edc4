"""The lab's worker pool without simulations: cache, shared runs, queue limit, time limit and the
cancellation of queued work when the client goes away (plain functions stand in for runs)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from excitable.interfaces.lab.runner import Busy, Runner, TimedOut


def _blocker():
    """A run that holds its worker until released; ``started`` says it began."""
    started, release = threading.Event(), threading.Event()

    def fn():
        started.set()
        release.wait(10)
        return {"value": "slow"}

    return fn, started, release


def test_result_then_cache_hit():
    calls = []
    runner = Runner(workers=1)

    def fn():
        calls.append(1)
        return {"value": 42}

    first = asyncio.run(runner.run("k", fn))
    second = asyncio.run(runner.run("k", fn))
    assert first["value"] == second["value"] == 42
    assert (first["cached"], second["cached"]) == (False, True)
    assert len(calls) == 1 and first["elapsed_ms"] >= 0
    runner.close()


def test_cache_is_bounded_lru():
    runner = Runner(workers=1, cache=2)
    for key in ("a", "b", "c"):
        asyncio.run(runner.run(key, lambda key=key: {"value": key}))
    assert runner.cached("a") is None and runner.cached("c")["value"] == "c"
    runner.close()


def test_identical_requests_in_flight_share_one_run():
    runner = Runner(workers=2)
    fn, started, release = _blocker()

    async def both():
        tasks = [asyncio.create_task(runner.run("same", fn)) for _ in range(3)]
        await asyncio.sleep(0.2)
        release.set()
        return await asyncio.gather(*tasks)

    out = asyncio.run(both())
    assert [o["value"] for o in out] == ["slow"] * 3
    assert runner.stats["runs"] == 1 and runner.stats["shared"] == 2
    runner.close()


def test_queue_full_is_refused_before_running():
    runner = Runner(workers=1, queue=1)
    fn, started, release = _blocker()

    async def scenario():
        first = asyncio.create_task(runner.run("a", fn))
        await asyncio.sleep(0.1)
        with pytest.raises(Busy, match="busy"):
            await runner.run("b", lambda: {"value": "never"})
        release.set()
        return await first

    assert asyncio.run(scenario())["value"] == "slow"
    runner.close()


def test_time_limit():
    runner = Runner(workers=1, time_limit_s=0.2)
    fn, started, release = _blocker()
    with pytest.raises(TimedOut, match="time limit of 0.2 s"):
        asyncio.run(runner.run("a", fn))
    release.set()
    runner.close()


def test_a_client_that_leaves_takes_its_queued_run_out_of_the_queue():
    runner = Runner(workers=1)
    fn, started, release = _blocker()
    ran = []

    async def gone():
        return True

    async def scenario():
        first = asyncio.create_task(runner.run("a", fn))
        assert await asyncio.to_thread(started.wait, 5)
        with pytest.raises(asyncio.CancelledError):
            await runner.run("b", lambda: ran.append(1) or {"value": "b"}, gone)
        release.set()
        await first

    asyncio.run(scenario())
    runner.close()
    assert ran == [] and runner.stats["cancelled"] == 1


def _app_with(monkeypatch, runner, payload_fn):
    """The lab with ``runner`` and runs replaced by ``payload_fn`` (no simulation)."""
    from fastapi.testclient import TestClient

    from excitable.interfaces.lab import api
    from excitable.interfaces.lab.app import create_app

    monkeypatch.setattr(api, "run_payload", payload_fn)
    return TestClient(create_app(runner), raise_server_exceptions=False)


def test_http_queue_full_is_503_and_time_limit_504(monkeypatch):
    pytest.importorskip("fastapi")
    fn, started, release = _blocker()
    client = _app_with(monkeypatch, Runner(workers=1, queue=0), lambda exp, values, **kw: fn())
    r = client.post("/api/run/action-potential", json={})
    assert r.status_code == 503 and r.headers["retry-after"] == "1" and "busy" in r.json()["error"]
    client = _app_with(monkeypatch, Runner(workers=1, time_limit_s=0.2), lambda exp, values, **kw: fn())
    r = client.post("/api/run/action-potential", json={})
    assert r.status_code == 504 and "time limit" in r.json()["error"] and r.json()["field"] is None
    release.set()


def test_http_a_bug_is_one_line_500_without_traceback(monkeypatch):
    pytest.importorskip("fastapi")

    def broken(exp, values, **kw):
        raise ZeroDivisionError("division by zero")

    r = _app_with(monkeypatch, Runner(workers=1), broken).post("/api/run/action-potential", json={})
    assert r.status_code == 500
    assert r.json() == {"error": "internal error (ZeroDivisionError: division by zero)", "field": None}


def test_the_start_up_warm_up_gives_way_to_requests():
    """While a request runs the warm-up waits (up to its limit); once requests stop it goes on after
    the quiet interval; the app's middleware counts HTTP requests in and out."""
    import time

    from fastapi.testclient import TestClient

    from excitable.interfaces.lab.app import create_app
    from excitable.interfaces.lab.warmup import Activity

    a = Activity()
    a.started()
    t0 = time.monotonic()
    a.wait_quiet(quiet_s=0.05, max_wait_s=0.3)
    assert time.monotonic() - t0 >= 0.3  # a request in flight: waited the whole limit
    a.ended()
    t0 = time.monotonic()
    a.wait_quiet(quiet_s=0.2, max_wait_s=5.0)
    assert 0.2 <= time.monotonic() - t0 < 4.0  # quiet for 0.2 s, then on (not the 5-s limit)

    app = create_app(Runner(workers=1))
    with TestClient(app) as client:
        assert client.get("/api/experiments").status_code == 200
    activity = app.state.activity
    assert activity.first.is_set() and activity.in_flight == 0 and activity.last is not None


def test_the_warm_up_covers_every_program_gates_overlap_meets():
    """gates-overlap's settings beyond its defaults in the warm-up: its other model, a drug (the
    test pulse's program), pronase (another model), and a (delay, window) pair for every rung of
    its ladders of lengths (the search's and the measured run's) that the two sliders reach at the
    default dt (computed here over every slider position), each setting valid, the nearest rungs
    first; other pages have none."""
    from excitable.engine.run import n_steps
    from excitable.experiments.excitability import gates_overlap as go
    from excitable.interfaces.lab import api
    from excitable.interfaces.lab.warmup import more_settings

    exp = api.declared("gates-overlap")
    dt, anchor = exp.params["dt"].default, n_steps(go.DEFAULT_TSTOP_MS, exp.params["dt"].default)
    d, w = exp.params["delay"].slider, exp.params["window"].slider
    lengths = [n_steps(d.low + i * d.step + w.low + j * w.step, dt)
               for i in range(int(round((d.high - d.low) / d.step)) + 1)
               for j in range(int(round((w.high - w.low) / w.step)) + 1)]
    settings = more_settings("gates-overlap")
    for given in settings:
        api.resolve(exp, given)  # a valid request
    warmed = [n_steps(g["delay"] + g["window"], dt) for g in settings if "delay" in g]
    for q in (go.RUNGS_PER_OCTAVE, go.SEARCH_RUNGS_PER_OCTAVE):
        reached = {go.run_length(n, anchor, q) for n in lengths}
        assert {go.run_length(n, anchor, q) for n in warmed} | {anchor} == reached and len(reached) > 5
    assert len(warmed) == len({go.run_length(n, anchor, go.SEARCH_RUNGS_PER_OCTAVE) for n in warmed})  # no rung twice
    near = next(g for g in settings if "delay" in g)  # first: one slider step from the defaults
    steps_away = (abs(near["delay"] - exp.params["delay"].default) / d.step
                  + abs(near["window"] - exp.params["window"].default) / w.step)
    assert steps_away == 1
    assert {"model": "hh"} in settings and {"no_inactivation": True} in settings
    assert any(g.get("gK_scale", 1.0) != 1.0 or g.get("gNa_scale", 1.0) != 1.0 for g in settings)
    assert more_settings("action-potential") == []
