"""What the fused kernels share: what they cover, their time loop, their start, blocks and padding.

Every kernel steps V, density mechanisms and current clamps with the engine's own arithmetic
(``stepping``); ``unsupported`` names what none of them runs, and ``fusable`` / ``fusable_tree``
what the single-compartment kernel (``kernels.single``) and the tree kernels (``kernels.lanes``,
``kernels.nodes``) take. The initial state and the first recorded row are computed outside a
kernel, by the engine's own functions (``initial_rows``); the steps then run inside one
``time_loop``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from excitable.engine.integrate import first_extras, initial_state, record
from excitable.engine.ion_style import promoted_ions
from excitable.engine.plan import Plan
from excitable.engine.stepping import is_point

#: Probe kinds the single-compartment kernel records (everything computed from the state and the
#: step's extras).
RECORDABLE = frozenset({"v", "state", "current", "conductance", "i_ion", "i_cap", "iclamp"})
#: Probe kinds the tree kernels record: those, and V at every node.
RECORDABLE_TREE = RECORDABLE | {"v_all"}
#: Cells per program instance on a GPU (a power of two, as Triton's blocks must be).
BLOCK = 128


def fusable(plan: Plan, params=None) -> str | None:
    """None if the plan runs in the single-compartment kernel, otherwise the reason it does not."""
    if plan.n != 1:
        return (f"{plan.n} compartments per cell (this kernel takes single compartments; "
                "kernels.lanes and kernels.nodes take cables and trees)")
    return unsupported(plan, params, RECORDABLE)


def fusable_tree(plan: Plan, params=None) -> str | None:
    """None if the plan runs in the tree kernels (either layout), otherwise the reason it does not."""
    if plan.n == 1:
        return "a single compartment (kernels.single takes it)"
    if plan.diffusion:
        return "LONGITUDINAL_DIFFUSION of an imported mechanism (engine.diffusion)"
    if params is not None and any(getattr(type(params["channels"][pl.name]), "conc_writes", None)
                                  for pl in plan.placements):
        return "a mechanism that writes an ion concentration (writers.written_pools)"
    if params is not None and any(getattr(type(params["channels"][pl.name]), "reversal_writes", None)
                                  for pl in plan.placements):
        return "a mechanism that writes a reversal potential (writers.written_reversals)"
    if params is not None and any(what == "current" for pl in plan.placements
                                  for _, what in type(params["channels"][pl.name]).ion_fields.values()):
        return "a mechanism that reads an ion current (stepping.written_currents)"
    if params is not None and promoted_ions(plan, params):
        return "an imported reader of an ion concentration beside a reader of its reversal potential (ion style)"
    return unsupported(plan, params, RECORDABLE_TREE)


def unsupported(plan: Plan, params, recordable: frozenset) -> str | None:
    """What in the plan, beyond its number of compartments, no fused kernel runs (None: nothing):
    the kernels step V, density mechanisms and current clamps only."""
    if plan.vclamp_nodes.size:
        return "a voltage clamp"
    if plan.pools:
        return "dynamic ion concentrations"
    if plan.connections.groups or plan.connections.n_sources or plan.record_spikes:
        return "synapses or spike recording"
    if plan.gap_pairs.size:
        return "gap junctions"
    if plan.pointers:
        return "a POINTER of an imported mechanism (engine/pointers.py)"
    bad = sorted({p.kind for p in plan.probes} - recordable)
    if bad:
        return f"recordings of {', '.join(bad)}"
    if params is not None and any(is_point(params["channels"][pl.name]) for pl in plan.placements):
        return "a point mechanism"
    if params is not None and any(getattr(type(params["channels"][pl.name]), "random", False) for pl in plan.placements):
        return "a mechanism that draws random numbers (engine.noise: keys by step, not in the kernels)"
    return None


def interpreted(interpret: bool | None) -> bool:
    """Whether to run Pallas' interpreter: as asked, or (None) whenever the backend is not a GPU."""
    return (jax.default_backend() != "gpu") if interpret is None else interpret


def blocks(batch: int, block: int | None) -> tuple[int, int]:
    """(cells per program instance, the batch padded to whole blocks): ``block`` cells, by default
    ``BLOCK`` on a GPU and the whole batch otherwise (never more than the batch)."""
    gpu = jax.default_backend() == "gpu"
    block = min(block or (BLOCK if gpu else batch), batch)
    return block, -(-batch // block) * block


def pad_cells(x, padded: int, axis: int):
    """``x`` with its cell axis padded to ``padded`` with copies of the last cell (their results
    are dropped: a program instance always takes a whole block)."""
    axis = axis % x.ndim
    missing = padded - x.shape[axis]
    if missing <= 0:
        return x
    last = jax.lax.slice_in_dim(x, x.shape[axis] - 1, x.shape[axis], axis=axis)
    return jnp.concatenate([x, jnp.repeat(last, missing, axis=axis)], axis=axis)


def initial_rows(plan: Plan, params, dt: float):
    """(initial state, first recorded row) of a batch (leading axis B on every leaf of ``params``),
    outside the kernel: the engine's own functions (the resting state by Newton's method
    included, whose index tables a kernel cannot capture)."""
    s0 = jax.vmap(lambda q: initial_state(plan, q))(params)
    first = jax.vmap(lambda q, s: record(plan, q, s, s, first_extras(plan, q, s, dt), dt))(params, s0)
    return s0, first


def time_loop(n_samples: int, stride: int, step, carry):
    """``n_samples * stride`` steps in a kernel: ``carry = step(t, carry, sample, record)``, where
    ``record`` is true at every ``stride``-th step, whose recordings are row ``sample``.

    One copy of the step in the kernel's code, recording under a condition: a loop of
    ``stride - 1`` plain steps followed by a recorded one would write the step twice (or, unrolled,
    ``stride`` times), and Triton's compile time grows with the code (benchmarks/gpu_build.py:
    1.7-1.8 s -> 0.7-0.8 s for the tree kernels). Integer ops from ``lax``: jnp's ``%`` and ``//``
    lower to selects that Triton's lowering refuses."""
    def body(t, carry):
        k = jnp.asarray(stride, t.dtype)
        return step(t, carry, jax.lax.div(t + 1, k) - 1, jax.lax.rem(t + 1, k) == 0)

    return jax.lax.fori_loop(0, n_samples * stride, body, carry)


def triton_params(**options):
    """Pallas' Triton compiler parameters (imported here: a JAX without the Triton backend fails
    at this import, and the dispatcher then falls back to the scan)."""
    from jax.experimental.pallas import triton as pltriton

    return pltriton.CompilerParams(**options)
