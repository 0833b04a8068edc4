"""The lab's FastAPI application: the pages (static files), the JSON API (``api.py``) and the
error handlers that keep every refusal to one line (``{"error", "field"}``, never a traceback).

``create_app(runner)`` builds it (tests use it in-process); ``serve(host, port)`` runs it with
uvicorn (``excitable lab``).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from excitable import experiments
from excitable.errors import ModelError, SimulationError
from excitable.interfaces.lab import api, catalog, guards
from excitable.interfaces.lab.runner import Busy, Runner, TimedOut

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("excitable.lab")

_PLACEHOLDER = """<!doctype html><html lang="en"><meta charset="utf-8"><title>excitable lab</title>
<body><h1>excitable lab</h1><p>The pages are not installed; the API answers at
<a href="/api/experiments">/api/experiments</a>.</p></body></html>"""


def _error(status: int, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse({"error": " ".join(str(message).split()), "field": field}, status_code=status)


def plotly_js() -> Path:
    """The minified plotly.js that the ``plotly`` package ships (served as /static/vendor/plotly.min.js)."""
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.origin:
        raise FileNotFoundError("plotly is not installed: pip install 'excitable[lab]'")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


def _page(name: str, fallback: str = _PLACEHOLDER) -> Response:
    path = STATIC / name
    return FileResponse(path, media_type="text/html") if path.is_file() else HTMLResponse(fallback)


def _not_found_page(name: str) -> HTMLResponse:
    from html import escape

    items = "".join(f'<li><a href="/x/{n}">{n}</a></li>' for n in experiments.names())
    return HTMLResponse(f"<!doctype html><html lang='en'><meta charset='utf-8'><title>not found</title>"
                        f"<body><h1>No experiment {escape(name)!s}</h1><p>Known experiments:</p>"
                        f"<ul>{items}</ul></body></html>", status_code=404)


def _add_pages(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def home():
        return _page("index.html")

    @app.get("/x/{name}", include_in_schema=False)
    def experiment_page(name: str):
        if name.replace("_", "-") not in experiments.REGISTRY:
            return _not_found_page(name)
        return _page("experiment.html")

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly():
        # It changes only with the installed plotly: a browser may keep it for a day.
        return FileResponse(plotly_js(), media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/static/{path:path}", include_in_schema=False)
    def static(path: str):
        root = STATIC.resolve()
        target = (root / path).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return _error(404, f"no file /static/{path}", None)
        return FileResponse(target)


def _add_handlers(app: FastAPI) -> None:
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    @app.exception_handler(api.ApiError)
    async def api_error(request, e: api.ApiError):
        return _error(e.status, e.message, e.field)

    @app.exception_handler(guards.LabLimit)
    async def lab_limit(request, e: guards.LabLimit):
        return _error(422, str(e), e.field)

    @app.exception_handler(ModelError)
    async def model_error(request, e: ModelError):
        return _error(422, str(e), None)

    @app.exception_handler(SimulationError)
    async def simulation_error(request, e: SimulationError):
        return _error(422, f"the run failed: {e}", None)

    @app.exception_handler(Busy)
    async def busy(request, e: Busy):
        return JSONResponse({"error": str(e), "field": None}, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(TimedOut)
    async def timed_out(request, e: TimedOut):
        return _error(504, str(e), None)

    @app.exception_handler(RequestValidationError)
    async def invalid(request, e: RequestValidationError):
        first = (e.errors() or [{}])[0]
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body")
        return _error(422, f"{where or 'request'}: {first.get('msg', 'invalid')}", where or None)

    @app.exception_handler(HTTPException)
    async def http_error(request, e: HTTPException):
        return _error(e.status_code, str(e.detail), None)

    @app.exception_handler(Exception)
    async def bug(request, e: Exception):  # a bug: logged with its traceback, one line to the page
        log.exception("lab request failed")
        return _error(500, f"internal error ({type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''})")


class NoteActivity:
    """ASGI middleware: tells ``activity`` (warmup.Activity) when each HTTP request starts and ends
    (plain ASGI, so a client's disconnect still reaches the route that waits on a run)."""

    def __init__(self, app, activity):
        self.app, self.activity = app, activity

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path") == "/api/status":  # a probe is not a learner
            return await self.app(scope, receive, send)
        self.activity.started()
        try:
            await self.app(scope, receive, send)
        finally:
            self.activity.ended()


def create_app(runner: Runner | None = None, *, warm: bool = False) -> FastAPI:
    """The lab's application; ``runner`` defaults to a pool of 2 workers; ``warm`` reads the catalog
    now and runs the single-compartment pages once at start-up in the background (their programs
    compile then, and the first slider move finds them ready)."""
    from contextlib import asynccontextmanager

    from excitable.interfaces.lab import routes

    from excitable.interfaces.lab.warmup import WARM, Activity, warm_up

    activity = Activity()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm:
            asyncio.get_running_loop().run_in_executor(None, warm_up, app.state.runner, WARM, activity)
        yield

    app = FastAPI(title="excitable lab", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.runner = runner or Runner()
    app.state.activity = activity

    app.add_middleware(NoteActivity, activity=activity)  # the warm-up gives way to requests (warmup.py)
    _add_handlers(app)
    routes.add_api(app)
    _add_pages(app)
    if warm:
        catalog.listing()  # the declarations and mechanisms read once, before the first page asks
    return app
