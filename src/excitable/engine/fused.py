"""Fused time stepping for batches of single-compartment cells: the whole time loop in one kernel.

``lax.scan`` runs every time step as its own pass over memory: each step reads and writes every
state of every cell, and on a GPU each step costs a launch (~10 us on an H100). Here the loop runs
inside one ``pallas_call``: each program instance takes a block of cells, keeps their states in
registers for all steps, and writes only the recorded samples.

The kernel's body is the engine's own step (``stepping.step``), ``vmap``-ed over the block, so any
channel runs here exactly as in the ordinary path, with the same arithmetic. What it covers: one
compartment per cell, density mechanisms, current clamps, recordings of V, states, currents and
conductances (no voltage clamps, ion pools, synapses or gap junctions: ``fusable`` says why not).
Cables and trees have their own kernel, ``engine.fused_tree``, behind the same ``run_batch``.

Where it runs: on a GPU (Pallas, Triton lowering); on the CPU in Pallas' interpreter, which is how
the tests check it against the ordinary path. ``Simulation.run_batch(kernel="auto")`` takes it
on GPUs when the plan is fusable and falls back to ``lax.scan`` everywhere else.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from excitable.engine.integrate import _first_extras, _probe_value, initial_state
from excitable.engine.plan import Plan
from excitable.engine.stepping import is_point, step

#: Probe kinds the kernel records (everything computed from the state and the step's extras).
RECORDABLE = frozenset({"v", "state", "current", "conductance", "i_ion", "i_cap", "iclamp"})
#: Cells per program instance on a GPU (a power of two, as Triton's blocks must be).
BLOCK = 128


def fusable(plan: Plan, params=None) -> str | None:
    """None if the plan runs in the fused kernel, otherwise the reason it does not."""
    if plan.n != 1:
        return (f"{plan.n} compartments per cell (this kernel takes single compartments; "
                "engine.fused_tree takes cables and trees)")
    return unsupported(plan, params, RECORDABLE)


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
    bad = sorted({p.kind for p in plan.probes} - recordable)
    if bad:
        return f"recordings of {', '.join(bad)}"
    if params is not None and any(is_point(params["channels"][pl.name]) for pl in plan.placements):
        return "a point mechanism"
    return None


def run_fused(plan: Plan, params, drive: dict[str, Any], *, dt: float, theta: float = 1.0, stride: int = 1,
              block: int | None = None, interpret: bool | None = None):
    """Run a batch of single-compartment cells in one kernel.

    Args:
        params: the plan's parameters with a leading batch axis (B) on every leaf.
        drive: (n_steps, k) stimulus arrays shared by the batch (``Simulation.drive``).
        stride: record every ``stride``-th step.
        block: cells per program instance (default ``BLOCK`` on a GPU, the whole batch otherwise).
        interpret: run Pallas' interpreter (default: when the backend is not a GPU).

    Returns:
        recordings (B, n_steps // stride + 1, width), as ``Simulation.run_batch``'s runner.
    """
    from jax.experimental import pallas as pl

    reason = fusable(plan, params)
    if reason:
        raise ValueError(f"this model cannot use the fused kernel: {reason}")
    gpu = jax.default_backend() == "gpu"
    interpret = (not gpu) if interpret is None else interpret
    leaves, treedef = jax.tree.flatten(params)
    batch = leaves[0].shape[0]
    block = min(block or (BLOCK if gpu else batch), batch)
    n_blocks = -(-batch // block)
    padded = n_blocks * block
    dtype = jnp.result_type(params["cm"])
    # Pad the batch to whole blocks with copies of the last cell (their results are dropped).
    leaves = [jnp.concatenate([x, jnp.repeat(x[-1:], padded - batch, axis=0)]) if padded > batch
              else jnp.asarray(x) for x in leaves]
    live = [i for i, x in enumerate(leaves) if x.size]  # zero-size leaves are rebuilt in the kernel
    n_steps = next(iter(drive.values())).shape[0]
    names = sorted(k for k in drive if drive[k].size)  # the others are rebuilt in the kernel
    empty = {k: jnp.zeros(drive[k].shape[1:], dtype) for k in drive if not drive[k].size}
    drives = [jnp.asarray(drive[k], dtype=dtype) for k in names]
    n_samples = n_steps // stride
    width = sum(p.width(plan.n) for p in plan.probes)  # one column per probe (width 1 each here)

    def columns(p, new, old, extras):
        """Each probe's value for the block: one (block,) row per probe. Rows, not one
        concatenated (block, width) array: Triton lowers neither a concatenation of more than
        two arrays nor a width that is not a power of two."""
        return [jax.vmap(lambda q, n, o, e, pr=pr: jnp.reshape(_probe_value(plan, q, pr, n, o, e, dt), ()))(
            p, new, old, extras).astype(dtype) for pr in plan.probes]

    def kernel(*refs):
        param_refs, drive_refs, out_ref = refs[:len(live)], refs[len(live):-1], refs[-1]
        loaded = dict(zip(live, param_refs))
        block_leaves = [loaded[i][...] if i in loaded else jnp.zeros((block, *x.shape[1:]), x.dtype)
                        for i, x in enumerate(leaves)]
        p = jax.tree.unflatten(treedef, block_leaves)
        s0 = jax.vmap(lambda q: initial_state(plan, q))(p)
        first = jax.vmap(lambda q, s: _first_extras(plan, q, s))(p, s0)
        for c, row in enumerate(columns(p, s0, s0, first)):
            out_ref[0, c] = row

        def one_step(t, state, sample, record):
            xs = {**empty, **{k: r[pl.ds(t, 1)][0] for k, r in zip(names, drive_refs)}}
            new, extras = jax.vmap(lambda q, s: step(plan, q, s, xs, dt, theta))(p, state)

            @pl.when(record)
            def _():
                for c, row in enumerate(columns(p, new, state, extras)):
                    out_ref[sample + 1, c] = row

            return new

        time_loop(n_samples, stride, one_step, s0)

    def block_spec(x):
        rest = x.shape[1:]
        return pl.BlockSpec((block, *rest), lambda b, n=len(rest): (b, *([0] * n)))

    call = pl.pallas_call(
        kernel,
        out_shape=jax.ShapeDtypeStruct((n_samples + 1, max(width, 1), padded), dtype),
        grid=(n_blocks,),
        in_specs=[block_spec(leaves[i]) for i in live]
        + [pl.BlockSpec(d.shape, lambda b: (0, 0)) for d in drives],
        out_specs=pl.BlockSpec((n_samples + 1, max(width, 1), block), lambda b: (0, 0, b)),
        interpret=interpret,
        # Triton: blocks stay in registers and global memory (Mosaic GPU would put the whole
        # recording block in shared memory, which it does not fit).
        compiler_params=None if interpret else _triton_params(),
    )
    out = call(*[leaves[i] for i in live], *drives)
    return jnp.moveaxis(out, 2, 0)[:batch, :, :width]


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


def _triton_params():
    from jax.experimental.pallas import triton as pltriton

    return pltriton.CompilerParams()


_RUNNERS: dict[tuple, Any] = {}


def fused_runner(plan: Plan, *, dt: float, theta: float = 1.0, stride: int = 1, block: int | None = None,
                 interpret: bool | None = None):
    """A jitted ``(params, drive) -> recordings`` running ``run_fused`` (cached per plan)."""
    key = (plan.key(), float(dt), float(theta), int(stride), block, interpret)
    fn = _RUNNERS.get(key)
    if fn is None:
        fn = _RUNNERS[key] = jax.jit(lambda params, drive: run_fused(
            plan, params, drive, dt=dt, theta=theta, stride=stride, block=block, interpret=interpret))
    return fn
