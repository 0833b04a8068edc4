"""The fused kernel for batches of cables and trees, one lane per cell: the whole time loop in one kernel.

The multi-compartment counterpart of ``kernels.single``: a batch of copies of one cell (one plan:
the same morphology, mechanisms, stimuli and recordings), each copy with its own parameters, is
stepped for the whole run inside one ``pallas_call``, which writes only the recorded samples.
The method is the engine's (``stepping.step``, NEURON's fixed step) and the channel code is the
engine's (``stepping.linearized_current``, ``stepping.cnexp``), so the traces are those of the
``lax.scan`` path to rounding.

Layout: one lane per cell, nodes interleaved (CoreNEURON's GPU layout). A program instance takes
a block of ``BLOCK`` cells; each per-node quantity (V, a gate, the matrix diagonal...) is a
(rows, block) array in GPU memory, one row per node (or per mechanism site), one lane per cell,
and the kernel works on whole rows: lane j is cell j everywhere. The Hines elimination, a
sequential loop over the nodes of one tree, thus runs for all cells of the block at once, each
lane on its own cell, with no data exchanged between lanes (a row is 128 contiguous numbers:
one coalesced load).

Why rows in memory rather than a register array: Triton (Pallas' GPU backend) cannot index a
register tensor at a run-time position and needs power-of-two tensor sizes, so the loops over
nodes load and store whole rows of refs at a run-time row index (``ref[i]``: a (block,) row),
and read the tree (each node's parent, each mechanism's nodes) as int32 scalars from small
tables. On chip: the rows of the node being worked on (a few registers per lane). In GPU memory:
the parameters, states and solver arrays of every node, (rows, block) per program instance (for
HH about 20 rows per node: 20 KB per node for 128 cells in float64), each row read or written a
few times per step, from the L1/L2 caches as far as the working set fits. The tree is data, not
code: the kernel's size does not grow with the number of nodes (unrolled Python loops would).
Pallas' Triton backend has no scratch memory, so the working arrays are extra outputs of the call.

Memory ordering: lanes never exchange data, and every row operation has the same shape (block,),
so Triton gives a lane to the same thread in every load and store (one element per thread for
128 lanes and 4 warps) and a thread only reads back rows its own lane wrote: no barrier is needed
(reasoned from Triton's layout rules; the compiled kernel has not yet run on a GPU).

One step (``stepping.step``): membrane currents and slopes per node (old V, old states); the
matrix (capacitance, slopes, axial couplings) and right-hand side (clamps, membrane and axial
currents); Hines elimination from the leaves to the root and substitution back, V += dV; every
state by ``cnexp`` at the new V. What it covers: density mechanisms, current clamps, recordings
of V (one node or all), states, currents, conductances, i_ion, i_cap and clamp currents, any
stride, backward Euler and Crank-Nicolson; not voltage clamps, ion pools, synapses, gap junctions
or point mechanisms (``common.fusable_tree`` says which). The initial state and the first sample
are computed outside the kernel by the engine's own functions (``common.initial_rows``).

Where it runs: on a GPU through Triton; on the CPU in Pallas' interpreter (slow: for tests).
``Simulation.run_batch(kernel="auto")`` takes it on GPUs when the plan is fusable.

Which layout: ``kernels.nodes`` spreads each cell's nodes over a program's threads and solves
the tree in a few vector passes (cyclic reduction for cables, one pass per level for branched
cells much shallower than they have nodes); this module's one lane per cell takes the rest (small
or deep branched cells, where the passes would be nearly as many as the nodes).
``dispatch.choose_layout`` picks, and ``dispatch.fused_tree_runner`` runs either.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from excitable.backends import kernel_body
from excitable.engine.kernels.common import (blocks, fusable_tree, initial_rows, interpreted, pad_cells,
                                             time_loop, triton_params)
from excitable.engine.plan import Plan
from excitable.engine.stepping import cnexp, linearized_current
from excitable.units import DENSITY_TO_PER_UM2, NA_TO_PA


def run_fused_tree(plan: Plan, params, drive: dict[str, Any], *, dt: float, theta: float = 1.0,
                   stride: int = 1, block: int | None = None, interpret: bool | None = None):
    """Run a batch of copies of a multi-compartment cell in one kernel.

    Args:
        params: the plan's parameters with a leading batch axis (B) on every leaf.
        drive: (n_steps, k) stimulus arrays shared by the batch (``Simulation.drive``).
        dt: time step, ms. theta: 1 for backward Euler, 0.5 for Crank-Nicolson.
        stride: record every ``stride``-th step.
        block: cells per program instance (default ``BLOCK`` on a GPU, the whole batch otherwise;
            a power of two for Triton).
        interpret: run Pallas' interpreter (default: when the backend is not a GPU).

    Returns:
        recordings (B, n_steps // stride + 1, width), as ``Simulation.run_batch``'s runner.
    """
    from jax.experimental import pallas as pl

    reason = fusable_tree(plan, params)
    if reason:
        raise ValueError(f"this model cannot use the fused tree kernel: {reason}")
    interpret = interpreted(interpret)
    batch = jnp.shape(params["cm"])[0]
    block, padded = blocks(batch, block)
    dtype = jnp.result_type(params["cm"])

    s0, first = initial_rows(plan, params, dt)
    n_samples = next(iter(drive.values())).shape[0] // stride
    if n_samples == 0:
        return first[:, None, :]
    lanes, tables = _inputs(plan, params, s0, drive, dt, dtype)
    # Pad the batch to whole blocks with copies of the last cell (their results are dropped).
    lanes = jax.tree.map(lambda x: pad_cells(x, padded, axis=-1), lanes)
    width = max(1, sum(p.width(plan.n) for p in plan.probes))
    outs = {"rec": jax.ShapeDtypeStruct((n_samples, width, padded), dtype),
            "v": jax.ShapeDtypeStruct((plan.n, padded), dtype),
            "s": jax.tree.map(lambda x: jax.ShapeDtypeStruct(x.shape, dtype), lanes["s0"]),
            "work": {k: jax.ShapeDtypeStruct((plan.n, padded), dtype) for k in "igdr"}}
    in_leaves, in_def = jax.tree.flatten((lanes, tables))
    out_leaves, out_def = jax.tree.flatten(outs)

    def kernel(*refs):
        lane_refs, table_refs = jax.tree.unflatten(in_def, refs[:len(in_leaves)])
        out_refs = jax.tree.unflatten(out_def, refs[len(in_leaves):])
        program = _Program(plan, lane_refs, table_refs, out_refs, dt=dt, theta=theta, block=block, dtype=dtype)
        program.run(n_samples, stride)

    def lane_spec(x):  # all rows, the program's block of lanes
        return pl.BlockSpec((*x.shape[:-1], block), lambda b, k=x.ndim - 1: (*([0] * k), b))

    def whole(x):  # the same array for every program instance
        return pl.BlockSpec(x.shape, lambda b, k=x.ndim: (0,) * k)

    call = pl.pallas_call(
        kernel,
        out_shape=out_leaves,
        grid=(padded // block,),
        in_specs=jax.tree.leaves((jax.tree.map(lane_spec, lanes), jax.tree.map(whole, tables))),
        out_specs=[lane_spec(o) for o in out_leaves],
        interpret=interpret,
        compiler_params=None if interpret else triton_params(),
    )
    with kernel_body():  # traced here: no lax.cond in it (backends.kernel_body)
        rec = jax.tree.unflatten(out_def, call(*in_leaves))["rec"]
    rec = jnp.moveaxis(rec, 2, 0)[:batch, :, :first.shape[1]]
    return jnp.concatenate([first[:, None, :], rec], axis=1)


def _inputs(plan: Plan, params, s0, drive, dt: float, dtype):
    """The kernel's inputs: per-cell arrays with the cells last ("lanes": (rows, B)), and the
    arrays every cell shares ("tables": the tree, the mechanisms' nodes, the stimulus waveforms)."""
    batch = jnp.shape(params["cm"])[0]

    def lanes(x, rows):
        """A per-cell quantity ((B, rows), or (B,) for one value per cell) as (rows, B)."""
        return jnp.broadcast_to(jnp.asarray(x, dtype).reshape(batch, -1), (batch, rows)).T

    n = plan.n
    # The same arithmetic as stepping.step: w = 0.01 area turns densities into pF and nS.
    w = DENSITY_TO_PER_UM2 * lanes(params["area"], n)
    cm = lanes(params["cm"], n)
    node = {"w": w, "cap": w * cm / dt, "cm": cm,
            "g": jnp.where(plan.roots[:, None], 0.0, lanes(params["g_axial"], n))}  # no coupling at roots
    out = {"node": node, "celsius": lanes(params["celsius"], 1), "v0": s0["v"].T.astype(dtype),
           "chan": {pl.name: jax.tree.map(lambda x, k=len(pl.sites): lanes(x, k), params["channels"][pl.name])
                    for pl in plan.placements},
           "s0": {pl.name: {k: x.T.astype(dtype) for k, x in s0["chan"][pl.name].items()} for pl in plan.placements}}
    if len(plan.iclamp_nodes):
        out["amp"] = lanes(params["iclamp_amp"], len(plan.iclamp_nodes))
    # Roots point at themselves (with zero coupling), so the loops need no branch.
    own = np.where(plan.roots, np.arange(n), plan.parent).astype(np.int32)
    tables = {"parent": jnp.asarray(own),
              "sites": {pl.name: jnp.asarray(pl.sites, dtype=jnp.int32) for pl in plan.placements
                        if not plan.covers_all(pl)}}
    if len(plan.iclamp_nodes):
        tables["iclamp"] = jnp.asarray(drive["iclamp"], dtype)
    return out, tables


def _each(n: int, body) -> None:
    """body(i) for i = 0 .. n - 1, as a loop in the kernel (its code does not grow with n)."""
    def one(i, carry):
        body(i)
        return carry

    jax.lax.fori_loop(0, n, one, 0)


def _copy_rows(dst, src, n: int) -> None:
    def one(i):
        dst[i] = src[i]

    _each(n, one)


class _Program:
    """One program instance: the refs of a block of cells, and the passes of a time step over
    them. Every value below is a row: shape (block,), one number per cell."""

    def __init__(self, plan: Plan, lanes, tables, out, *, dt: float, theta: float, block: int, dtype):
        self.plan, self.dt, self.theta, self.block, self.dtype = plan, dt, theta, block, dtype
        self.lanes, self.tables, self.out = lanes, tables, out
        self.node, self.chan = lanes["node"], lanes["chan"]
        self.v, self.s = out["v"], out["s"]
        self.i, self.g, self.d, self.r = (out["work"][k] for k in "igdr")  # I, dI/dV, diagonal, rhs/dV

    # ---- one step ------------------------------------------------------------------------------
    def run(self, n_samples: int, stride: int) -> None:
        """Copy the initial state in, then ``n_samples`` samples of ``stride`` steps each."""
        _copy_rows(self.v, self.lanes["v0"], self.plan.n)
        for name, states in self.s.items():
            for k, ref in states.items():
                _copy_rows(ref, self.lanes["s0"][name][k], len(self.plan.placement(name).sites))

        def one(t, carry, sample, record):
            self.step(t, sample, record)
            return carry

        time_loop(n_samples, stride, one, 0)

    def step(self, t, sample, record) -> None:
        """Step ``t`` (V by backward Euler or CN, states by cnexp); stored as ``sample`` if ``record``."""
        from jax.experimental import pallas

        old = self.capture()
        self.membrane()
        self.matrix(t)
        self.solve()
        self.advance()

        @pallas.when(record)
        def _():
            self.store(sample, t, old)

    def site(self, pl, k):
        """Node, mechanism parameters and states of site ``k`` of placement ``pl``."""
        node = k if self.plan.covers_all(pl) else self.tables["sites"][pl.name][k]
        chan = jax.tree.map(lambda ref: ref[k], self.chan[pl.name])
        return node, chan, {name: ref[k] for name, ref in self.s[pl.name].items()}

    def membrane(self) -> None:
        """I (pA) and dI/dV (nS) per node, summed over mechanisms at the old V and states."""
        zero = jnp.zeros((self.block,), self.dtype)

        def clear(i):
            self.i[i] = zero
            self.g[i] = zero

        _each(self.plan.n, clear)
        for pl in self.plan.placements:
            def add(k, pl=pl):
                node, chan, s = self.site(pl, k)
                i, di = linearized_current(chan, self.v[node], s)
                w = self.node["w"][node]
                self.i[node] = self.i[node] + w * i
                self.g[node] = self.g[node] + w * di

            _each(len(pl.sites), add)

    def matrix(self, t) -> None:
        """Diagonal and right-hand side of (w cm/dt + theta (g_mem + g_axial)) dV = I_stim - I + axial.

        Nodes in increasing order: a node's own terms, then its coupling to its parent, added to
        both rows (the parent, p < i, is already set up)."""
        theta, node, parent = self.theta, self.node, self.tables["parent"]

        def row(i):
            p, g = parent[i], node["g"][i]
            flow = g * (self.v[p] - self.v[i])  # axial current from the parent into node i, pA
            self.d[i] = node["cap"][i] + theta * self.g[i] + theta * g
            self.r[i] = flow - self.i[i]
            self.d[p] = self.d[p] + theta * g  # at a root p == i and g == 0: no change
            self.r[p] = self.r[p] - flow

        _each(self.plan.n, row)
        for at, stim in self.clamps(t).items():
            self.r[at] = self.r[at] + NA_TO_PA * stim

    def clamps(self, t) -> dict[int, Any]:
        """Current-clamp current (nA) at step ``t`` per clamped node (several clamps on one add)."""
        out: dict[int, Any] = {}
        for c, at in enumerate(int(x) for x in self.plan.iclamp_nodes):
            amp = self.lanes["amp"][c] * self.tables["iclamp"][t, c]
            out[at] = out[at] + amp if at in out else amp
        return out

    def solve(self) -> None:
        """Hines elimination (leaves to root), then substitution (root to leaves): r <- dV, V += dV."""
        n, theta, parent, g = self.plan.n, self.theta, self.tables["parent"], self.node["g"]
        d, r = self.d, self.r

        def eliminate(k):
            i = n - 1 - k
            p, off = parent[i], -theta * g[i]
            f = off / d[i]
            d[p] = d[p] + -f * off
            r[p] = r[p] + -f * r[i]

        def substitute(i):
            p, off = parent[i], -theta * g[i]  # a root is its own parent with off = 0
            dv = (r[i] - off * r[p]) / d[i]
            r[i] = dv
            self.v[i] = self.v[i] + dv

        _each(n - 1, eliminate)
        _each(n, substitute)

    def advance(self) -> None:
        """Every state by cnexp at the new V."""
        celsius = self.lanes["celsius"][0]
        for pl in self.plan.placements:
            def one(k, pl=pl):
                node, chan, s = self.site(pl, k)
                new = cnexp(chan, self.v[node], s, celsius, self.dt, {"T": 0.0})
                for name, ref in self.s[pl.name].items():
                    ref[k] = new[name]

            _each(len(pl.sites), one)

    # ---- recording ------------------------------------------------------------------------------
    def capture(self) -> dict[int, Any]:
        """What the probes need from before the step: V (i_cap), a site's states (currents)."""
        old = {}
        for n, p in enumerate(self.plan.probes):
            if p.kind == "i_cap":
                old[n] = self.v[p.node]
            elif p.kind in ("current", "conductance"):
                old[n] = self.site(self.plan.placement(p.mechanism), self._index(p))[2]
        return old

    def _index(self, p) -> int:
        return p.index if p.index >= 0 else self.plan.site_index(p.mechanism, p.node)

    def store(self, sample, t, old) -> None:
        """Write the probes after step ``t`` as row ``sample`` (``integrate._probe_value``'s
        definitions, one lane per cell)."""
        rec, col = self.out["rec"], 0
        for n, p in enumerate(self.plan.probes):
            if p.kind == "v_all":
                def one(i, c=col):
                    rec[sample, c + i] = self.v[i]

                _each(self.plan.n, one)
            else:
                rec[sample, col] = jnp.asarray(self.probe(p, t, old.get(n)), self.dtype)
            col += p.width(self.plan.n)

    def probe(self, p, t, old):
        node, kind = p.node, p.kind
        if kind == "v":
            return self.v[node]
        if kind == "state":
            return self.s[p.mechanism][p.field][self._index(p)]
        if kind == "i_ion":  # the ionic current the step used, linearized at the new V, uA/cm2
            w = self.node["w"][node]
            return (self.i[node] + self.theta * self.g[node] * self.r[node]) / jnp.where(w > 0, w, 1.0)
        if kind == "i_cap":
            return self.node["cm"][node] * (self.v[node] - old) / self.dt
        if kind == "iclamp":
            return self.lanes["amp"][p.index] * self.tables["iclamp"][t, p.index]
        # Channel currents and conductances at the new V with the states from the step's start.
        pl = self.plan.placement(p.mechanism)
        at, chan, _ = self.site(pl, self._index(p))
        if kind == "current":
            return chan.currents(self.v[at], old)[p.field]
        return jnp.broadcast_to(chan.conductances(old)[p.field], (self.block,))
