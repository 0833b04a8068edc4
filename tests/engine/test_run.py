"""The engine's front door (``engine.run``): one way in for every run, from a plain description.

What it owns: the kernel choice ("auto" takes the scan off a GPU, "fused" forces the kernel, a
model no kernel runs is refused in one line), the runs in chunks (bit for bit one long scan), one
health check with one message (NaN or a runaway V, the time it happened), the work budget before
anything compiles, and the pure functions ``Simulation.function`` and ``fit`` differentiate. It
takes a ``RunSpec`` of plain data: the engine imports nothing of the model.
"""

import ast
import re
from pathlib import Path

import jax
import numpy as np
import pytest

import excitable as ex
from excitable.engine import run as engine
from excitable.engine.batch import broadcast, with_param
from excitable.engine.health import RUNAWAY_MV, check_health
from excitable.engine.kernels import dispatch
from excitable.engine.plan import Probe
from excitable.errors import ModelError, SimulationError

DT = 0.025
#: The one message of the health check (NaN and runaway V alike).
UNSTABLE = re.compile(r"^the run became numerically unstable by t = (?P<t>[0-9.e+-]+) ms: V reached "
                      r"(?P<peak>nan|inf|[0-9.e+-]+) mV \(NaN, or beyond \+-10000 mV\); reduce dt "
                      r"\(now 0\.025 ms\) or check amplitudes and parameters$")


def hh(record=("v", "HH.m"), amplitude=10.0, delay=1.0, duration=1.0):
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())
    sim = ex.Simulation(cell, dt=DT, temperature=6.3)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(amplitude, cell.soma), delay=delay,
                            duration=duration))
    for signal in record:
        sim.record(signal)
    return sim


def test_the_engine_imports_nothing_of_the_model():
    root = Path(ex.__file__).parent / "engine"
    above = ("excitable.model", "excitable.experiments", "excitable.interfaces", "excitable.workflows",
             "excitable.io")
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.startswith(above)], f"{path.name} imports {names}"


def test_a_spec_runs_through_the_front_door_as_the_simulation_does():
    sim = hh()
    spec = sim.run_spec()
    assert spec.plan is sim.plan and spec.dt == DT and spec.theta == 1.0
    direct = engine.simulate(spec, 5.0)
    np.testing.assert_array_equal(direct["v"], sim.run(5.0)["v"])
    assert direct.meta == {"dt": DT, "temperature": 6.3}
    assert direct.t.shape == (201,) and direct["HH.m"].shape == (201,)


def test_auto_runs_the_scan_off_a_gpu_and_never_tries_a_kernel(monkeypatch):
    sim = hh()
    batch = with_param(broadcast(sim.parameters(), 3), "HH.gNa", np.array([60.0, 120.0, 160.0]))

    def tried(*a, **k):
        raise AssertionError("a fused kernel was tried off a GPU")

    monkeypatch.setattr(dispatch, "run_or_none", tried)
    auto, scan = sim.run_batch(4.0, batch, kernel="auto"), sim.run_batch(4.0, batch, kernel="scan")
    np.testing.assert_array_equal(auto["v"], scan["v"])
    assert not dispatch.use_fused(sim.plan, "auto", batch)
    assert not dispatch.use_fused(sim.plan, "scan", batch)
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    assert dispatch.use_fused(sim.plan, "auto", batch)  # what a GPU would take


def test_fused_runs_the_kernel_and_gives_the_scans_numbers():
    sim = hh()
    batch = with_param(broadcast(sim.parameters(), 2), "HH.gNa", np.array([60.0, 120.0]))
    fused, scan = sim.run_batch(4.0, batch, kernel="fused"), sim.run_batch(4.0, batch, kernel="scan")
    np.testing.assert_allclose(fused["v"], scan["v"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(sim.run(4.0, kernel="fused")["v"], sim.run(4.0, kernel="scan")["v"], rtol=0,
                               atol=1e-9)


def test_a_model_no_kernel_runs_is_refused_in_one_line_and_a_bad_kernel_name_too():
    sim = hh()
    sim.stimulate(ex.VClamp(sim.cell.soma, levels=((1.0, -65.0),)))
    with pytest.raises(ModelError, match=r"^kernel='fused' cannot run this model: a voltage clamp$"):
        sim.run(2.0, kernel="fused")
    assert dispatch.why_not(sim.plan) == "a voltage clamp"
    for call in (lambda: sim.run(2.0, kernel="gpu"), lambda: engine.function(sim.run_spec(), 2.0, kernel="gpu")):
        with pytest.raises(ModelError, match=r"^kernel must be 'auto', 'scan' or 'fused', got 'gpu'$"):
            call()


@pytest.mark.parametrize("batched", [False, True])
def test_chunked_runs_equal_one_scan_bit_for_bit(monkeypatch, batched):
    sim = hh(amplitude=10.0, duration=50.0)
    sim.record_spikes()
    params = broadcast(sim.parameters(), 2) if batched else None
    run = (lambda: sim.run_batch(60.0, params, stride=3)) if batched else (lambda: sim.run(60.0, stride=3))
    whole = run()
    monkeypatch.setattr(engine, "CHUNK_STEPS", 300)  # 2400 steps: 8 chunks of 300, the last padded
    chunked = run()
    assert np.array_equal(whole["v"], chunked["v"]) and np.array_equal(whole.t, chunked.t)
    assert np.array_equal(whole["HH.m"], chunked["HH.m"])
    if not batched:
        assert np.array_equal(whole.spikes[0], chunked.spikes[0]) and len(whole.spikes[0]) >= 3


def test_nan_and_runaway_v_give_the_one_message():
    sim = hh()
    p = sim.parameters()
    p["cm"] = np.array([np.nan])
    with pytest.raises(SimulationError) as nan:
        sim.run(3.0, params=p)
    m = UNSTABLE.match(str(nan.value))
    assert m and m["peak"] == "nan" and float(m["t"]) <= DT, str(nan.value)
    absurd = hh(amplitude=1e12, delay=1.0, duration=1.0)  # ~1e10 mV: nothing physical
    with pytest.raises(SimulationError) as runaway:
        absurd.run(3.0)
    m = UNSTABLE.match(str(runaway.value))
    assert m and float(m["peak"]) > RUNAWAY_MV and 1.0 < float(m["t"]) <= 1.1, str(runaway.value)


def test_nan_is_caught_where_v_is_not_recorded():
    sim = hh(record=("HH.m",))
    p = sim.parameters()
    p["cm"] = np.array([np.nan])
    with pytest.raises(SimulationError, match=UNSTABLE.pattern):
        sim.run(2.0, params=p)


def test_a_chunked_run_says_when_it_blew_up(monkeypatch):
    """The health check runs after each chunk (a long run stops early) and states the run's time."""
    monkeypatch.setattr(engine, "CHUNK_STEPS", 40)  # chunks of 1 ms
    sim = hh(amplitude=1e12, delay=4.0, duration=1.0)
    with pytest.raises(SimulationError) as err:
        sim.run(8.0)
    m = UNSTABLE.match(str(err.value))
    assert m and 4.0 < float(m["t"]) <= 4.1, str(err.value)


def test_the_health_check_on_arrays():
    probes = (Probe("v", "v", 0), Probe("m", "state", 0, "HH", "m"), Probe("v_all", "v_all", 0))
    rec = np.zeros((2, 5, 5))  # batch 2, 5 samples, 1 + 1 + 3 columns (3 nodes)
    check_health(rec, probes, 3, dt=DT)  # healthy: nothing
    bad = rec.copy()
    bad[1, 3, 1] = np.nan  # a NaN in a gate of the second cell, sample 3, V finite: the gate is named
    with pytest.raises(SimulationError, match=r"by t = 0\.15 ms: m became NaN while V stayed finite"):
        check_health(bad, probes, 3, dt=DT, stride=2)
    bad[1, 3, 0] = np.nan  # V too: V is named
    with pytest.raises(SimulationError, match=r"by t = 0\.15 ms: V reached nan mV"):
        check_health(bad, probes, 3, dt=DT, stride=2)
    bad = rec.copy()
    bad[0, 2, 4] = -2e4  # one node of "v_all" beyond the bound, sample 2
    with pytest.raises(SimulationError, match=r"by t = 0\.05 ms: V reached 2e\+04 mV"):
        check_health(bad, probes, 3, dt=DT)
    with pytest.raises(SimulationError, match=r"by t = 7 ms: V reached 3e\+04 mV"):  # the final state only
        check_health(rec, probes, 3, dt=DT, final_v=np.array([[0.0, 3e4, 0.0]] * 2), t_final=7.0)
    with pytest.raises(SimulationError, match=r"by t = 0\.1 ms"):  # a later chunk: its first sample's index
        check_health(np.where(np.arange(5)[:, None] == 0, 2e4, 0.0), probes[:1], 1, dt=DT, first_sample=4)


def test_the_budget_is_checked_before_anything_compiles(monkeypatch):
    from excitable.engine import integrate

    def compiled(*a, **k):
        raise AssertionError("compiled before the budget was checked")

    monkeypatch.setattr(integrate, "stored_runner", compiled)
    monkeypatch.setattr(integrate, "compiled_runner", compiled)
    monkeypatch.setenv("EXCITABLE_MAX_WORK", "1000")
    sim = hh()
    with pytest.raises(ModelError, match=r"tstop=50 ms at dt=0.025 ms on 1 compartment x a batch of 4") as err:
        engine.simulate(sim.run_spec(), 50.0, broadcast(sim.parameters(), 4), batched=True)
    assert "EXCITABLE_MAX_WORK" in str(err.value)
    with pytest.raises(ModelError, match="EXCITABLE_MAX_WORK"):
        engine.function(sim.run_spec(), 50.0)
    with pytest.raises(ModelError, match=r"^stride must be a positive integer, got 0$"):
        sim.run(1.0, stride=0)
    with pytest.raises(ModelError, match=r"^tstop \(0.01 ms\) must be at least one step"):
        engine.n_steps(0.01, DT)


def test_the_pure_function_scan_and_a_fused_batch_of_one_agree():
    sim = hh()
    spec, p = sim.run_spec(), sim.parameters()
    scan = engine.function(spec, 4.0)
    rec = np.asarray(scan(p))
    assert rec.shape == (161, 2)
    np.testing.assert_allclose(rec[:, 0], sim.run(4.0)["v"], rtol=0, atol=1e-12)
    fused = engine.function(spec, 4.0, params=p, kernel="fused")  # unbatched: a batch of one (fit's way)
    np.testing.assert_allclose(np.asarray(fused(p)), rec, rtol=0, atol=1e-9)
    with pytest.raises(ModelError, match="checkpoint must be"):
        engine.function(spec, 4.0, checkpoint=-1)
