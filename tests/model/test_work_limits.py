"""Simulation.run, run_batch and function estimate their work before compiling or allocating, and
refuse beyond ``excitable.limits`` with one line that states the estimate and the variable that
raises the limit (issue 14, section 3: ``action-potential --set tstop=1e9`` used to grow 25 MB/s
without a word).
"""

import re
import time

import numpy as np
import pytest

import excitable as ex
from excitable import experiments
from excitable.engine import integrate
from excitable.engine.kernels import dispatch, single
from excitable.engine.batch import broadcast
from excitable.errors import ModelError

DT = 0.025


def hh(n_comp=1):
    cell = ex.Cell.cylinder(nseg=n_comp).insert(ex.HH())
    sim = ex.Simulation(cell, dt=DT)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.1, delay=0.5, duration=0.5))
    sim.record("v")
    return sim


@pytest.fixture
def no_compile(monkeypatch):
    """Every way a run compiles or allocates its time loop fails the test if reached."""
    def reached(*a, **k):
        raise AssertionError("the run was compiled before its work was checked")

    for mod, name in ((integrate, "stored_runner"), (integrate, "compiled_runner"), (single, "fused_runner"),
                      (single, "fused_function"), (dispatch, "fused_tree_runner")):
        monkeypatch.setattr(mod, name, reached)


@pytest.fixture(autouse=True)
def default_limits(monkeypatch):
    for var in ("EXCITABLE_LIMITS", "EXCITABLE_MAX_STEPS", "EXCITABLE_MAX_WORK", "EXCITABLE_MAX_MEMORY_MB",
                "EXCITABLE_MAX_COMPARTMENTS"):
        monkeypatch.delenv(var, raising=False)


def estimate(msg: str) -> float:
    """The number the refusal states ('needs 4e+10 time steps', 'needs 2.03 MB')."""
    m = re.search(r"needs ([0-9.e+]+) (GB|MB|kB|bytes|time steps|compartment-steps|compartments)", msg)
    scale = {"GB": 2**30, "MB": 2**20, "kB": 2**10}.get(m.group(2), 1)
    return float(m.group(1)) * scale


@pytest.mark.parametrize("call", [
    lambda s: s.run(1e9),
    lambda s: s.run_batch(1e9, broadcast(s.parameters(), 4)),
    lambda s: s.function(1e9),
    lambda s: s.drive(1e9),
], ids=["run", "run_batch", "function", "drive"])
def test_a_huge_tstop_is_refused_at_once(no_compile, call):
    sim = hh()
    t0 = time.perf_counter()
    with pytest.raises(ModelError) as err:
        call(sim)
    elapsed = time.perf_counter() - t0
    msg = str(err.value)
    n = round(1e9 / DT)
    assert estimate(msg) == pytest.approx(n, rel=1e-3)  # the message shows 3 significant digits
    assert "tstop=1e+09 ms" in msg and "dt=0.025 ms" in msg and "EXCITABLE_MAX_STEPS" in msg
    assert "\n" not in msg
    assert elapsed < 1.0, elapsed  # nothing compiled, nothing allocated (measured: ~1 ms)


def test_the_experiment_refuses_a_huge_tstop():
    # The case, through the experiment: refused before its model is compiled.
    t0 = time.perf_counter()
    with pytest.raises(ModelError, match=r"tstop=1e\+09 ms at dt=0.025 ms needs 4e\+10 time steps"):
        experiments.run("action-potential", tstop=1e9)
    assert time.perf_counter() - t0 < 5.0  # generous: building the cell and its parameters only


def test_the_steps_limit_follows_its_variable(monkeypatch):
    monkeypatch.setenv("EXCITABLE_MAX_STEPS", "100")
    sim = hh()
    with pytest.raises(ModelError, match="200 time steps, over the limit of 100 time steps"):
        sim.run(200 * DT)
    assert sim.run(50 * DT)["v"].shape == (51,)  # under the limit: runs
    monkeypatch.setenv("EXCITABLE_LIMITS", "off")
    assert sim.run(200 * DT)["v"].shape == (201,)  # limits off: the same run goes through


def test_work_counts_compartments_steps_and_batch(no_compile, monkeypatch):
    monkeypatch.setenv("EXCITABLE_MAX_WORK", "1000")
    sim = hh(n_comp=10)
    n_comp = sim.network.n
    with pytest.raises(ModelError) as err:
        sim.run_batch(40 * DT, broadcast(sim.parameters(), 3))
    msg = str(err.value)
    assert estimate(msg) == pytest.approx(n_comp * 40 * 3, rel=1e-3)
    assert f"{n_comp} compartments x a batch of 3" in msg and "EXCITABLE_MAX_WORK" in msg


def test_compartments_count_the_batch(no_compile, monkeypatch):
    monkeypatch.setenv("EXCITABLE_MAX_COMPARTMENTS", "100")
    sim = hh()
    with pytest.raises(ModelError, match="1 compartment x a batch of 128 needs 128 compartments"):
        sim.run_batch(10 * DT, broadcast(sim.parameters(), 128))


def test_the_memory_estimate_bounds_what_the_run_allocates(monkeypatch):
    # The estimate is checked against the bytes the run really returns: it must cover them (else a
    # run under the limit could still exhaust memory), and not exceed them by much for a run whose
    # memory is its recordings (else the limit refuses runs that fit).
    sim = hh()
    sim.record("v", "all")
    batch = broadcast(sim.parameters(), 64)
    tstop = 4000 * DT
    monkeypatch.setenv("EXCITABLE_MAX_MEMORY_MB", "1")
    with pytest.raises(ModelError) as err:
        sim.run_batch(tstop, batch)
    msg = str(err.value)
    assert "tstop=100 ms at dt=0.025 ms" in msg and "a batch of 64" in msg and "EXCITABLE_MAX_MEMORY_MB" in msg
    monkeypatch.setenv("EXCITABLE_LIMITS", "off")
    res = sim.run_batch(tstop, batch)
    used = sum(np.asarray(v).nbytes for v in res.traces.values())
    # 3 significant digits in the message; the drive and parameters add ~5 % here.
    assert used * 0.999 <= estimate(msg) <= 1.5 * used, (estimate(msg), used)


def test_a_long_chunked_run_counts_its_chunks_twice(no_compile, monkeypatch):
    # Past 2 x CHUNK_STEPS a run concatenates its chunks: the recordings are held twice.
    from excitable.engine.run import CHUNK_STEPS

    sim = hh()
    n = 2 * CHUNK_STEPS + 1
    monkeypatch.setenv("EXCITABLE_MAX_MEMORY_MB", "0.0001")  # ~100 bytes: everything is refused
    with pytest.raises(ModelError) as err:
        sim.run(n * DT)
    assert estimate(str(err.value)) >= 2 * 8 * (n + 1)
