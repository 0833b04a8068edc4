"""The fused kernel for batches of single-compartment cells: the whole time loop in one kernel.

``lax.scan`` runs every time step as its own pass over memory: each step reads and writes every
state of every cell, and on a GPU each step costs a launch (~10 us on an H100). Here the loop runs
inside one ``pallas_call``: each program instance takes a block of cells, keeps their states in
registers for all steps, and writes only the recorded samples.

The kernel's body is the engine's own step (``stepping.step``), ``vmap``-ed over the block, so any
channel runs here exactly as in the ordinary path, with the same arithmetic. What it covers: one
compartment per cell, density mechanisms, current clamps, recordings of V, states, currents and
conductances (no voltage clamps, ion pools, synapses or gap junctions: ``common.fusable`` says why
not). Cables and trees have their own kernels, ``kernels.lanes`` and ``kernels.nodes``, behind the
same ``run_batch``.

Where it runs: on a GPU (Pallas, Triton lowering); on the CPU in Pallas' interpreter, which is how
the tests check it against the ordinary path. ``Simulation.run_batch(kernel="auto")`` takes it
on GPUs when the plan is fusable and falls back to ``lax.scan`` everywhere else
(``kernels.dispatch``).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from excitable.backends import kernel_body
from excitable.engine.compiled import CompiledFunctions
from excitable.engine.integrate import probe_value
from excitable.engine.kernels.common import (blocks, fusable, initial_rows, interpreted, pad_cells, time_loop,
                                             triton_params)
from excitable.engine.plan import Plan
from excitable.engine.stepping import step


# Long because the kernel body below closes over the block's inputs, drives, probes and tangents:
# split into functions, each piece would take a dozen of them as arguments.
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
    interpret = interpreted(interpret)
    batch = jax.tree.leaves(params)[0].shape[0]
    block, padded = blocks(batch, block)
    dtype = jnp.result_type(params["cm"])
    with_tangents = tangents is not None

    # The initial state and the first row, outside the kernel: the engine's own functions (the
    # resting state by Newton's method included, whose index tables a kernel cannot capture).
    def start(q):
        return initial_rows(plan, q, dt)

    if with_tangents:
        def float0_if_integer(x, t):  # integer leaves (a seed) have no tangent
            x = jnp.asarray(x)
            return t if jnp.issubdtype(x.dtype, jnp.inexact) else np.zeros(x.shape, jax.dtypes.float0)

        tangents = jax.tree.map(float0_if_integer, params, tangents)
        (s0, first), (ds0, d_first) = jax.jvp(start, (params,), (tangents,))
    else:
        (s0, first), ds0 = start(params), None
    n_steps = next(iter(drive.values())).shape[0]
    n_samples = n_steps // stride
    width = sum(p.width(plan.n) for p in plan.probes)  # one column per probe (width 1 each here)
    if n_samples == 0:
        return (first[:, None], d_first[:, None]) if with_tangents else first[:, None]
    ins = _BlockInputs(batch, padded, block)
    p_in, s_in = ins.add(params), ins.add(s0)
    dp_in = ins.add(tangents, like=params) if with_tangents else None
    ds_in = ins.add(ds0, like=s0) if with_tangents else None
    names = sorted(k for k in drive if drive[k].size)  # the others are rebuilt in the kernel
    empty = {k: drive[k].shape[1:] for k in drive if not drive[k].size}
    drives = [jnp.asarray(drive[k], dtype=dtype) for k in names]

    def columns(p, new, old, extras):
        """Each probe's value for the block: one (block,) row per probe. Rows, not one
        concatenated (block, width) array: Triton lowers neither a concatenation of more than
        two arrays nor a width that is not a power of two."""
        return [jax.vmap(lambda q, n, o, e, pr=pr: jnp.reshape(probe_value(plan, q, pr, n, o, e, dt), ()))(
            p, new, old, extras).astype(dtype) for pr in plan.probes]

    def kernel(*refs):
        n_in = len(ins.arrays)
        in_refs, drive_refs, out_refs = refs[:n_in], refs[n_in:n_in + len(names)], refs[n_in + len(names):]
        p, state = p_in.load(in_refs), s_in.load(in_refs)
        dp = dp_in.load(in_refs) if with_tangents else None
        d_state = ds_in.load(in_refs) if with_tangents else None

        # Tangents of integer state leaves are float0 zeros: JAX's symbolic zeros when passed to
        # jax.jvp, but a loop carry would make them arrays (constants a kernel cannot capture),
        # so the loop carries the float leaves' tangents only.
        state_leaves, state_def = jax.tree.flatten(state)
        floats = [jnp.issubdtype(x.dtype, jnp.inexact) for x in state_leaves]

        def float_part(tree):
            return None if tree is None else [x for x, f in zip(jax.tree.leaves(tree), floats) if f]

        def whole(part):
            if part is None:
                return None
            it = iter(part)
            return jax.tree.unflatten(state_def, [next(it) if f else np.zeros(x.shape, jax.dtypes.float0)
                                                  for x, f in zip(state_leaves, floats)])

        def one_step(t, carry, sample, record_):
            state, d_state = carry[0], whole(carry[1])
            xs = {**{k: jnp.zeros(shape, dtype) for k, shape in empty.items()},
                  **{k: r[pl.ds(t, 1)][0] for k, r in zip(names, drive_refs)}}

            def advance(q, s):
                return jax.vmap(lambda q_, s_: step(plan, q_, s_, xs, dt, theta))(q, s)

            if with_tangents:
                (new, extras), (d_new, d_extras) = jax.jvp(advance, (p, state), (dp, d_state))
            else:
                (new, extras), (d_new, d_extras) = advance(p, state), (None, None)

            @pl.when(record_)
            def _():  # the probes only at recorded steps
                if with_tangents:
                    rows, d_rows = jax.jvp(columns, (p, new, state, extras), (dp, d_new, d_state, d_extras))
                else:
                    rows, d_rows = columns(p, new, state, extras), None
                for ref, values in zip(out_refs, (rows, d_rows)):
                    for c, value in enumerate(values or ()):
                        ref[sample, c] = value

            return new, float_part(d_new)

        time_loop(n_samples, stride, one_step, (state, float_part(d_state)))

    out = jax.ShapeDtypeStruct((n_samples, max(width, 1), padded), dtype)
    out_spec = pl.BlockSpec((n_samples, max(width, 1), block), lambda b: (0, 0, b))
    n_out = 2 if with_tangents else 1
    call = pl.pallas_call(
        kernel,
        out_shape=[out] * n_out,
        grid=(padded // block,),
        in_specs=ins.specs() + [pl.BlockSpec(d.shape, lambda b: (0, 0)) for d in drives],
        out_specs=[out_spec] * n_out,
        interpret=interpret,
        # Triton: blocks stay in registers and global memory (Mosaic GPU would put the whole
        # recording block in shared memory, which it does not fit).
        compiler_params=None if interpret else triton_params(),
    )
    with kernel_body():  # traced here: no lax.cond in it (backends.kernel_body)
        outs = call(*ins.arrays, *drives)
    recs = [jnp.concatenate([f[:, None], jnp.moveaxis(o, 2, 0)[:batch, :, :width]], axis=1)
            for f, o in zip((first, d_first) if with_tangents else (first,), outs)]
    return tuple(recs) if with_tangents else recs[0]


class _BlockInputs:
    """The kernel's per-cell inputs: pytrees of (B, ...) arrays, padded to whole blocks with
    copies of the last cell (their results are dropped), as a flat list of arrays in order
    (``arrays``, ``specs()``); each added pytree comes back in the kernel from ``load(refs)``
    with its leaves (block, ...). Zero-size leaves (no ion pools, say) are not passed but
    rebuilt in the kernel; so are tangents of integer leaves (float0)."""

    def __init__(self, batch: int, padded: int, block: int):
        self.batch, self.padded, self.block = batch, padded, block
        self.arrays: list = []

    def add(self, tree, like=None):
        """Pass ``tree``; with ``like``, ``tree`` is a tangent of ``like`` (same structure)."""
        leaves, treedef = jax.tree.flatten(like if like is not None else tree)
        values = jax.tree.leaves(tree) if like is not None else leaves
        slots = []
        for x, v in zip(leaves, values):
            x = jnp.asarray(x)
            if x.size and (like is None or jnp.issubdtype(x.dtype, jnp.inexact)):
                v = jnp.asarray(v, x.dtype)
                v = pad_cells(v, self.padded, axis=0)
                slots.append(len(self.arrays))
                self.arrays.append(v)
            else:
                tangent_of_int = like is not None and not jnp.issubdtype(x.dtype, jnp.inexact)
                slots.append((x.shape[1:], jax.dtypes.float0 if tangent_of_int else x.dtype))
        return _Loader(treedef, slots, self.block)

    def specs(self):
        from jax.experimental import pallas as pl

        return [pl.BlockSpec((self.block, *x.shape[1:]), lambda b, n=x.ndim - 1: (b, *([0] * n)))
                for x in self.arrays]


class _Loader:
    def __init__(self, treedef, slots, block: int):
        self.treedef, self.slots, self.block = treedef, slots, block

    def load(self, refs):
        """The pytree in the kernel: leaves (block, ...) read from ``refs``, or rebuilt."""
        def leaf(slot):
            if isinstance(slot, int):
                return refs[slot][...]
            shape, dtype = slot
            if dtype == jax.dtypes.float0:
                return np.zeros((self.block, *shape), dtype)
            return jnp.zeros((self.block, *shape), dtype)

        return jax.tree.unflatten(self.treedef, [leaf(slot) for slot in self.slots])


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


_RUNNERS = CompiledFunctions(maxsize=32)


def fused_runner(plan: Plan, *, dt: float, theta: float = 1.0, stride: int = 1, block: int | None = None,
                 interpret: bool | None = None):
    """A jitted ``(params, drive) -> recordings`` running ``run_fused`` (cached per plan)."""
    key = (plan.key(), float(dt), float(theta), int(stride), block, interpret)
    return _RUNNERS.get_or_make(key, lambda: jax.jit(lambda params, drive: run_fused(
        plan, params, drive, dt=dt, theta=theta, stride=stride, block=block, interpret=interpret)))
