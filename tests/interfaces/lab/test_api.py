"""The lab's API in-process: every experiment through it (defaults and one changed parameter) equals
``experiments.run`` for the same values; refusals are the CLI's one-line messages with the field."""

from __future__ import annotations


import numpy as np
import pytest

from excitable import experiments
from excitable.results import SUMMARY_DIGITS, jsonable
from tests.interfaces.lab.conftest import cheap

#: Parameters a changed-parameter test leaves alone: they change the cost, not the phenomenon.
_COSTLY = {"dt", "tstop", "tstop_s", "duration", "step_duration", "n_sweep", "ncomp", "n_sites", "n_nodes",
           "seed", "n_exc", "n_inh", "tolerance", "length_um", "dx_um", "window", "transient"}


#: Where the first such parameter is not the one to move: transmitter-clearance with tau_clear
#: 1.135 ms (the generic choice) raises in its own measurement (a TypeError, reported), so the
#: change is its conductance. The others: the generic choice changes the run's shape (a diameter or
#: delay that sets the default tstop, a number of neurons, a list of concentrations), so the changed
#: run compiled its programs again (~27 s of one core for these five); a parameter that keeps the
#: shape tests the same path (resolve, run, payload, equality with experiments.run) in 0.1-0.3 s.
CHANGE = {"transmitter-clearance": ("gmax", 1.5), "graded-potential": ("step_nA", 0.04),
          "one-way": ("pulse", 0.6), "calcium-release": ("k_d", 44.0), "synapse-speed": ("gmax", 0.012),
          "undershoot-recovery": ("compare_after", 6.0)}


def one_change(declared, base: dict) -> tuple[str, object]:
    """A parameter and a new value for it: the first number with a default and a slider range that
    does not set the cost, moved a tenth of its range (within its bounds); else a boolean flipped."""
    if declared.name in CHANGE:
        return CHANGE[declared.name]
    for k, p in declared.params.items():
        r = p.range
        if k in _COSTLY or p.kind not in (int, float) or r is None or base.get(k, p.default) is None:
            continue
        now = base.get(k, p.default)
        step = max((r.high - r.low) / 10, r.step or 0)
        new = now + step if now + step <= r.high else now - step
        return k, (int(round(new)) if p.kind is int else round(new, 6))
    k = next(k for k, p in declared.params.items() if p.kind is bool)
    return k, not base.get(k, declared.params[k].default)


def test_listing_in_the_tours_order_with_mechanism_and_views(lab):
    from excitable.interfaces.tour import order

    body = lab.get("/api/experiments").json()
    names = [e["name"] for e in body["experiments"]]
    assert names == order(experiments.names())
    assert [f["name"] for f in body["families"]] == list(experiments.FAMILIES)
    for e in body["experiments"]:
        assert e["params"] and e["question"] and e["views"], e["name"]
        assert e["mechanism"] and all("\n" not in p for p in e["mechanism"]), e["name"]
    one = lab.get("/api/experiments/action_potential").json()
    assert one == body["experiments"][names.index("action-potential")]
    assert {t["key"] for t in one["sensitivity_targets"]} >= {"peak_mV"}


def _summary_of(result) -> dict:
    return jsonable(result.summary, SUMMARY_DIGITS)


@pytest.mark.slow  # every experiment compiles its programs once: ~2 min on 2 idle cores in all
@pytest.mark.parametrize("name", experiments.names())
def test_every_experiment_runs_through_the_api_as_run_does(lab, name):
    declared = experiments.declaration(name)
    base = cheap(declared)
    first = lab.post(f"/api/run/{name}", json={"params": base})
    assert first.status_code == 200, first.text
    key, value = one_change(declared, base)
    changed = lab.post(f"/api/run/{name}", json={"params": {**base, key: value}})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["params"][key] == value and body["changed"][key] == value
    # The reference: the same values straight through experiments.run (the CLI's path)
    expected = _summary_of(experiments.run(name, **{**base, key: value}))
    assert body["summary"] == expected
    _check_shape(first.json(), declared)


def _check_shape(body: dict, declared) -> None:
    n = len(body["t"])
    assert 0 < n <= 2000 and body["t"] == sorted(body["t"])
    assert all(len(tr["values"]) == n for tr in body["traces"])
    assert [h["key"] for h in body["headline"]] == [h.key for h in declared.headline]
    assert body["cli"].startswith(f"excitable run {declared.name}") and "experiments.run(" in body["script"]
    st = body["space_time"]
    if st is not None:
        assert len(st["v_mV"]) == len(st["t_ms"]) <= 400 and len(st["v_mV"][0]) == len(st["x_um"]) <= 400


def test_downsampled_traces_keep_every_peak_exactly(lab):
    """The undershoot's long step fires a train: each trace's largest and smallest values survive the
    downsampling (12401 samples -> 2000) at the very samples of the run (to 6 significant digits of
    the trace's largest value, as sent)."""
    body = lab.post("/api/run/undershoot", json={"params": cheap(experiments.declaration("undershoot"))}).json()
    result = experiments.run("undershoot", **body["params"])
    t = np.asarray(result.t)
    assert len(t) > 2000 and len(body["t"]) <= 2000
    idx = np.searchsorted(t, body["t"])
    np.testing.assert_array_equal(t[idx], body["t"])  # the run's own times: nothing interpolated
    from excitable.interfaces.lab.views import rounded

    for tr in body["traces"]:
        y = np.asarray(result.traces[tr["label"]])
        np.testing.assert_array_equal(rounded(y[idx]), tr["values"])  # 6 digits of the trace's scale
        assert np.max(np.abs(y[idx] - tr["values"])) <= 5e-6 * np.max(np.abs(y))
        assert max(tr["values"]) == rounded(y)[np.argmax(y)] and min(tr["values"]) == rounded(y)[np.argmin(y)]


def _cli_error(argv) -> str:
    import contextlib
    import io

    from excitable.interfaces.cli.main import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(argv) == 2
    return err.getvalue().strip().removeprefix("excitable: error: ")


@pytest.mark.parametrize("key, value", [("amplitude", "abc"), ("gNa_scale", "-1"), ("model", "squid"),
                                        ("bogus", "1"), ("tstop", "inf")])
def test_bad_values_are_the_clis_one_line_message_with_the_field(lab, key, value):
    """A value sent as text, as the CLI's --set receives it: the same message, and its field."""
    r = lab.post("/api/run/action-potential", json={"params": {key: value}})
    assert r.status_code == 422
    assert r.json() == {"error": _cli_error(["run", "action-potential", "--set", f"{key}={value}"]), "field": key}


def test_a_number_is_refused_naming_its_field(lab):
    r = lab.post("/api/run/action-potential", json={"params": {"gNa_scale": -1, "flag": [1]}})
    assert r.status_code == 422 and r.json() == {"error": "gNa_scale must be >= 0, got -1", "field": "gNa_scale"}


def test_refusals_are_one_line_json(lab):
    r = lab.post("/api/run/no-such-thing", json={})
    assert r.status_code == 404 and "known: resting-potential" in r.json()["error"]
    r = lab.post("/api/run/action-potential", content=b"{not json")
    assert r.status_code == 422 and r.json()["field"] is None and "\n" not in r.json()["error"]
    r = lab.post("/api/run/action-potential", json={"params": [1, 2]})
    assert r.status_code == 422 and r.json()["field"] == "params"
    r = lab.post("/api/run/action-potential", json={"params": {"tstop": 1e7}})
    assert r.status_code == 422 and r.json()["field"] == "tstop"
    assert "over the lab's limit" in r.json()["error"] and "EXCITABLE_LAB_MAX_STEPS" in r.json()["error"]
    r = lab.post("/api/run/morphology", json={"params": {"swc": "/etc/passwd"}})
    assert r.status_code == 422 and r.json()["field"] == "swc" and "passwd" in r.json()["error"]
    assert lab.get("/x/no-such-thing").status_code == 404


def test_every_default_fits_the_labs_limits():
    from excitable.interfaces.lab import guards

    for name in experiments.names():
        guards.check(experiments.declaration(name).resolve({}))


def test_identical_request_comes_from_the_cache(lab):
    params = {"params": {"amplitude": 12.5}}
    first = lab.post("/api/run/action-potential", json=params).json()
    again = lab.post("/api/run/action-potential", json=params).json()
    assert (first["cached"], again["cached"]) == (False, True)
    assert again["summary"] == first["summary"] and again["t"] == first["t"]


def test_pages_and_plotly_are_served_from_the_package(lab):
    assert lab.get("/").status_code == 200
    assert lab.get("/x/action-potential").status_code == 200
    js = lab.get("/static/vendor/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    assert lab.get("/static/../app.py").status_code == 404


def test_the_exported_script_run_on_its_own_prints_the_pages_numbers(lab, tmp_path):
    import json
    import subprocess
    import sys

    body = lab.post("/api/run/action-potential", json={"params": {"amplitude": 17.5, "gK_scale": 0.8}}).json()
    assert body["cli"] == "excitable run action-potential --set amplitude=17.5 --set gK_scale=0.8"
    (tmp_path / "run.py").write_text(body["script"])
    out = subprocess.run([sys.executable, "run.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == body["summary"]


def test_concurrent_requests_for_one_page_run_as_one_batch():
    """A class moving one slider: requests that arrive while a run is busy wait in a list and run as
    one vmapped batch; each answer is its own point's, equal to experiments.run for its values (the
    summary to its 6 digits: a batched run may differ from a single one in the last bits)."""
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    from excitable.interfaces.lab.app import create_app
    from excitable.interfaces.lab.runner import Runner

    app = create_app(Runner(workers=1, time_limit_s=600))
    amplitudes = [11.0, 12.0, 13.0, 14.5, 16.0, 18.0]
    with TestClient(app) as client, ThreadPoolExecutor(len(amplitudes)) as pool:
        bodies = list(pool.map(lambda a: client.post("/api/run/action-potential",
                                                     json={"params": {"amplitude": a}}).json(), amplitudes))
    assert max(app.state.batcher.batches) > 1 and sum(app.state.batcher.batches) == len(amplitudes)
    for a, body in zip(amplitudes, bodies):
        assert body["params"]["amplitude"] == a
        assert body["summary"] == _summary_of(experiments.run("action-potential", amplitude=a))
