"""One lab application for the API tests, in-process (fastapi's TestClient), and the cheap settings
with which every experiment runs through it."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the lab extra is not installed: pip install 'excitable[lab]'")

#: Each experiment's ``quick`` settings, made cheaper still where a run would take seconds on 2 cores
#: (shorter runs, smaller networks): the API is under test here, not the phenomenon.
CHEAP = {
    "epilepsy": {"n_exc": 40, "n_inh": 10, "tstop": 300.0, "transient": 50.0},
    "pump-failure": {"tstop_s": 2.0, "pump_off_s": 1.0},
    "receptor-types": {"tstop": 300.0},
    "neuron-types": {"duration": 200.0},
    "transmitter-clearance": {"n_releases": 3},
    "undershoot": {"step_duration": 60.0},
    "one-way": {"length_um": 20000.0},
}


def cheap(declared) -> dict:
    """``declared.quick`` with the overrides above (only the parameters it has, within its bounds)."""
    extra = {}
    for k, v in CHEAP.get(declared.name, {}).items():
        p = declared.params.get(k)
        if p is not None:
            v = max(v, p.minimum) if p.minimum is not None else v
            extra[k] = min(v, p.maximum) if p.maximum is not None else v
    return {**declared.quick, **extra}


@pytest.fixture(scope="session")
def lab():
    from fastapi.testclient import TestClient

    from excitable.interfaces.lab.app import create_app
    from excitable.interfaces.lab.runner import Runner

    with TestClient(create_app(Runner(workers=2, time_limit_s=600)), raise_server_exceptions=False) as client:
        yield client
