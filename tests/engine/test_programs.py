"""Compiled programs kept on disk (engine.programs): a new process runs without tracing, with the
same numbers, and nothing that could change the program is served from a stale file.

Reference: the same run through plain ``jax.jit`` (the stored executable must give identical
traces: it is the same XLA program, so equality is exact, not approximate).
"""

import json
import os
import subprocess
import sys
import textwrap

import jax
import numpy as np
import pytest

import excitable as ex
from excitable.engine import programs
from excitable.engine.batch import with_param
from excitable.engine.integrate import compiled_runner, stored_runner


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(programs, "directory", lambda: tmp_path / "programs")
    monkeypatch.setattr("excitable.engine.integrate._STORED", {})
    return tmp_path / "programs"


def hh_sim(dt=0.025, channel=None):
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(channel or ex.HH())
    sim = ex.Simulation(cell, dt=dt, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(10.0, cell.soma), delay=1.0, duration=5.0))
    sim.record("v")
    return sim


def plain_jit_v(sim, tstop):
    rec, _, _ = compiled_runner(sim.plan, dt=sim.dt)(sim.parameters(), sim.drive(tstop))
    return np.asarray(rec)[:, 0]


def test_a_run_stores_its_program_and_gives_the_plain_jit_numbers(store):
    sim = hh_sim()
    v = sim.run(10.0)["v"]
    assert len(list(store.glob("*.xla"))) == 1
    np.testing.assert_array_equal(v, plain_jit_v(sim, 10.0))
    # Another length of run is another program; the same run again reuses the file.
    sim.run(12.0)
    hh_sim().run(10.0)
    assert len(list(store.glob("*.xla"))) == 2


def test_a_new_process_loads_the_program_without_tracing(tmp_path):
    script = textwrap.dedent("""
        import json, sys
        sys.path.insert(0, %r)
        from jax._src import monitoring
        events = []
        monitoring.register_event_duration_secs_listener(lambda name, d, **k: events.append(name))
        from test_programs import hh_sim
        v = hh_sim().run(10.0)["v"]
        print(json.dumps({"v": v.tolist(), "traced": any("trace" in e for e in events)}))
    """) % os.path.dirname(__file__)
    env = {**os.environ, "JAX_COMPILATION_CACHE_DIR": str(tmp_path / "jax"), "EXCITABLE_PROGRAM_CACHE": "1"}
    runs = [json.loads(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                                      check=True).stdout) for _ in range(2)]
    assert runs[0]["traced"] and not runs[1]["traced"]
    assert runs[0]["v"] == runs[1]["v"]
    assert len(list((tmp_path / "jax-programs").glob("*.xla"))) == 1


def test_a_user_channel_is_never_served_from_the_store(store):
    @ex.channel
    class Leakish(ex.AbstractChannel):
        g: float = 0.3
        e: float = -54.3

        def currents(self, v, s):
            return {"i": self.g * (v - self.e)}

    cell = ex.Cell.cylinder().insert(ex.HH()).insert(Leakish())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.record("v")
    sim.run(5.0)
    assert not store.exists() or not list(store.glob("*.xla"))


def test_changing_dt_or_a_parameter_shape_gives_another_program(store):
    hh_sim(dt=0.025).run(5.0)
    hh_sim(dt=0.0125).run(5.0)
    assert len(list(store.glob("*.xla"))) == 2


def test_a_damaged_file_is_replaced_and_the_run_is_still_right(store):
    sim = hh_sim()
    reference = sim.run(10.0)["v"]
    (path,) = store.glob("*.xla")
    path.write_bytes(b"not an executable")
    stored_runner(sim.plan, dt=sim.dt)._loaded.clear()  # forget the loaded program, as a new process
    np.testing.assert_array_equal(sim.run(10.0)["v"], reference)
    assert path.read_bytes() != b"not an executable"


def test_switched_off_by_the_environment(store, monkeypatch):
    monkeypatch.setenv("EXCITABLE_PROGRAM_CACHE", "0")
    hh_sim().run(5.0)
    assert not store.exists()


def test_tracers_take_the_jitted_path(store):
    sim = hh_sim()
    run = stored_runner(sim.plan, dt=sim.dt)
    drive = sim.drive(5.0)

    def loss(gna):
        params = with_param(sim.parameters(), "HH.gNa", gna)
        return run(params, drive)[0][-1, 0]

    g = jax.grad(loss)(120.0)
    eps = 1e-4
    fd = (loss(120.0 + eps) - loss(120.0 - eps)) / (2 * eps)
    assert np.isclose(float(g), float(fd), rtol=1e-5)


def test_the_store_keeps_the_most_recently_used_programs_within_its_size(store, monkeypatch):
    hh_sim().run(5.0)
    hh_sim().run(6.0)
    first, second = sorted(store.glob("*.xla"), key=lambda p: p.stat().st_mtime)
    os.utime(first, (1, 1))  # the 5-ms program: long unused
    os.utime(second, (2, 2))
    size = max(first.stat().st_size, second.stat().st_size)
    # Room for two programs (trimming goes down to 80 % of the limit: 2.3 programs).
    monkeypatch.setenv("EXCITABLE_PROGRAM_CACHE_MB", str(2.9 * size / 2**20))
    stored_runner(hh_sim().plan, dt=0.025)._loaded.clear()  # as a new process: read from disk
    hh_sim().run(5.0)  # ... which marks the 5-ms program used
    hh_sim().run(7.0)  # a third program: the least recently used one (6 ms) goes
    names = {p.name for p in store.glob("*.xla")}
    assert first.name in names and second.name not in names and len(names) == 2
