"""Which fused kernel runs a plan, if any, and running it with a fall-back to the scan.

Three kernels keep a run's whole time loop in one GPU program: ``kernels.single`` for single
compartments (a block of cells per program), and for cables and trees ``kernels.nodes`` (one
program per cell, its nodes across the program's threads) or ``kernels.lanes`` (one lane per
cell). ``use_fused`` decides for a run (the scan is the better bet off a GPU, and for one cell
in lanes), ``choose_layout`` picks the tree layout, ``fused_tree_runner`` and ``run_or_none`` run
the choice; a kernel that fails on the device makes ``kernel="auto"`` warn once and run the
scan (``FAILED``).
"""

from __future__ import annotations

import warnings

import jax
import numpy as np

from excitable.engine.compiled import CompiledFunctions
from excitable.engine.hines import choose_method
from excitable.engine.kernels import lanes, nodes, single
from excitable.engine.kernels.common import BLOCK, fusable, fusable_tree
from excitable.engine.kernels.node_layout import MAX_SIZE
from excitable.engine.plan import Plan
from excitable.errors import ModelError

#: Plans (with dt, method, stride) whose fused kernel failed on this device: kernel="auto" scans them.
FAILED: set[tuple] = set()
#: The tree kernels' jitted runners, per plan, dt, method, stride, block, interpret and layout.
_RUNNERS = CompiledFunctions(maxsize=32)


def why_not(plan: Plan, params=None) -> str | None:
    """None if a fused kernel runs the plan (``single`` for one compartment, the tree kernels for
    more), otherwise the reason none does."""
    return (fusable if plan.n == 1 else fusable_tree)(plan, params)


def use_fused(plan: Plan, kernel: str, params, batched: bool = True) -> bool:
    """Whether a run with ``kernel`` ("auto", "scan" or "fused") takes a fused kernel.

    "auto": on a GPU, where the plan allows it, for a batch, a single compartment, or one cell that
    ``choose_layout`` gives one program ("nodes"); "fused" always, or a one-line ModelError
    naming what the kernels do not run."""
    if kernel == "scan" or (kernel == "auto" and jax.default_backend() != "gpu"):
        return False
    reason = why_not(plan, params)
    if kernel == "fused" and reason:
        raise ModelError(f"kernel='fused' cannot run this model: {reason}")
    if reason is not None or kernel == "fused":
        return reason is None
    # A kernel with one lane per cell would walk one cell's nodes on one thread: the scan's
    # vector passes are the better bet there.
    return batched or plan.n == 1 or choose_layout(plan) == "nodes"


def run_or_none(plan: Plan, params, drive: dict[str, np.ndarray], *, dt: float, theta: float, stride: int,
                kernel: str) -> np.ndarray | None:
    """Recordings (B, n_samples, width) of a batch from the fused kernel, or None when
    ``kernel="auto"`` and it fails to compile or run on this device (then the caller runs the
    scan, this warns, and this plan does not try the kernel again in this process);
    ``kernel="fused"`` raises the error."""
    key = (plan.key(), float(dt), float(theta), int(stride))
    if kernel == "auto" and key in FAILED:
        return None
    try:
        if plan.n == 1:
            runner = single.fused_runner(plan, dt=dt, theta=theta, stride=stride)
        else:
            layout = choose_layout(plan, batch=int(np.shape(params["cm"])[0]))
            runner = fused_tree_runner(plan, dt=dt, theta=theta, stride=stride, layout=layout)
        # One kernel for the whole run: its memory is the recordings asked for and one state
        # per cell, no more.
        return np.asarray(runner(params, drive))
    except Exception as e:  # noqa: BLE001 - a GPU compiler's error, whatever its type
        if kernel != "auto":
            raise
        FAILED.add(key)
        first = (str(e).strip().splitlines() or [""])[0][:200]
        warnings.warn(f"the fused kernel failed on this device ({type(e).__name__}: {first}); running "
                      f"lax.scan instead (kernel='scan' skips the attempt)", RuntimeWarning, stacklevel=5)
        return None


def choose_layout(plan: Plan, layout: str = "auto", batch: int = 1) -> str:
    """The kernel for a batch of ``batch`` copies of a multi-compartment plan: "lanes"
    (``kernels.lanes``: one lane per cell, the nodes one after another) or "nodes"
    (``kernels.nodes``: one program per cell, its nodes across the program's threads, the tree
    solved in a few vector passes).

    "auto" takes "nodes" where the ``lax.scan`` path on a GPU would use a parallel solver
    (``hines.choose_method``): cables (cyclic reduction: log2 N passes) and trees much shallower
    than they have nodes (the CA1 cell of the benchmarks: 705 nodes in 62 levels), unless the
    batch is large enough to give every multiprocessor of the GPU a whole block of lanes
    (``BLOCK`` x multiprocessors: 16 896 cells on an H100). Then "lanes": a multiprocessor holds
    768-1024 cells in lanes against 1-2 as programs (benchmarks/gpu_build.py: registers), and
    with every multiprocessor busy, throughput rather than the length of one cell's step is
    what counts. (A reasoned threshold, not yet timed on a GPU.) "lanes" for other trees,
    whose level passes would be nearly as many as their nodes, and for plans of more than
    ``node_layout.MAX_SIZE`` nodes (a network of many cells in one plan, say).
    """
    if layout not in ("auto", "lanes", "nodes"):
        raise ValueError(f"layout must be 'auto', 'lanes' or 'nodes', got {layout!r}")
    if layout != "auto":
        return layout
    if batch >= BLOCK * multiprocessors() or plan.n >= MAX_SIZE:  # P = plan.n + 1 rounded up
        return "lanes"
    return "nodes" if choose_method(plan.parent, backend="gpu") in ("levels", "pcr") else "lanes"


def multiprocessors() -> int:
    """Multiprocessors of the first GPU (an H100's 132 where none is present or JAX does not say)."""
    try:
        return int(getattr(jax.devices("gpu")[0], "core_count", 132))
    except RuntimeError:  # no GPU backend
        return 132


def fused_tree_runner(plan: Plan, *, dt: float, theta: float = 1.0, stride: int = 1, block: int | None = None,
                      interpret: bool | None = None, layout: str = "auto"):
    """A jitted ``(params, drive) -> recordings`` running ``lanes.run_fused_tree`` or, for the
    "nodes" layout, ``nodes.run_fused_nodes`` (cached per plan). ``layout`` as ``choose_layout``'s,
    "auto" there without the batch size (which the caller knows: ``run_or_none`` passes its choice)."""
    layout = choose_layout(plan, layout)
    key = (plan.key(), float(dt), float(theta), int(stride), block, interpret, layout)

    def make():
        if layout == "nodes":
            run_nodes = nodes.run_fused_nodes
            return jax.jit(lambda params, drive: run_nodes(
                plan, params, drive, dt=dt, theta=theta, stride=stride, interpret=interpret))
        return jax.jit(lambda params, drive: lanes.run_fused_tree(
            plan, params, drive, dt=dt, theta=theta, stride=stride, block=block, interpret=interpret))

    return _RUNNERS.get_or_make(key, make)
