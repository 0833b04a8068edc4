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
import numpy as np

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
              block: int | None = None, interpret: bool | None = None, tangents=None):
    """Run a batch of single-compartment cells in one kernel.

    Args:
        params: the plan's parameters with a leading batch axis (B) on every leaf.
        drive: (n_steps, k) stimulus arrays shared by the batch (``Simulation.drive``).
        stride: record every ``stride``-th step.
        block: cells per program instance (default ``BLOCK`` on a GPU, the whole batch otherwise).
        interpret: run Pallas' interpreter (default: when the backend is not a GPU).
        tangents: None, or a tangent of ``params`` (same structure and shapes): the kernel then
            also carries the derivative of every state along it (``jax.jvp`` of the engine's step,
            inside the kernel) and returns the recordings' derivative too: forward-mode
            differentiation in the same single pass (``fused_function``).

    Returns:
        recordings (B, n_steps // stride + 1, width), as ``Simulation.run_batch``'s runner; with
        ``tangents``, (recordings, their derivative along the tangents).
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

    def pad(x):  # the batch to whole blocks, with copies of the last cell (their results are dropped)
        x = jnp.asarray(x)
        return jnp.concatenate([x, jnp.repeat(x[-1:], padded - batch, axis=0)]) if padded > batch else x

    leaves = [pad(x) for x in leaves]
    live = [i for i, x in enumerate(leaves) if x.size]  # zero-size leaves are rebuilt in the kernel
    with_tangents = tangents is not None
    # Tangents of the float leaves in use (integer leaves have none: float0 zeros in the kernel).
    d_live = [i for i in live if with_tangents and jnp.issubdtype(leaves[i].dtype, jnp.inexact)]
    tangent_leaves = jax.tree.leaves(tangents) if with_tangents else []
    d_leaves = {i: pad(jnp.asarray(tangent_leaves[i], leaves[i].dtype)) for i in d_live}
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

    def linear(fn, primals, tangents_, parts=0):
        """fn(*primals), and with tangents its derivative along them (else None, or a tuple of
        ``parts`` Nones)."""
        if with_tangents:
            return jax.jvp(fn, primals, tangents_)
        return fn(*primals), ((None,) * parts if parts else None)

    def kernel(*refs):
        n_in = len(live) + len(d_live)
        param_refs, drive_refs = refs[:len(live)], refs[n_in:n_in + len(names)]
        out_refs = refs[n_in + len(names):]

        def block_tree(indices, refs_, tangent=False):
            loaded = dict(zip(indices, refs_))

            def leaf(i, x):
                if i in loaded:
                    return loaded[i][...]
                if tangent and not jnp.issubdtype(x.dtype, jnp.inexact):
                    return np.zeros((block, *x.shape[1:]), jax.dtypes.float0)
                return jnp.zeros((block, *x.shape[1:]), x.dtype)

            return jax.tree.unflatten(treedef, [leaf(i, x) for i, x in enumerate(leaves)])

        p = block_tree(live, param_refs)
        dp = block_tree(d_live, refs[len(live):n_in], tangent=True) if with_tangents else None

        def write(row, cols):
            for ref, rows in zip(out_refs, cols):
                if rows is not None:
                    for c, value in enumerate(rows):
                        ref[row, c] = value

        def start(q):
            s0 = jax.vmap(lambda q_: initial_state(plan, q_))(q)
            return s0, jax.vmap(lambda q_, s: _first_extras(plan, q_, s))(q, s0)

        (s0, first), (ds0, dfirst) = linear(start, (p,), (dp,), parts=2)
        write(0, linear(columns, (p, s0, s0, first), (dp, ds0, ds0, dfirst)))

        def one_step(t, carry, sample, record):
            state, d_state = carry
            xs = {**empty, **{k: r[pl.ds(t, 1)][0] for k, r in zip(names, drive_refs)}}

            def advance(q, s):
                return jax.vmap(lambda q_, s_: step(plan, q_, s_, xs, dt, theta))(q, s)

            (new, extras), (d_new, d_extras) = linear(advance, (p, state), (dp, d_state), parts=2)

            @pl.when(record)
            def _():
                write(sample + 1, linear(columns, (p, new, state, extras), (dp, d_new, d_state, d_extras)))

            return new, d_new

        time_loop(n_samples, stride, one_step, (s0, ds0))

    def block_spec(x):
        rest = x.shape[1:]
        return pl.BlockSpec((block, *rest), lambda b, n=len(rest): (b, *([0] * n)))

    out = jax.ShapeDtypeStruct((n_samples + 1, max(width, 1), padded), dtype)
    out_spec = pl.BlockSpec((n_samples + 1, max(width, 1), block), lambda b: (0, 0, b))
    n_out = 2 if with_tangents else 1
    call = pl.pallas_call(
        kernel,
        out_shape=[out] * n_out,
        grid=(n_blocks,),
        in_specs=[block_spec(leaves[i]) for i in live + d_live]
        + [pl.BlockSpec(d.shape, lambda b: (0, 0)) for d in drives],
        out_specs=[out_spec] * n_out,
        interpret=interpret,
        # Triton: blocks stay in registers and global memory (Mosaic GPU would put the whole
        # recording block in shared memory, which it does not fit).
        compiler_params=None if interpret else _triton_params(),
    )
    outs = call(*[leaves[i] for i in live], *[d_leaves[i] for i in d_live], *drives)
    recs = [jnp.moveaxis(o, 2, 0)[:batch, :, :width] for o in outs]
    return tuple(recs) if with_tangents else recs[0]


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


def fused_function(plan: Plan, drive: dict[str, Any], *, dt: float, theta: float = 1.0, stride: int = 1,
                   interpret: bool | None = None):
    """``params -> recordings`` for a batch (leading axis B on every leaf), by ``run_fused``, with
    forward-mode derivatives: ``jax.jvp`` of it (and so ``engine.grad.value_and_grad(...,
    mode="forward")``) runs the kernel once with the tangent carried beside the state, inside
    the kernel, instead of a scan with one launch per step. Reverse mode (``jax.grad``) is not
    available: the kernel has no transpose (``Simulation.function(kernel="scan")`` has)."""

    @jax.custom_jvp
    def function(params):
        return run_fused(plan, params, drive, dt=dt, theta=theta, stride=stride, interpret=interpret)

    @function.defjvp
    def _(primals, tangents):
        return run_fused(plan, primals[0], drive, dt=dt, theta=theta, stride=stride, interpret=interpret,
                         tangents=tangents[0])

    return function


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
