"""Shared test set-up: float64 JAX (as the engine uses on the CPU) and the NEURON marker."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
# Tests run the CLI in many subprocesses: none may leave a warm server behind (test_server.py
# starts its own, in a private directory).
os.environ.setdefault("EXCITABLE_SERVER", "0")

import jax  # noqa: E402
import pytest  # noqa: E402

jax.config.update("jax_enable_x64", True)


def neuron_h():
    """NEURON's hoc interpreter with the standard run system, or skip the test."""
    h = pytest.importorskip("neuron").h
    h.load_file("stdrun.hoc")
    return h
