"""Compiled functions kept for reuse, bounded, and released before the process runs out of mappings.

Why bounded: XLA keeps each executable's machine code in memory mappings of its own (a single-cell
HH run makes about 100, counting the resting-state solve and the runner), and Linux caps a process's
mappings (``vm.max_map_count``, 65530 by default). Past the cap LLVM cannot map its code and XLA
crashes the process ("LLVM compilation error: Cannot allocate memory", then a segmentation fault
in ``backend_compile_and_load`` or in the persistent cache's serialization), taking everything in
it down without a Python error. A long-lived process that compiles many distinct models -- the lab,
the warm CLI server, a notebook, a test worker (``make test`` reached the cap after ~1000 tests) --
must let old executables go. So:

- each cache here keeps its most recently used functions only (``maxsize``); a dropped function's
  executables are freed with it, and JAX's persistent compilation cache makes a later recompile of
  the same program a load, not a compile;
- before a function is made (every ``CHECK_EVERY``-th cache miss), ``release_if_crowded`` reads
  the process's mapping count and, past half the cap, empties these caches and JAX's own (``jax.clear_caches``), which
  frees every executable no caller still holds. Safe mid-trace: an ongoing trace keeps what it uses.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any, Callable, Hashable

import jax

DEFAULT_MAP_LIMIT = 65530  # Linux's default vm.max_map_count
#: Misses between two counts of the mappings: reading /proc/self/maps takes ~20 ms at 30000 of
#: them, and a miss adds a few hundred at most, far inside the half of the cap kept free.
CHECK_EVERY = 8
_misses = 0
_CACHES: weakref.WeakSet[CompiledFunctions] = weakref.WeakSet()  # every live cache, for release_all


class CompiledFunctions:
    """A map from key to compiled function keeping the ``maxsize`` most recently used."""

    def __init__(self, maxsize: int = 64):
        self.maxsize = int(maxsize)
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        _CACHES.add(self)

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The function cached under ``key``, else ``make()``'s, cached (the oldest dropped)."""
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        _count_miss()
        fn = self._items[key] = make()
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)
        return fn

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def clear(self) -> None:
        self._items.clear()


def _count_miss() -> None:
    global _misses
    _misses += 1
    if _misses % CHECK_EVERY == 0:
        release_if_crowded()


def mapping_count() -> int | None:
    """How many memory mappings this process has (Linux), or None where that cannot be read."""
    try:
        with open("/proc/self/maps", "rb") as f:
            return f.read().count(b"\n")
    except OSError:
        return None


def mapping_limit() -> int:
    """The kernel's cap on a process's mappings (``vm.max_map_count``)."""
    try:
        with open("/proc/sys/vm/max_map_count") as f:
            return int(f.read())
    except (OSError, ValueError):
        return DEFAULT_MAP_LIMIT


def release_all() -> None:
    """Drop every cached compiled function, ours and JAX's (the next run of each compiles again,
    or loads it from JAX's persistent cache)."""
    for cache in _CACHES:
        cache.clear()
    jax.clear_caches()


def release_if_crowded(fraction: float = 0.5) -> bool:
    """``release_all()`` if this process holds more than ``fraction`` of its mapping cap; whether it did."""
    count = mapping_count()
    if count is None or count < fraction * mapping_limit():
        return False
    release_all()
    return True
