"""Fused time stepping for batches of cables and trees: the whole time loop in one kernel.

The multi-compartment counterpart of ``engine.fused``: a batch of copies of one cell (one plan:
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
or point mechanisms (``fusable_tree`` says which). The initial state (``integrate.initial_state``)
and the first sample are computed outside the kernel by the engine's own functions.

Where it runs: on a GPU through Triton; on the CPU in Pallas' interpreter (slow: for tests).
``Simulation.run_batch(kernel="auto")`` takes it on GPUs when the plan is fusable.

Which layout: ``engine.fused_nodes`` spreads each cell's nodes over a program's threads and
solves the tree in a few vector passes (cyclic reduction for cables, one pass per level for
branched cells much shallower than they have nodes); this module's one lane per cell takes the
rest (small or deep branched cells, where the passes would be nearly as many as the nodes).
``choose_layout`` picks, and ``fused_tree_runner`` runs either.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from excitable.engine.fused import BLOCK, _triton_params, time_loop, unsupported
from excitable.engine.fused import RECORDABLE as _SINGLE
from excitable.engine.hines import choose_method
from excitable.engine.integrate import _first_extras, initial_state, record
from excitable.engine.plan import Plan
from excitable.engine.stepping import cnexp, linearized_current

#: Probe kinds the kernel records.
RECORDABLE = _SINGLE | {"v_all"}


def fusable_tree(plan: Plan, params=None) -> str | None:
    """None if the plan runs in the fused tree kernel, otherwise the reason it does not."""
    if plan.n == 1:
        return "a single compartment (engine.fused's kernel takes it)"
    return unsupported(plan, params, RECORDABLE)


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
    gpu = jax.default_backend() == "gpu"
    interpret = (not gpu) if interpret is None else interpret
    batch = jnp.shape(params["cm"])[0]
    block = min(block or (BLOCK if gpu else batch), batch)
    padded = -(-batch // block) * block
    dtype = jnp.result_type(params["cm"])

    s0 = jax.vmap(lambda q: initial_state(plan, q))(params)
    first = jax.vmap(lambda q, s: record(plan, q, s, s, _first_extras(plan, q, s), dt))(params, s0)
    n_samples = next(iter(drive.values())).shape[0] // stride
    if n_samples == 0:
        return first[:, None, :]
    lanes, tables = _inputs(plan, params, s0, drive, dt, dtype)
    # Pad the batch to whole blocks with copies of the last cell (their results are dropped).
    lanes = jax.tree.map(lambda x: jnp.pad(x, ((0, 0), (0, padded - batch)), mode="edge"), lanes)
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
        compiler_params=None if interpret else _triton_params(),
    )
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
    w = 0.01 * lanes(params["area"], n)
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
            self.r[at] = self.r[at] + 1000.0 * stim  # nA -> pA

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


_RUNNERS: dict[tuple, Any] = {}


def choose_layout(plan: Plan, layout: str = "auto", batch: int = 1) -> str:
    """The kernel for a batch of ``batch`` copies of a multi-compartment plan: "lanes" (this
    module: one lane per cell, the nodes one after another) or "nodes" (``engine.fused_nodes``:
    one program per cell, its nodes across the program's threads, the tree solved in a few
    vector passes).

    "auto" takes "nodes" where the ``lax.scan`` path on a GPU would use a parallel solver
    (``hines.choose_method``): cables (cyclic reduction: log2 N passes) and trees much shallower
    than they have nodes (the CA1 cell of the benchmarks: 705 nodes in 62 levels), unless the
    batch is large enough to give every multiprocessor of the GPU a whole block of lanes
    (``BLOCK`` x multiprocessors: 16 896 cells on an H100). Then "lanes": a multiprocessor holds
    768-1024 cells in lanes against 1-2 as programs (benchmarks/gpu_build.py: registers), and
    with every multiprocessor busy, throughput rather than the length of one cell's step is
    what counts. (A reasoned threshold, not yet timed on a GPU.) "lanes" for other trees,
    whose level passes would be nearly as many as their nodes, and for plans of more than
    ``fused_nodes.MAX_SIZE`` nodes (a network of many cells in one plan, say).
    """
    if layout not in ("auto", "lanes", "nodes"):
        raise ValueError(f"layout must be 'auto', 'lanes' or 'nodes', got {layout!r}")
    if layout != "auto":
        return layout
    from excitable.engine.fused_nodes import MAX_SIZE

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
    """A jitted ``(params, drive) -> recordings`` running ``run_fused_tree`` or, for the "nodes"
    layout, ``fused_nodes.run_fused_nodes`` (cached per plan). ``layout`` as ``choose_layout``'s,
    "auto" there without the batch size (which the caller knows: ``Simulation`` passes its choice)."""
    layout = choose_layout(plan, layout)
    key = (plan.key(), float(dt), float(theta), int(stride), block, interpret, layout)
    fn = _RUNNERS.get(key)
    if fn is None:
        if layout == "nodes":
            from excitable.engine.fused_nodes import run_fused_nodes

            fn = _RUNNERS[key] = jax.jit(lambda params, drive: run_fused_nodes(
                plan, params, drive, dt=dt, theta=theta, stride=stride, interpret=interpret))
        else:
            fn = _RUNNERS[key] = jax.jit(lambda params, drive: run_fused_tree(
                plan, params, drive, dt=dt, theta=theta, stride=stride, block=block, interpret=interpret))
    return fn
