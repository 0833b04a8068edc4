"""Shared test set-up: float64 JAX (as the engine uses on the CPU) and the NEURON marker."""

import os
import sys

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


@pytest.fixture(autouse=True)
def _neuron_ion_starts_restored():
    """After each test, NEURON's starting concentrations (``cai0_ca_ion`` ...) back at its defaults.

    They are globals of the process: a test that sets them (a pump at 12 mM [Na]i, a pool from
    cai = 0) would otherwise change every later NEURON run in its pytest worker, so a test's result
    would depend on which files xdist gave that worker before it (test_concentrations differed by
    1.32 of V's range after test_pool_refusals). Nothing to do in a process without NEURON."""
    yield
    neuron = sys.modules.get("neuron")
    if neuron is None or not hasattr(neuron, "h"):
        return
    from excitable.io.nmodl.describe import ION_DEFAULTS  # NEURON's eion.cpp values, mM

    for ion, values in ION_DEFAULTS.items():
        for side in ("i", "o"):
            try:
                setattr(neuron.h, f"{ion}{side}0_{ion}_ion", values[side])
            except LookupError:  # the ion is not registered yet (ca: until a mechanism uses it)
                pass
