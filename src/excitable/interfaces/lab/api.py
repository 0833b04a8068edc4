"""The lab's JSON API (docs/lab-api.md): the experiments, runs, sensitivities, ions and SWC uploads.

Every refusal is an ``ApiError`` (status, one line, the field) that ``app.py`` turns into
``{"error", "field"}``; the messages are the CLI's (``Experiment.resolve``, ``excitable.limits``,
the SWC parser).
"""

from __future__ import annotations

import json

from excitable import experiments
from excitable.errors import ModelError
from excitable.experiments.base import Experiment, Values


class ApiError(Exception):
    """A refused request: HTTP ``status``, a one-line ``message``, the parameter ``field`` (or None)."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, " ".join(str(message).split()), field


def declared(name: str) -> Experiment:
    """The declaration of ``name``; 404 with the known names otherwise."""
    try:
        return experiments.declaration(experiments.canonical(name))
    except ModelError as e:
        raise ApiError(404, str(e), None) from None


#: A comma-separated list parameter (amplitudes, k_values, intervals) holds at most this many values
#: in the lab: each is a simulation.
MAX_LIST = 24


def resolve(exp: Experiment, given) -> Values:
    """``given`` (the body's "params") coerced as the CLI's --set would; a refusal names its field."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise ApiError(422, f"params must be an object of name: value, got {json.dumps(given)[:60]}", "params")
    for k, v in given.items():
        if k not in exp.params:
            try:
                exp.resolve({k: v})
            except ModelError as e:
                raise ApiError(422, str(e), k) from None
        if isinstance(v, (dict, list)):
            raise ApiError(422, f"{k} must be a number, a string or true/false, got {json.dumps(v)[:60]}", k)
        try:
            value = exp.params[k].coerce(k, v)
        except ModelError as e:
            raise ApiError(422, str(e), k) from None
        if isinstance(value, str) and value.count(",") >= MAX_LIST:
            raise ApiError(422, f"{k} lists {value.count(',') + 1} values; the lab runs at most {MAX_LIST}", k)
    return exp.resolve(given)


def body_object(raw: bytes) -> dict:
    """The request body as a JSON object ({} when empty); 422 for anything else."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise ApiError(422, f"the request body is not JSON ({e})", None) from None
    if not isinstance(body, dict):
        raise ApiError(422, "the request body must be a JSON object such as {\"params\": {...}}", None)
    return body


def cache_key(kind: str, name: str, values: dict, extra=None) -> str:
    return json.dumps([kind, name, dict(values), extra], sort_keys=True, default=str)


def run_payload(exp: Experiment, values: Values, swc_path: str | None = None,
                upload_name: str | None = None) -> dict:
    """Run ``exp`` with ``values`` (in a worker thread) and build the page's payload."""
    run_values = dict(values, swc=swc_path) if swc_path is not None else dict(values)
    result = experiments.run(exp.name, **run_values)
    if swc_path is not None:  # the page names the uploaded file, never the server's temporary path
        from excitable.interfaces.lab.script import shown_by_name

        shown_by_name(result, swc_path, upload_name or "upload.swc")
    return payload_of(exp, values, result, upload_name)


def payload_of(exp: Experiment, values: Values, result=None, upload_name: str | None = None) -> dict:
    """The page's payload of ``result`` (run now when None: a request alone in its batch)."""
    from excitable.interfaces.lab import payload, script

    if result is None:
        return run_payload(exp, values)
    changed = {k: v for k, v in values.items() if v != exp.params[k].default}
    code = {"cli": script.cli_line(exp, changed, upload_name=upload_name),
            "script": script.python_script(exp, changed, upload_name=upload_name)}
    return payload.build(result, exp, values, code)
