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
