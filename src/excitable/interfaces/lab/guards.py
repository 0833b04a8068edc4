"""The lab's own limits, stricter than the CLI's, checked on the resolved parameters BEFORE a run
is queued: a slider dragged to its end or a hand-edited permalink must not occupy a worker of a
classroom server for minutes.

The estimate is read from the parameters every declaration shares by name: the simulated time
(``tstop``, ``duration``, ``step_duration``, ``window``, ``tstop_s``), the time step ``dt``, and the
size of the model (``ncomp``, ``length_um / dx_um``, ``n_exc + n_inh`` cells, ``n_nodes``). Where the
run chooses a value itself (a default of None) its own checks (``excitable.limits``) apply as in the
CLI, and the lab's time limit stops what is left. Each limit can be raised by who runs the lab::

    EXCITABLE_LAB_MAX_STEPS=2e7 excitable lab
"""

from __future__ import annotations

from excitable.errors import ModelError
from excitable.limits import Limit, _human, enabled

#: Per request, in the lab. Every experiment's defaults fit (tests/interfaces/lab/test_api.py): the
#: longest is pump-failure's 60 s at 0.025 ms (2.4e6 steps of one compartment).
LAB_LIMITS: dict[str, Limit] = {
    "steps": Limit(5e6, "time steps", "EXCITABLE_LAB_MAX_STEPS"),
    "compartments": Limit(2e4, "compartments", "EXCITABLE_LAB_MAX_COMPARTMENTS"),
    "work": Limit(2e9, "compartment-steps", "EXCITABLE_LAB_MAX_WORK"),
}
_TIME_MS = {"tstop": 1.0, "duration": 1.0, "step_duration": 1.0, "window": 1.0, "tstop_s": 1000.0}


def _check(quantity: str, estimate: float, what: str, field: str | None) -> None:
    if not enabled():
        return
    spec = LAB_LIMITS[quantity]
    cap = spec.value()
    if estimate > cap:
        raise LabLimit(f"{what} needs {_human(estimate, spec.unit)}, over the lab's limit of "
                       f"{_human(cap, spec.unit)} (set {spec.variable} to raise it)", field)


class LabLimit(ModelError):
    """A request over one of the lab's limits; ``field`` names the parameter that sets it."""

    def __init__(self, message: str, field: str | None):
        super().__init__(message)
        self.field = field


def estimate(params: dict) -> tuple[float, float, str | None, str | None]:
    """(time steps, compartments, the time field, the size field) of a run with ``params``."""
    dt = params.get("dt") or 0.025
    time_field = next((k for k in _TIME_MS if params.get(k) is not None), None)
    steps = params[time_field] * _TIME_MS[time_field] / dt if time_field else 0.0
    size_field, comps = None, 1.0
    if params.get("ncomp"):
        size_field, comps = "ncomp", float(params["ncomp"])
    elif params.get("length_um") and params.get("dx_um"):
        size_field, comps = "length_um", params["length_um"] / params["dx_um"]
    elif params.get("n_exc") is not None and params.get("n_inh") is not None:
        size_field, comps = "n_exc", float(params["n_exc"] + params["n_inh"])
    elif params.get("n_nodes"):
        size_field, comps = "n_nodes", 2.0 * params["n_nodes"]
    return steps, comps, time_field, size_field


def check(params: dict) -> None:
    """Raise LabLimit (a ModelError naming the field) when ``params`` ask for more than the lab allows."""
    steps, comps, time_field, size_field = estimate(params)
    if time_field:
        _check("steps", steps, f"{time_field}={params[time_field]:g} at dt={params.get('dt') or 0.025:g} ms",
               time_field)
    if size_field:
        _check("compartments", comps, f"{size_field}={params[size_field]:g}", size_field)
    if time_field and size_field:
        _check("work", steps * comps, f"{size_field}={params[size_field]:g} for "
               f"{time_field}={params[time_field]:g}", size_field)
