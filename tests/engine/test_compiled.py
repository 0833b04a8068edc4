"""Compiled functions are kept within bounds, and released before the process runs out of mappings.

Reference: the kernel's own count of this process's memory mappings (/proc/self/maps). Past
vm.max_map_count XLA crashes the process while compiling (a segmentation fault after "LLVM
compilation error: Cannot allocate memory", reproduced here by lowering the cap), which is what
killed a `make test` worker after ~1000 tests before these caches were bounded.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import excitable as ex
from excitable.engine import compiled
from excitable.engine.compiled import CompiledFunctions

needs_proc = pytest.mark.skipif(compiled.mapping_count() is None, reason="no /proc/self/maps here")


def test_a_cache_keeps_its_most_recently_used_functions():
    cache = CompiledFunctions(maxsize=2)
    made = []

    def make(name):
        made.append(name)
        return name

    assert cache.get_or_make("a", lambda: make("a")) == "a"
    cache.get_or_make("b", lambda: make("b"))
    cache.get_or_make("a", lambda: make("a"))  # a hit: "a" is now the most recent
    cache.get_or_make("c", lambda: make("c"))  # drops "b", the least recently used
    assert made == ["a", "b", "c"] and len(cache) == 2
    assert "a" in cache and "c" in cache and "b" not in cache


def test_the_mappings_are_counted_every_few_misses_and_never_on_a_hit(monkeypatch):
    checks = []
    monkeypatch.setattr(compiled, "release_if_crowded", lambda: checks.append(1))
    cache = CompiledFunctions(maxsize=1000)
    for i in range(2 * compiled.CHECK_EVERY):
        cache.get_or_make(i, lambda: None)
        cache.get_or_make(i, lambda: None)  # a hit
    assert len(checks) == 2


@needs_proc
def test_release_frees_the_executables_of_dropped_functions(monkeypatch):
    cache = CompiledFunctions(maxsize=1000)
    x = jnp.ones(7)
    for i in range(60):  # 60 distinct programs, each ~6 mappings of machine code (measured)
        cache.get_or_make(i, lambda i=i: jax.jit(lambda y: jnp.cumsum(y * i) ** 2 + i))(x).block_until_ready()
    before = compiled.mapping_count()
    monkeypatch.setattr(compiled, "mapping_limit", lambda: before)  # now "crowded": past half the cap
    assert compiled.release_if_crowded() is True
    after = compiled.mapping_count()
    assert len(cache) == 0
    # At least one mapping per released program must be gone (6 per program were measured; 60 is
    # the floor that still proves the executables were unmapped, whatever else the process mapped).
    assert before - after >= 60, (before, after)
    monkeypatch.setattr(compiled, "mapping_limit", lambda: 10 * before)
    assert compiled.release_if_crowded() is False


def test_a_simulation_runs_the_same_after_everything_compiled_is_released():
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.1, delay=1.0, duration=1.0))
    sim.record("v")
    first = sim.run(5.0)["v"]
    compiled.release_all()
    np.testing.assert_array_equal(sim.run(5.0)["v"], first)  # the same program, compiled again
