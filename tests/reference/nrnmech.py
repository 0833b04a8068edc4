"""NEURON mechanisms compiled once with nrnivmodl and reused across sessions (test helper): the
product's own compiler cache (``excitable.workflows.nrnivmodl``, which ``excitable mod compare``
uses), so the tests compile exactly as a user's comparison does."""

from __future__ import annotations

from pathlib import Path

from excitable.workflows.neuron_side import known_mechanisms
from excitable.workflows.nrnivmodl import compile_mods, nrnivmodl

__all__ = ["compiled", "nrnivmodl"]


def compiled(files, cache_name: str, timeout_s: float = 300) -> Path | None:
    """A folder holding ``files`` (.mod paths) compiled by nrnivmodl; None when nrnivmodl is missing
    or fails (the caller skips its NEURON comparison then)."""
    return compile_mods(files, cache_name, timeout_s)[0]


_LOADED: dict[str, object] = {}


def neuron_loaded(files, cache_name: str, what: str, timeout_s: float = 600):
    """NEURON's h (standard run system) with ``files`` compiled by nrnivmodl (once per machine,
    cached) and loaded (once per process, by ``cache_name``); the test is skipped when NEURON or
    its compiler is missing (``what`` names the files in the skip message).

    One process may already hold some of these mechanisms: another test file's library, or one
    that ``excitable mod compare`` compiled and loaded in a test (pytest-xdist puts any test files
    in one worker). NEURON refuses a second library defining a name it has ("user defined name
    already exists"), so only the files whose mechanisms it lacks are compiled and loaded: a name
    is one file of tests/ throughout, so the one loaded is the same file. A library that compiled
    but does not load fails the test rather than skipping it."""
    import pytest

    from tests.conftest import neuron_h

    h = neuron_h()
    if cache_name not in _LOADED:
        import neuron

        have = known_mechanisms(h)
        todo = [f for f in files if mechanism_name(f) not in have]
        if todo:
            name = cache_name if len(todo) == len(files) else f"{cache_name}-{len(todo)}-of-{len(files)}"
            folder = compiled(todo, name, timeout_s)
            if folder is None:
                pytest.skip(f"nrnivmodl could not compile {what}")
            if not neuron.load_mechanisms(str(folder), warn_if_already_loaded=False):
                pytest.fail(f"NEURON could not load {what}, compiled in {folder}")
        _LOADED[cache_name] = h
    return h


def mechanism_name(path) -> str:
    """The name a .mod file gives its mechanism (SUFFIX, POINT_PROCESS or ARTIFICIAL_CELL)."""
    import re

    found = re.search(r"(?m)^[^:\n]*\b(?:SUFFIX|POINT_PROCESS|ARTIFICIAL_CELL)\s+(\w+)", Path(path).read_text())
    return found.group(1) if found else ""
