"""Experiments dispatched as on a GPU, on this CPU: the same results.

On a GPU, ``Simulation.run`` and ``run_batch`` take the fused kernels wherever a model allows
(single compartments, cables, shallow trees) instead of ``lax.scan``. No GPU is needed to check
that this dispatch works end to end: here JAX reports a "gpu" backend, so every "auto" choice
goes the GPU's way, while the kernels run in Pallas' interpreter. Two defects of this kind were
found so (a cell started at rest, and one without stimuli, made the single-compartment kernel
fail to build; the run fell back to the scan with a warning). Reference: the same experiments
dispatched as on a CPU (the scan path); tolerance 1e-9 relative on every numeric summary field
(sums taken in another order; the kernels are the engine's own step).
"""

import functools
import math
import warnings

import jax
import pytest

from excitable.engine.compiled import CompiledFunctions
from excitable.engine.kernels import dispatch, lanes, nodes, single
from excitable.experiments.cables import propagation
from excitable.experiments.excitability import action_potential
from excitable.experiments.membrane import resting_potential

#: Experiments whose models the kernels take: no stimulus (resting potential: two single
#: compartments from a set V), a cell at rest with a pulse (action potential, run as a batch),
#: and an axon (propagation: a cable, one program per cell by cyclic reduction).
EXPERIMENTS = {"resting-potential": resting_potential, "action-potential": action_potential,
               "propagation": propagation}


def numbers(summary: dict) -> dict:
    return {k: float(v) for k, v in summary.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}


@pytest.fixture
def as_on_a_gpu(monkeypatch):
    """JAX says "gpu"; each kernel runs interpreted and counts its traces."""
    calls = {}
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    for module, name in ((single, "run_fused"), (lanes, "run_fused_tree"), (nodes, "run_fused_nodes")):
        original = getattr(module, name)

        def interpreted(*args, original=original, name=name, **kw):
            calls[name] = calls.get(name, 0) + 1
            return original(*args, **{**kw, "interpret": True})

        monkeypatch.setattr(module, name, functools.wraps(original)(interpreted))
    # Runners are cached per plan: trace them anew under the patches.
    monkeypatch.setattr(single, "_RUNNERS", CompiledFunctions())
    monkeypatch.setattr(dispatch, "_RUNNERS", CompiledFunctions())
    return calls


def test_experiments_dispatched_as_on_a_gpu_give_the_cpu_results(as_on_a_gpu):
    with pytest.MonkeyPatch.context() as cpu:
        cpu.setattr(jax, "default_backend", lambda: "cpu")
        reference = {name: numbers(module.run().summary) for name, module in EXPERIMENTS.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a kernel that fails and falls back fails here
        for name, module in EXPERIMENTS.items():
            got = numbers(module.run().summary)
            assert got.keys() == reference[name].keys()
            for key, value in reference[name].items():
                assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12), f"{name}: {key}"
    # The GPU's way was taken: the single-compartment kernel and one program per cell.
    assert as_on_a_gpu.get("run_fused", 0) >= 2 and as_on_a_gpu.get("run_fused_nodes", 0) >= 1
