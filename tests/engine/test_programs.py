"""Compiled programs kept on disk (engine.programs): a new process runs without tracing, with the
same numbers, and nothing that could change the program is served from a stale file.

Reference: the same run through plain ``jax.jit`` (the stored executable must give identical
traces: it is the same XLA program, so equality is exact, not approximate).
"""

import collections
import json
import os
import pickle
import subprocess
import sys
import textwrap

import jax
import numpy as np
import pytest

import excitable as ex
from excitable.engine import program_files as files
from excitable.engine import programs
from excitable.engine.compiled import CompiledFunctions
from excitable.engine.batch import with_param
from excitable.engine.integrate import compiled_runner, stored_runner


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(programs, "directory", lambda: tmp_path / "programs")
    monkeypatch.setattr(programs, "key_path", lambda: tmp_path / "config" / "program-key")
    monkeypatch.setattr("excitable.engine.integrate._STORED", CompiledFunctions())
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
    env = {**os.environ, "JAX_COMPILATION_CACHE_DIR": str(tmp_path / "jax"), "EXCITABLE_PROGRAM_CACHE": "1",
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
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


def test_a_class_made_at_run_time_under_one_of_our_names_is_not_served_its_program(store):
    # The key names a pytree node by its class name (``str(treedef)``): a class made at run time
    # under the name and module of a built-in one (NeuroML's fixed_erev does so) but tracing other
    # code must not be given the built-in's stored program. Here HH with twice the K+ current.
    class Doubled(ex.HH):
        def currents(self, v, s):
            out = dict(super().currents(v, s))
            out["ik"] = 2.0 * out["ik"]
            return out

    twin = ex.channel(type("HH", (Doubled,), {"__module__": ex.HH.__module__}))
    assert str(jax.tree.structure(twin())) == str(jax.tree.structure(ex.HH()))
    hh_sim().run(10.0)
    files_before = sorted(store.glob("*.xla"))
    v_twin = hh_sim(channel=twin()).run(10.0)["v"]
    assert sorted(store.glob("*.xla")) == files_before  # the twin took the plain jit path
    np.testing.assert_array_equal(v_twin, plain_jit_v(hh_sim(channel=twin()), 10.0))
    assert np.max(np.abs(v_twin - hh_sim().run(10.0)["v"])) > 1.0  # and it is another model


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


# --- attacks on the store (issue 14): nothing read from it runs unless this user wrote it --------

def forget(sim):
    """Drop the loaded programs of ``sim``'s runner, as a new process would start."""
    stored_runner(sim.plan, dt=sim.dt)._loaded.clear()


def parts(blob):
    """(header, payload) of a stored file, read the way the format is documented."""
    n = int.from_bytes(blob[len(files.MAGIC):len(files.MAGIC) + 4], "big")
    start = len(files.MAGIC) + 4 + n
    return json.loads(blob[len(files.MAGIC) + 4:start]), blob[start:-32]


def reseal(blob, payload, secret):
    """``blob`` with another payload, signed with ``secret``: what an attacker who knows the format
    (and, for the last wall, the key) would write."""
    header, _ = parts(blob)
    key = {k: header[k] for k in ("digest", "fingerprint", "signature")}
    return files.sealed(payload, header["out_tree"], secret, key)


class Plant:
    """Unpickling this creates ``marker``: a stand-in for any command run as the victim."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return open, (self.marker, "w")


@pytest.fixture
def compiles(monkeypatch):
    """How many programs were compiled (not loaded from the store)."""
    calls = []
    fresh = programs._compile_fresh
    monkeypatch.setattr(programs, "_compile_fresh", lambda lowered, *options: calls.append(1) or fresh(lowered, *options))
    return calls


@pytest.fixture
def deserialized(monkeypatch):
    """The payloads handed to JAX's deserializer (after the checks of the file)."""
    seen = []
    real = files.deserialize
    monkeypatch.setattr(files, "deserialize", lambda payload, *trees: seen.append(payload) or real(payload, *trees))
    return seen


@pytest.mark.parametrize("form", ["raw pickle", "sealed with another key", "sealed with the user's key"])
def test_a_planted_file_never_runs_and_is_replaced(store, tmp_path, deserialized, form):
    marker = tmp_path / "pwned"
    evil = pickle.dumps(Plant(str(marker)))
    pickle.loads(pickle.dumps(Plant(str(tmp_path / "proof"))))  # the plant is real: unpickled, it acts
    assert (tmp_path / "proof").exists()
    sim = hh_sim()
    reference = sim.run(5.0)["v"]
    (path,) = store.glob("*.xla")
    secret = files.secret(programs.key_path())
    planted = {"raw pickle": evil, "sealed with another key": reseal(path.read_bytes(), evil, os.urandom(32)),
               "sealed with the user's key": reseal(path.read_bytes(), evil, secret)}[form]
    path.write_bytes(planted)  # under the exact name the next run loads
    forget(sim)
    np.testing.assert_array_equal(sim.run(5.0)["v"], reference)
    assert not marker.exists()
    assert path.read_bytes() != planted and path.read_bytes().startswith(files.MAGIC)
    # Without this user's key the file is refused before any of it is parsed; with it (the key
    # stolen), the scan of JAX's pickle still refuses to run it.
    assert (evil in deserialized) == (form == "sealed with the user's key")


def test_flipped_bytes_are_caught_and_the_file_is_repaired(store, compiles, deserialized):
    sim = hh_sim()
    reference = sim.run(5.0)["v"]
    (path,) = store.glob("*.xla")
    blob = bytearray(path.read_bytes())
    _, payload = parts(bytes(blob))
    middle = len(blob) - 32 - len(payload) // 2
    blob[middle:middle + 8] = bytes(b ^ 0xFF for b in blob[middle:middle + 8])
    path.write_bytes(bytes(blob))
    forget(sim)
    np.testing.assert_array_equal(sim.run(5.0)["v"], reference)
    repaired = path.read_bytes()
    assert repaired != bytes(blob) and len(compiles) == 2
    assert parts(bytes(blob))[1] not in deserialized  # refused before JAX saw it (it can crash the run)
    # The repaired file is good: a new start loads it and compiles nothing.
    forget(sim)
    np.testing.assert_array_equal(sim.run(5.0)["v"], reference)
    assert len(compiles) == 2 and path.read_bytes() == repaired


def test_a_program_copied_into_another_slot_is_refused(store, monkeypatch):
    # Two runs that differ only in dt: the same shapes, so the wrong program would run without error.
    fine, coarse = hh_sim(dt=0.025), hh_sim(dt=0.05)
    assert jax.tree.map(np.shape, fine.drive(10.0)) == jax.tree.map(np.shape, coarse.drive(20.0))
    fine.run(10.0)
    (fine_path,) = store.glob("*.xla")
    coarse.run(20.0)
    (coarse_path,) = set(store.glob("*.xla")) - {fine_path}
    monkeypatch.setenv("EXCITABLE_PROGRAM_CACHE", "0")
    reference = coarse.run(20.0)["v"]
    monkeypatch.setenv("EXCITABLE_PROGRAM_CACHE", "1")
    # Were the key not checked, the copy would give other numbers (the issue: peak at 13.15 ms, not 7).
    header, payload = parts(fine_path.read_bytes())
    args = (coarse.parameters(), coarse.drive(20.0))
    wrong = files.deserialize(payload, jax.tree.structure(files._tree_from_json(header["out_tree"])),
                              jax.tree.structure((args, {})))
    assert np.max(np.abs(np.asarray(wrong(*args)[0])[:, 0] - reference)) > 10.0  # mV
    fine_path_bytes = fine_path.read_bytes()
    coarse_path.write_bytes(fine_path_bytes)
    forget(coarse)
    np.testing.assert_allclose(coarse.run(20.0)["v"], reference, rtol=0, atol=1e-12)
    assert coarse_path.read_bytes() != fine_path_bytes
    assert parts(coarse_path.read_bytes())[0]["digest"] == coarse_path.stem


def _shared(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    return shared


@pytest.mark.parametrize("how", ["others can write", "a link to a folder others can write", "another user's"])
def test_a_directory_that_is_not_the_users_own_is_not_used(tmp_path, monkeypatch, capsys, how):
    shared = _shared(tmp_path)
    folder = {"others can write": shared, "another user's": tmp_path / "theirs",
              "a link to a folder others can write": tmp_path / "link"}[how]
    if how == "a link to a folder others can write":
        folder.symlink_to(shared)
    if how == "another user's":
        folder.mkdir(mode=0o700)
        real = os.getuid()
        monkeypatch.setattr(os, "getuid", lambda: real + 1)  # the folder's owner is now someone else
    monkeypatch.setattr(programs, "directory", lambda: folder)
    monkeypatch.setattr(programs, "key_path", lambda: tmp_path / "config" / "program-key")
    monkeypatch.setattr("excitable.engine.integrate._STORED", CompiledFunctions())
    sim = hh_sim()
    v = sim.run(5.0)["v"]
    sim.run(6.0)  # another program: still one warning
    warnings = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("excitable: warning:")]
    assert len(warnings) == 1 and str(folder) in warnings[0]
    np.testing.assert_array_equal(v, plain_jit_v(sim, 5.0))
    assert os.listdir(folder) == [] and not (tmp_path / "config").exists()


def test_jax_refuses_its_cache_in_a_directory_others_can_write(tmp_path):
    shared = _shared(tmp_path)
    script = textwrap.dedent("""
        import os, sys, jax
        sys.path.insert(0, %r)
        from test_programs import hh_sim
        hh_sim().run(2.0)
        print(jax.config.jax_compilation_cache_dir, jax.config.jax_enable_compilation_cache)
    """) % os.path.dirname(__file__)
    env = {**os.environ, "JAX_COMPILATION_CACHE_DIR": str(shared), "EXCITABLE_PROGRAM_CACHE": "0"}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    warnings = [ln for ln in run.stderr.splitlines() if ln.startswith("excitable: warning:")]
    assert len(warnings) == 1 and str(shared) in warnings[0] and "777" in warnings[0]
    assert run.stdout.split() == ["None", "False"] and os.listdir(shared) == []


@pytest.mark.parametrize("how", ["readable by others", "another user's", "a link", "too short"])
def test_a_key_file_that_is_not_the_users_own_is_refused(store, tmp_path, monkeypatch, capsys, how):
    key = tmp_path / "config" / "program-key"
    key.parent.mkdir(mode=0o700)
    if how == "a link":
        (tmp_path / "their-key").write_bytes(os.urandom(32))
        os.chmod(tmp_path / "their-key", 0o600)
        key.symlink_to(tmp_path / "their-key")
    else:
        key.write_bytes(os.urandom(16 if how == "too short" else 32))
        os.chmod(key, 0o644 if how == "readable by others" else 0o600)
    if how == "another user's":  # every folder passes; only the key's owner is wrong
        real = os.getuid()
        monkeypatch.setattr(os, "getuid", lambda: real + 1)
        monkeypatch.setattr(programs, "private_directory", lambda path, what: True)
        monkeypatch.setattr(files, "private_directory", lambda path, what: True)
    sim = hh_sim()
    np.testing.assert_array_equal(sim.run(5.0)["v"], plain_jit_v(sim, 5.0))
    warnings = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("excitable: warning:")]
    assert len(warnings) == 1 and str(key) in warnings[0]
    assert not list(store.glob("*.xla"))


def test_the_store_key_and_files_are_private(store, tmp_path):
    hh_sim().run(5.0)
    (path,) = store.glob("*.xla")
    key = tmp_path / "config" / "program-key"
    assert [oct(p.stat().st_mode & 0o777) for p in (store, path, key.parent, key)] == \
        ["0o700", "0o600", "0o700", "0o600"]
    assert key.stat().st_size == 32 and parts(path.read_bytes())[0]["digest"] == path.stem


def test_output_pytrees_are_stored_as_plain_json():
    tree = jax.tree.structure(((1, None), [2, {"a": 3, "b": (4,)}], {}))
    encoded = files.tree_to_json(tree)
    assert jax.tree.structure(files._tree_from_json(json.loads(json.dumps(encoded)))) == tree
    Pair = collections.namedtuple("Pair", "x y")
    with pytest.raises(files.Unstorable):  # a node type JSON cannot name: not stored
        files.tree_to_json(jax.tree.structure(Pair(1, 2)))
    with pytest.raises(ValueError):
        files._tree_from_json({"set": [0]})


def test_on_a_cpu_programs_compile_with_the_fast_options_which_are_part_of_their_key(
        store, monkeypatch, compiles):
    # Reference: the same run compiled with XLA's defaults. The fast options change how XLA
    # emits machine code, not the arithmetic, so the traces must be identical (exact equality).
    assert jax.default_backend() == "cpu"
    assert programs.compile_options()["xla_cpu_use_fusion_emitters"] is False
    # Only short runs: 400 steps of one compartment is; 20000 steps of 1000 compartments is not.
    short, long = ({"g": np.ones(1)}, {"i": np.zeros((400, 1))}), ({"g": np.ones(1000)}, {"i": np.zeros((20000, 1))})
    assert "xla_cpu_use_fusion_emitters" in programs.compile_options(short)
    assert "xla_cpu_use_fusion_emitters" not in programs.compile_options(long)
    fast = hh_sim().run(10.0)["v"]
    monkeypatch.setenv("EXCITABLE_FAST_COMPILE", "0")
    assert "xla_cpu_use_fusion_emitters" not in programs.compile_options()
    default = hh_sim().run(10.0)["v"]
    # Another set of options is another program: compiled and stored apart, never served for it.
    assert len(compiles) == 2 and len(list(store.glob("*.xla"))) == 2
    np.testing.assert_array_equal(fast, default)
