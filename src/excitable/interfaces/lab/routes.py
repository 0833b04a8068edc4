"""The JSON routes of docs/lab-api.md, added to the app by ``add_api``: each reads its body,
refuses what it must BEFORE queueing (``api.resolve``, ``guards.check``), then hands the run to the
runner (runs and sensitivities) or answers at once (listing, ions, uploads)."""

from __future__ import annotations

import time

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from excitable.interfaces.lab import api, catalog, guards


def _disconnected(request: Request):
    return request.is_disconnected


def _respond(value) -> Response:
    """The JSON the worker already encoded (``runner.Payload.raw``), else a JSONResponse as it is
    (FastAPI's encoder would walk every sample in Python again)."""
    raw = getattr(value, "raw", None)
    if raw is not None:
        return Response(content=raw, media_type="application/json")
    return JSONResponse(value)


def add_api(app: FastAPI) -> None:
    from excitable.interfaces.lab.uploads import UploadStore

    from excitable.interfaces.lab.batcher import Batcher

    app.state.uploads = UploadStore()
    app.state.batcher = Batcher(app.state.runner.submit)

    @app.get("/api/status")
    def status():
        runner = app.state.runner
        return {"warm": runner.warm, "pending": runner.pending(), "workers": runner.workers,
                "stats": dict(runner.stats), "batches": list(app.state.batcher.batches[-20:])}

    @app.get("/api/experiments")
    def listing():
        return catalog.listing()

    @app.get("/api/experiments/{name}")
    def one(name: str):
        return catalog.entry(api.declared(name).name)

    @app.post("/api/run/{name}")
    async def run(name: str, request: Request):
        exp = api.declared(name)
        body = api.body_object(await request.body())
        values = api.resolve(exp, body.get("params"))
        guards.check(values)
        swc_path = upload_name = None
        if exp.name in ("morphology", "model"):
            swc_path, upload_name = app.state.uploads.for_run(values.get("swc"))
        for field in ("mechanisms", "parameters"):  # model: files on the server are not a request's to name
            if values.get(field):
                raise api.ApiError(422, f"{field}: the lab reads no files named by a request; run a downloaded "
                                        f"model with: excitable run model --set {field}=...", field)
        key = api.cache_key("run", exp.name, values)

        def work():
            if swc_path is None:
                return api.run_payload(exp, values)
            with app.state.uploads.materialized(values["swc"]) as path:
                return api.run_payload(exp, values, swc_path=str(path), upload_name=upload_name)

        start = None
        if exp.batches and app.state.batcher is not None:  # a class on one page: one vmapped run
            start = lambda: app.state.batcher.submit(exp, values, api.payload_of)  # noqa: E731
        return _respond(await app.state.runner.run(key, work, _disconnected(request), start=start))

    @app.post("/api/sensitivity/{name}")
    async def sensitivity(name: str, request: Request):
        from excitable.interfaces.lab import sensitivity as sens

        exp = api.declared(name)
        body = api.body_object(await request.body())
        values = api.resolve(exp, body.get("params"))
        guards.check(values)
        target = sens.target(exp.name, body.get("target"))
        key = api.cache_key("sensitivity", exp.name, values, target.key)
        return _respond(await app.state.runner.run(key, lambda: sens.rank(exp, values, target), _disconnected(request)))

    @app.post("/api/ions")
    async def ions(request: Request):
        from excitable.interfaces.lab import ions as closed_forms

        t0 = time.perf_counter()
        out = closed_forms.answer(api.body_object(await request.body()))
        out["elapsed_ms"] = round((time.perf_counter() - t0) * 1e3, 3)
        return out

    @app.post("/api/swc")
    async def swc(request: Request):
        return await app.state.uploads.receive(request)
