"""The fused kernel for cables and trees with the nodes of a cell spread over a program's threads.

``kernels.lanes`` gives each cell one lane and walks its nodes one after another. One
705-node CA1 cell would be one thread doing 2 x 705 dependent steps of the Hines loop per time
step, and a thousand of them fill 8 of an H100's 132 multiprocessors. Here each cell is one
program instance (a thread block on a GPU) and its nodes are the program's vector lanes: the
membrane currents, the matrix and the gates of all nodes are vector operations, and the tree
solve goes one *level* at a time, so a time step has 2 (H + 1) dependent passes for a tree of
height H (61 for the CA1 cell at d_lambda = 0.1) instead of 2 N. Unbranched cables, whose height
is their length, are solved by parallel cyclic reduction instead: log2 P passes (7 for 100
compartments), the scheme of the fastest fused cable kernels (one thread block per cable).

Numbering (``kernels.node_layout``). Nodes are renumbered by height (leaves 0, a parent one more
than its highest child), so each level is a contiguous run of positions. Elimination goes up the heights: every node of
level h takes its children's finished rows, which are all lower, by a gather ("children" table,
at most K per node); no two nodes of a level write the same place, so no atomics and a fixed
summation order. Substitution comes down the heights: each node reads its parent's dV. Between
levels the program waits at a barrier (``__syncthreads``), because a node's row was written by
whichever thread held it.

Storage. V and the gating states stay in registers across the whole time loop ((P,) vectors,
P = the node count plus one rounded up to a power of two, as Triton's tensors must be); the
solver's rows (diagonal, then its reciprocal once a row is eliminated; right-hand side; dV) and a
copy of V for the neighbours' gathers live in a small per-cell scratch in GPU memory (4 P
numbers: 32 KB for P = 1024 in float64, inside the multiprocessor's L1). The tree tables are data,
not code: the kernel does not grow with the tree.

Method and channel code are the engine's (``stepping.linearized_current``, ``stepping.cnexp``,
backward Euler or Crank-Nicolson), as in ``kernels.lanes``; the axial sums are taken in another
order, so traces agree with the ``lax.scan`` path to rounding. Coverage is ``common.fusable_tree``.
``dispatch.choose_layout`` picks this layout for cables and for trees much shallower than
they have nodes (where ``hines.choose_method`` takes a parallel solver on a GPU), the lane layout
otherwise.

Where it runs: on a GPU through Triton; on the CPU in Pallas' interpreter (slow: for tests). The
compiled kernel has not yet run on a GPU (none was available while it was written): its
lowering for CUDA and Triton's verifier are tested on the CPU, and ``benchmarks/gpu_build.py``
compiles it to sm_90a machine code (registers and spills in BENCHMARKS.md).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from excitable.backends import kernel_body
from excitable.engine.kernels.common import fusable_tree, initial_rows, interpreted, time_loop, triton_params
from excitable.engine.kernels.node_layout import NodeLayout, node_layout, num_warps
from excitable.engine.plan import Plan
from excitable.engine.stepping import cnexp, linearized_current
from excitable.units import DENSITY_TO_PER_UM2, NA_TO_PA


def run_fused_nodes(plan: Plan, params, drive: dict[str, Any], *, dt: float, theta: float = 1.0,
                    stride: int = 1, interpret: bool | None = None, solver: str = "auto"):
    """Run a batch of copies of a multi-compartment cell, one program instance per cell.

    Arguments and result as ``lanes.run_fused_tree`` (recordings (B, n_samples, width));
    ``solver`` as ``node_layout``'s.
    """
    from jax.experimental import pallas as pl

    reason = fusable_tree(plan, params)
    if reason:
        raise ValueError(f"this model cannot use the fused tree kernel: {reason}")
    if any(len(np.unique(pl.sites)) < len(pl.sites) for pl in plan.placements):
        raise ValueError("this model cannot use the fused nodes kernel: a mechanism twice on one node")
    interpret = interpreted(interpret)
    batch = jnp.shape(params["cm"])[0]
    dtype = jnp.result_type(params["cm"])
    layout = node_layout(plan.parent, solver)

    s0, first = initial_rows(plan, params, dt)
    n_samples = next(iter(drive.values())).shape[0] // stride
    if n_samples == 0:
        return first[:, None, :]
    cells, tables = _inputs(plan, layout, params, s0, drive, dt, dtype)
    width = max(1, sum(p.width(plan.n) for p in plan.probes))
    size = layout.size
    # One spare column past the probes: where masked lanes of a scatter point (see _Program.solve).
    outs = {"rec": jax.ShapeDtypeStruct((batch, n_samples, width + 1), dtype),
            "work": {k: jax.ShapeDtypeStruct((batch, size), dtype) for k in "vdrx"}}
    in_leaves, in_def = jax.tree.flatten((cells, tables))
    out_leaves, out_def = jax.tree.flatten(outs)

    def kernel(*refs):
        cell_refs, table_refs = jax.tree.unflatten(in_def, refs[:len(in_leaves)])
        out_refs = jax.tree.unflatten(out_def, refs[len(in_leaves):])
        _Program(plan, layout, cell_refs, table_refs, out_refs, dt=dt, theta=theta, dtype=dtype,
                 barrier=not interpret).run(n_samples, stride)

    def one_cell(x):  # this program's cell: the leading axis squeezed
        return pl.BlockSpec((None, *x.shape[1:]), lambda b, k=x.ndim - 1: (b, *([0] * k)))

    def whole(x):  # the same array for every program instance
        return pl.BlockSpec(x.shape, lambda b, k=x.ndim: (0,) * k)

    compiler = None if interpret else triton_params(num_warps=num_warps(size), num_stages=1)
    call = pl.pallas_call(
        kernel,
        out_shape=out_leaves,
        grid=(batch,),
        in_specs=jax.tree.leaves((jax.tree.map(one_cell, cells), jax.tree.map(whole, tables))),
        out_specs=[one_cell(o) for o in out_leaves],
        interpret=interpret,
        compiler_params=compiler,
    )
    with kernel_body():  # traced here: no lax.cond in it (backends.kernel_body)
        rec = jax.tree.unflatten(out_def, call(*in_leaves))["rec"][..., :first.shape[1]]
    return jnp.concatenate([first[:, None, :], rec], axis=1)


def _inputs(plan: Plan, layout: NodeLayout, params, s0, drive, dt: float, dtype):
    """The kernel's inputs: per-cell arrays ("cells", batch first, nodes in layout order, padded
    to P) and the arrays every cell shares ("tables": the tree, the mechanisms' masks, the
    stimulus waveforms)."""
    batch = jnp.shape(params["cm"])[0]
    n, size, order = plan.n, layout.size, layout.order

    def per_node(x):
        """A per-node quantity ((B, n), or (B,) for one value per cell) as (B, n)."""
        return jnp.broadcast_to(jnp.asarray(x, dtype).reshape(batch, -1), (batch, n))

    def nodes(x, fill):
        """A per-node quantity as (B, P), in positions, padded with ``fill``."""
        return jnp.pad(per_node(x)[:, order], ((0, 0), (0, size - n)), constant_values=fill)

    def sites(x, pl):
        """A per-site quantity ((B, k) or (B,)) as (B, P): the value at each site's position, the
        first site's value elsewhere (finite arithmetic there; masked out of every sum)."""
        k = len(pl.sites)
        x = jnp.broadcast_to(jnp.asarray(x, dtype).reshape(batch, -1), (batch, k))
        full = jnp.broadcast_to(x[:, :1], (batch, size))
        return full.at[:, layout.position[pl.sites]].set(x)

    # The same arithmetic as stepping.step: w = 0.01 area turns densities into pF and nS.
    w = nodes(DENSITY_TO_PER_UM2 * per_node(params["area"]), 0.0)
    cm = nodes(params["cm"], 1.0)
    # Padding gets a unit diagonal; real nodes keep theirs, zero at a section end's point node.
    cap = nodes(DENSITY_TO_PER_UM2 * per_node(params["area"]) * per_node(params["cm"]) / dt, 1.0)
    g = nodes(jnp.where(plan.roots, 0.0, per_node(params["g_axial"])), 0.0)  # no coupling at roots
    has = layout.children >= 0
    g_child = jnp.where(has, g[:, np.maximum(layout.children, 0)], 0.0)  # (B, K, P)
    node = {"w": w, "cap": cap, "cm": cm, "g": g, "g_child": g_child}
    cells = {"node": node, "v0": nodes(s0["v"], -65.0),
             "celsius": jnp.asarray(params["celsius"], dtype).reshape(batch, 1),
             "chan": {pl.name: jax.tree.map(lambda x, pl=pl: sites(x, pl), params["channels"][pl.name])
                      for pl in plan.placements},
             "s0": {pl.name: {k: sites(x, pl) for k, x in s0["chan"][pl.name].items()}
                    for pl in plan.placements}}
    if len(plan.iclamp_nodes):
        cells["amp"] = jnp.broadcast_to(jnp.asarray(params["iclamp_amp"], dtype).reshape(batch, -1),
                                        (batch, len(plan.iclamp_nodes)))
    mask = {}
    for pl in plan.placements:
        m = np.zeros(size)
        m[layout.position[pl.sites]] = 1.0
        mask[pl.name] = jnp.asarray(m, dtype)
    tables = {"start": jnp.asarray(layout.start), "count": jnp.asarray(layout.count),
              "parent": jnp.asarray(layout.parent), "children": jnp.asarray(layout.children),
              # where each position's V goes in a "v_all" row: its node's index (padding: masked)
              "node": jnp.asarray(np.append(order, np.zeros(size - n, np.int64)).astype(np.int32)),
              "mask": mask}
    if len(plan.iclamp_nodes):
        tables["iclamp"] = jnp.asarray(drive["iclamp"], dtype)
    return cells, tables


class _Program:
    """One program instance: one cell. Every value below is a (P,) vector over the cell's node
    positions, or a scalar."""

    def __init__(self, plan: Plan, layout: NodeLayout, cell, tables, out, *, dt: float, theta: float,
                 dtype, barrier: bool):
        self.plan, self.layout, self.dt, self.theta, self.dtype = plan, layout, dt, theta, dtype
        self.cell, self.tables, self.out = cell, tables, out
        self.vs, self.d, self.r, self.x = (out["work"][k] for k in "vdrx")
        self.use_barrier = barrier
        size = layout.size
        self.lane = jnp.arange(size, dtype=jnp.int32)
        self.level_lane = jnp.arange(layout.width, dtype=jnp.int32)
        # Constant for the whole run: loaded once, kept in registers.
        self.node = {k: ref[...] for k, ref in cell["node"].items() if k != "g_child"}
        self.parent = tables["parent"][...]
        self.chan = {pl.name: jax.tree.map(lambda ref: ref[...], cell["chan"][pl.name])
                     for pl in plan.placements}
        self.weight = {pl.name: tables["mask"][pl.name][...] * self.node["w"] for pl in plan.placements}
        self.celsius = cell["celsius"][0]
        self.position = {int(i): int(p) for i, p in enumerate(layout.position)}

    def barrier(self) -> None:
        """Wait until every thread of the program has written its rows (on a GPU; the interpreter
        runs the program's operations in order)."""
        if self.use_barrier:
            from jax.experimental.pallas import triton as pltriton

            pltriton.debug_barrier()

    def pick(self, x, node: int):
        """The value of a (P,) vector at a node (a scalar)."""
        return jnp.sum(jnp.where(self.lane == self.position[node], x, jnp.zeros_like(x)))

    # ---- the time loop ------------------------------------------------------------------------------
    def run(self, n_samples: int, stride: int) -> None:
        self.x[...] = jnp.zeros((self.layout.size,), self.dtype)  # dV at padding stays 0
        v = self.cell["v0"][...]
        s = {name: {k: ref[...] for k, ref in states.items()} for name, states in self.cell["s0"].items()}

        def one(t, carry, sample, record):
            return self.step(t, *carry, sample, record)

        time_loop(n_samples, stride, one, (v, s))

    def step(self, t, v, s, sample, record):
        """Step ``t``: V by backward Euler or CN, states by cnexp; stored as ``sample`` if ``record``."""
        from jax.experimental import pallas

        i_mem, g_mem = self.membrane(v, s)
        d, r = self.matrix(t, v, i_mem, g_mem)
        dv = self.solve(d, r)
        new_v = v + dv
        new_s = {pl.name: cnexp(self.chan[pl.name], new_v, s[pl.name], self.celsius, self.dt, {"T": 0.0})
                 for pl in self.plan.placements}

        @pallas.when(record)
        def _():
            self.store(sample, t, (v, s), (new_v, new_s), dv, i_mem, g_mem)

        return new_v, new_s

    def membrane(self, v, s):
        """I (pA) and dI/dV (nS) per node, summed over mechanisms at the old V and states."""
        i_mem = jnp.zeros_like(v)
        g_mem = jnp.zeros_like(v)
        for pl in self.plan.placements:
            i, di = linearized_current(self.chan[pl.name], v, s[pl.name])
            i_mem = i_mem + self.weight[pl.name] * i
            g_mem = g_mem + self.weight[pl.name] * di
        return i_mem, g_mem

    def matrix(self, t, v, i_mem, g_mem):
        """Diagonal and right-hand side of (w cm/dt + theta (g_mem + g_axial)) dV = I_stim - I + axial."""
        node, theta = self.node, self.theta
        self.barrier()  # the last step's solve has read its scratch (cyclic reduction reuses vs)
        self.vs[...] = v
        self.barrier()
        flow = node["g"] * (self.vs[self.parent] - v)  # axial current from the parent, pA (0 at roots)
        d = node["cap"] + theta * g_mem + theta * node["g"]
        r = flow - i_mem
        for k in range(self.layout.children.shape[0]):
            child = self.tables["children"][k, :]
            g_child = self.cell["node"]["g_child"][k, :]
            v_child = _load(self.vs, jnp.maximum(child, 0), child >= 0, 0.0)
            d = d + theta * g_child
            r = r + g_child * (v_child - v)  # minus the flow into each child (g_child = 0: none)
        for c, at in enumerate(int(x) for x in self.plan.iclamp_nodes):
            stim = NA_TO_PA * self.cell["amp"][c] * self.tables["iclamp"][t, c]
            r = r + jnp.where(self.lane == self.position[at], stim, 0.0).astype(self.dtype)
        return d, r

    def solve(self, d, r):
        """dV: Hines elimination one level at a time up the heights and substitution back down
        (cables: ``cyclic_reduction``)."""
        if self.layout.solver == "pcr":
            return self.cyclic_reduction(d, r)
        theta, layout = self.theta, self.layout
        start, count, children = self.tables["start"], self.tables["count"], self.tables["children"]
        g_child, g = self.cell["node"]["g_child"], self.cell["node"]["g"]
        self.d[...] = d
        self.r[...] = r
        self.barrier()

        def level(h):
            """The positions of level h, and which lanes hold one. Idle lanes point at the last
            padding slot, which no real lane writes: their stores are masked off on a GPU, but
            the interpreter writes back the old value, which would undo a real lane's store to
            the same place."""
            real = self.level_lane < count[h]
            return jnp.where(real, start[h] + self.level_lane, layout.size - 1), real

        # An eliminated row keeps 1 / diagonal in place of its diagonal: one division per node
        # (not one per child, absent children included, and one more in the substitution), and a
        # float64 division is a long dependent chain on a GPU.
        def eliminate(h, carry):
            at, real = level(h)
            dd, rr = self.d[at], self.r[at]
            for k in range(children.shape[0]):
                child = children[k, at]
                has = child >= 0
                off = -theta * g_child[k, at]  # 0 where there is no k-th child
                f = off * _load(self.d, jnp.maximum(child, 0), has, 0.0)  # off / the child's diagonal
                dd = dd - f * off
                rr = rr - f * _load(self.r, jnp.maximum(child, 0), has, 0.0)
            _store(self.d, at, 1.0 / dd, real)
            _store(self.r, at, rr, real)
            self.barrier()
            return carry

        def substitute(k, carry):
            at, real = level(layout.height - 1 - k)
            # A root is its own parent with g = 0: it reads its own old dV, times zero.
            dv = (self.r[at] + theta * g[at] * self.x[self.tables["parent"][at]]) * self.d[at]
            _store(self.x, at, dv, real)
            self.barrier()
            return carry

        jax.lax.fori_loop(0, layout.height, eliminate, 0)
        jax.lax.fori_loop(0, layout.height, substitute, 0)
        return self.x[...]

    def cyclic_reduction(self, d, r):
        """dV for unbranched cables by parallel cyclic reduction (``hines._cyclic_reduction``'s
        stages, a loop in the kernel): log2 P stages, each reading the rows s = 1, 2, 4, ... positions
        away from the scratch rows the previous stage wrote. Padding rows are identity rows
        (unit diagonal, no coupling, zero right-hand side); zero couplings where a new cable
        starts keep the cables of a forest apart. A loop rather than unrolled stages: unrolled,
        the assembler keeps every stage's loads in flight (216 registers a thread against 92 in
        float64, benchmarks/gpu_build.py), and registers bound the cables a multiprocessor holds."""
        theta, size = self.theta, self.layout.size
        a = -theta * self.node["g"]  # coupling to the position before (0 at a cable's start)
        c = -theta * self.cell["node"]["g_child"][0, :]  # to the position after (0 at its end)
        scratch = (self.vs, self.d, self.r, self.x)  # free during the solve: V's copy is read
        fills = (0.0, 1.0, 0.0, 0.0)  # beyond the ends: identity rows (b = 1, a = c = rhs = 0)

        def stage(k, rows):
            a, b, c, rhs = rows
            s = jnp.left_shift(jnp.int32(1), k)
            self.barrier()  # every thread has read the rows it needed before they change
            for ref, value in zip(scratch, rows):
                ref[...] = value
            self.barrier()
            lo, hi = self.lane - s, self.lane + s
            has_lo, has_hi = lo >= 0, hi < size
            lo, hi = jnp.maximum(lo, 0), jnp.minimum(hi, size - 1)
            a_lo, b_lo, c_lo, r_lo = (_load(ref, lo, has_lo, f) for ref, f in zip(scratch, fills))
            a_hi, b_hi, c_hi, r_hi = (_load(ref, hi, has_hi, f) for ref, f in zip(scratch, fills))
            alpha, gamma = -a / b_lo, -c / b_hi
            return (alpha * a_lo, b + alpha * c_lo + gamma * a_hi, gamma * c_hi,
                    rhs + alpha * r_lo + gamma * r_hi)

        _, b, _, rhs = jax.lax.fori_loop(0, size.bit_length() - 1, stage, (a, d, c, r))
        return rhs / b

    # ---- recording ------------------------------------------------------------------------------
    def store(self, sample, t, old, new, dv, i_mem, g_mem) -> None:
        """Write the probes after step ``t`` as row ``sample`` (``integrate._probe_value``'s
        definitions; ``kernels.lanes``', one cell at a time)."""
        rec, col, n = self.out["rec"], 0, self.plan.n
        spare = rec.shape[-1] - 1
        for p in self.plan.probes:
            if p.kind == "v_all":
                real = self.lane < n  # padding lanes point at the spare last column (see solve())
                _store(rec, (sample, jnp.where(real, col + self.tables["node"][...], spare)), new[0], real)
            else:
                rec[sample, col] = jnp.asarray(self.probe(p, t, old, new, dv, i_mem, g_mem), self.dtype)
            col += p.width(n)

    def probe(self, p, t, old, new, dv, i_mem, g_mem):
        (v, s), (new_v, new_s) = old, new
        node, kind, pick = p.node, p.kind, self.pick
        if kind == "v":
            return pick(new_v, node)
        if kind == "i_ion":  # the ionic current the step used, linearized at the new V, uA/cm2
            w = pick(self.node["w"], node)
            return pick(i_mem + self.theta * g_mem * dv, node) / jnp.where(w > 0, w, 1.0)
        if kind == "i_cap":
            return pick(self.node["cm"], node) * (pick(new_v, node) - pick(v, node)) / self.dt
        if kind == "iclamp":
            return self.cell["amp"][p.index] * self.tables["iclamp"][t, p.index]
        pl = self.plan.placement(p.mechanism)
        at = int(pl.sites[p.index]) if p.index >= 0 else node
        if kind == "state":
            return pick(new_s[pl.name][p.field], at)
        # Channel currents and conductances at the new V with the states from the step's start.
        chan = jax.tree.map(lambda x: pick(x, at), self.chan[pl.name])
        states = {k: pick(x, at) for k, x in s[pl.name].items()}
        if kind == "current":
            return chan.currents(pick(new_v, at), states)[p.field]
        return chan.conductances(states)[p.field]


def _load(ref, at, mask, other):
    """ref[at] where mask, ``other`` elsewhere (a gather; ``at`` an index array or a tuple)."""
    from jax.experimental.pallas import triton as pltriton

    return pltriton.load(ref.at[at], mask=mask, other=other)


def _store(ref, at, value, mask) -> None:
    """ref[at] = value where mask (a scatter)."""
    from jax.experimental.pallas import triton as pltriton

    pltriton.store(ref.at[at], value, mask=mask)
