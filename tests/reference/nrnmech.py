"""NEURON mechanisms compiled once with nrnivmodl and reused across sessions (test helper): the
product's own compiler cache (``excitable.workflows.nrnivmodl``, which ``excitable mod compare``
uses), so the tests compile exactly as a user's comparison does."""

from __future__ import annotations

from pathlib import Path

from excitable.workflows.nrnivmodl import compile_mods, nrnivmodl

__all__ = ["compiled", "nrnivmodl"]


def compiled(files, cache_name: str, timeout_s: float = 300) -> Path | None:
    """A folder holding ``files`` (.mod paths) compiled by nrnivmodl; None when nrnivmodl is missing
    or fails (the caller skips its NEURON comparison then)."""
    return compile_mods(files, cache_name, timeout_s)[0]


_LOADED: dict[str, object] = {}


def neuron_loaded(files, cache_name: str, what: str, timeout_s: float = 600):
    """NEURON's h (standard run system) with ``files`` compiled by nrnivmodl (once per machine,
    cached) and loaded (once per process, by ``cache_name``); the test is skipped when NEURON, its
    compiler or the loading fails (``what`` names the files in the skip message)."""
    import pytest

    from tests.conftest import neuron_h

    h = neuron_h()
    if cache_name not in _LOADED:
        import neuron

        folder = compiled(files, cache_name, timeout_s)
        if folder is None or not neuron.load_mechanisms(str(folder), warn_if_already_loaded=False):
            pytest.skip(f"nrnivmodl could not compile or NEURON could not load {what}")
        _LOADED[cache_name] = h
    return h
