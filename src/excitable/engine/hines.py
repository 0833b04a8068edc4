"""O(N) solution of the cable equations on a tree (Hines 1984), under jit, vmap and grad.

The matrix is symmetric with the sparsity of the tree: node i couples only to parent[i].
Nodes are numbered so that parent[i] < i (the root is 0), which makes Gaussian elimination from the
highest index down to the root fill-in free (Hines ordering).

Three schedules of the same elimination (``choose_method``): node by node (the classic loop, the
fastest on a CPU), one depth level at a time, and parallel cyclic reduction for unbranched cables;
the last two trade more arithmetic for far fewer sequential passes, which is what a GPU needs.
"""

from __future__ import annotations

from functools import lru_cache

import jax
import jax.numpy as jnp
import numpy as np


def solve_tree(parent: np.ndarray, diag, offdiag, rhs, method: str = "auto"):
    """Solve A x = rhs for the tree (or forest) matrix A.

    Args:
        parent: (N,) int numpy array, -1 at a root, otherwise parent[i] < i. Several roots make a
            forest (many cells in one system). Static (part of the plan).
        diag: (N,) diagonal of A.
        offdiag: (N,) A[i, parent[i]] = A[parent[i], i]; ignored at roots.
        rhs: (N,) right-hand side.
        method: "nodes" (one node at a time, the classic loop: fastest on a CPU), "levels" (one
            depth level at a time: fewer, wider steps), "pcr" (parallel cyclic reduction, for
            unbranched cables only) or "auto": on a GPU, where every loop iteration costs a kernel
            launch, "pcr" for cables and "levels" for trees much shallower than they have nodes;
            "nodes" otherwise.

    Returns:
        x, shape (N,).
    """
    n = len(parent)
    diag, offdiag, rhs = (jnp.asarray(a) for a in (diag, offdiag, rhs))
    roots = parent < 0
    if roots.all():  # single compartments: the matrix is diagonal
        return rhs / diag
    offdiag = jnp.where(jnp.asarray(roots), 0.0, offdiag)
    chosen = choose_method(parent, method)
    if chosen == "pcr":
        return _cyclic_reduction(diag, offdiag, rhs)
    if chosen == "levels":
        return _hines_levels(_level_table(np.asarray(parent, np.int64).tobytes(), n), diag, offdiag, rhs)
    # Unbranched cables are trees too: the same loop is the Thomas algorithm, as fast as LAPACK's
    # gtsv here and without loading LAPACK (jaxlib's CPU LAPACK pulls in scipy.linalg: 0.25 s).
    # Roots point at themselves with a zero coupling, so the loops need no branch.
    own = jnp.asarray(np.where(roots, np.arange(n), parent))

    def matvec(x):  # A x: the node itself, its parent, and its children
        return diag * x + offdiag * x[own] + jax.ops.segment_sum(offdiag * x, own, num_segments=n)

    # Derivatives by implicit differentiation (dx = A^-1 (d rhs - dA x), with A symmetric): one
    # more solve, instead of differentiating through the loop's 2N steps.
    return jax.lax.custom_linear_solve(matvec, rhs, lambda _, b: _hines_nodes_jit(own, diag, offdiag, b),
                                       symmetric=True)


@jax.custom_batching.custom_vmap
def _hines_nodes(parent, diag, offdiag, rhs):
    """The node loop; under ``vmap`` the batch becomes the last axis (see ``_hines_nodes_batched``)."""
    return _hines_sequential(parent, diag, offdiag, rhs)


@_hines_nodes.def_vmap
def _hines_nodes_batched(axis_size, in_batched, parent, diag, offdiag, rhs):
    """A batch of systems with the same tree, solved with the batch as the last axis: each loop
    iteration then reads and writes one contiguous row (node i of every system) instead of a
    strided column, 2x faster for 100 cables of 100 compartments (plain ``vmap`` puts the batch
    first)."""
    if in_batched[0]:  # a different tree per item: not ours to reorder
        return jax.vmap(_hines_sequential, in_axes=[0 if b else None for b in in_batched])(
            parent, diag, offdiag, rhs), True
    rows = [jnp.moveaxis(a, 0, -1) if b else jnp.broadcast_to(a[:, None], (a.shape[0], axis_size))
            for a, b in zip((diag, offdiag, rhs), in_batched[1:])]
    return jnp.moveaxis(_hines_sequential(parent, *rows), -1, 0), True


def choose_method(parent: np.ndarray, method: str = "auto", backend: str | None = None) -> str:
    """The solver ``solve_tree`` uses: "nodes", "levels" or "pcr".

    On a CPU the node loop is fastest: ~17 ns per node, against ~0.8 us per pass of the vector
    methods (measured, 100 ms of HH: the 1460-compartment De Schutter cell 0.26 s by nodes, 0.48 s
    by levels; a 1000-compartment axon, 20 ms: 35 ms by nodes, 110 ms by cyclic reduction). On a
    GPU every loop iteration is a kernel launch (~5-10 us), so the fewer passes win there: cyclic
    reduction for unbranched cables (log2 N passes), levels for branched cells (one pass per
    depth level, ~N/20 for reconstructed cells) when the tree has ``LEVELS_GAIN`` times more nodes
    than levels.
    """
    if method not in ("auto", "levels", "nodes", "pcr"):
        raise ValueError(f"solve_tree: method must be 'auto', 'levels', 'nodes' or 'pcr', got {method!r}")
    if method != "auto":
        return method
    if (backend or jax.default_backend()) != "gpu":
        return "nodes"
    if is_chain(parent):
        return "pcr"
    table, _ = _level_table(np.asarray(parent, np.int64).tobytes(), len(parent))
    return "levels" if table.shape[0] * LEVELS_GAIN < len(parent) else "nodes"


#: "auto" takes level scheduling on a GPU when the tree has this many times more nodes than levels.
LEVELS_GAIN = 4


@lru_cache(maxsize=64)
def _level_table(parent_bytes: bytes, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(table, up) for a tree: ``table`` (depth, width) holds the node indices of each depth level
    below the roots (deepest last), padded with n, a scratch slot past the end; ``up`` (n + 1,)
    each node's parent (n for roots and the scratch slot). Static: computed once per tree."""
    parent = np.frombuffer(parent_bytes, dtype=np.int64)
    depth = np.zeros(n, np.int64)
    for i in range(n):  # parent[i] < i: a parent's depth is known before its children's
        depth[i] = depth[parent[i]] + 1 if parent[i] >= 0 else 0
    rows = [np.nonzero(depth == d)[0] for d in range(1, int(depth.max(initial=0)) + 1)]
    width = max((len(r) for r in rows), default=0)
    table = np.full((len(rows), width), n, np.int64)
    for k, r in enumerate(rows):
        table[k, :len(r)] = r
    up = np.append(np.where(parent >= 0, parent, n), n)
    return table, up


def _hines_levels(levels, diag, offdiag, rhs):
    """Hines elimination one depth level at a time (deepest first), then substitution from the
    roots down. Nodes of one level depend only on deeper ones, so each level is one vector step;
    children of one parent in the same level add into it together (scatter-add)."""
    table, up_np = levels
    n = diag.shape[0]
    idx, up = jnp.asarray(table), jnp.asarray(up_np)
    pad = lambda a, value: jnp.concatenate([a, jnp.full_like(a[:1], value)])  # noqa: E731
    # The scratch slot: d = b = 1, coupling 0, so padding entries change nothing.
    d, b, off = pad(diag, 1.0), pad(rhs, 1.0), pad(offdiag, 0.0)
    depth = table.shape[0]

    def eliminate(k, carry):
        d, b = carry
        i = idx[depth - 1 - k]
        p = up[i]
        f = off[i] / d[i]
        return d.at[p].add(-f * off[i]), b.at[p].add(-f * b[i])

    d, b = jax.lax.fori_loop(0, depth, eliminate, (d, b))
    x = b / d  # final at the roots (their rows are done); the others are overwritten below

    def substitute(k, x):
        i = idx[k]
        return x.at[i].set((b[i] - off[i] * x[up[i]]) / d[i])

    return jax.lax.fori_loop(0, depth, substitute, x)[:n]


def _hines_sequential(parent, diag, offdiag, rhs):
    """Elimination from the last node to the root, then substitution back: arrays (N, ...),
    node i in row i (any trailing axes are independent systems with the same tree)."""
    n = parent.shape[0]

    def eliminate(k, carry):
        d, b = carry
        i = n - 1 - k
        p = parent[i]
        f = offdiag[i] / d[i]
        return d.at[p].add(-f * offdiag[i]), b.at[p].add(-f * b[i])

    d, b = jax.lax.fori_loop(0, n - 1, eliminate, (diag, rhs))

    def substitute(i, x):
        return x.at[i].set((b[i] - offdiag[i] * x[parent[i]]) / d[i])

    x0 = jnp.zeros_like(b).at[0].set(b[0] / d[0])
    return jax.lax.fori_loop(1, n, substitute, x0)


#: The node loop as a jitted call: custom_linear_solve traces the solve twice (as the solve and as
#: its transpose) and the second trace then comes from JAX's cache (0.05-0.1 s less per compile).
_hines_nodes_jit = jax.jit(_hines_nodes)


def is_chain(parent: np.ndarray) -> bool:
    """Unbranched cables numbered along their length: parent[i] is i - 1 or -1 (a new cable)."""
    n = len(parent)
    return bool(np.all((parent[1:] == np.arange(n - 1)) | (parent[1:] < 0)))


def _cyclic_reduction(diag, offdiag, rhs):
    """Parallel cyclic reduction for chains (tridiagonal, A[i, i-1] = A[i-1, i] = offdiag[i]).

    Each of ceil(log2 N) stages eliminates, in every row at once, the couplings to the rows
    ``s`` away (s = 1, 2, 4, ...) using those rows; then every row stands alone: x = d / b. The
    work is N log N instead of N, but it is all vector operations without a dependent loop:
    ~log2 N passes per step instead of 2N loop iterations. That is what a GPU needs (each loop
    iteration is a kernel launch there); on a CPU the node loop is faster (a 1000-compartment HH
    axon: 35 ms by nodes, 110 ms by reduction, 20 ms of simulated time), so "auto" takes this on
    GPUs only. Stable without pivoting for the diagonally dominant cable matrix. Zero couplings
    (where a new cable starts) keep the cables independent.
    """
    n = diag.shape[0]
    zero = jnp.zeros_like(offdiag[:1])
    a = offdiag                                     # coupling to the row before (0 at roots)
    c = jnp.concatenate([offdiag[1:], zero])        # coupling to the row after
    b, d = diag, rhs
    s = 1
    while s < n:
        # Rows i - s and i + s, with identity rows (b = 1, a = c = d = 0) beyond the ends.
        def before(x, fill):
            return jnp.concatenate([jnp.full((s,), fill, x.dtype), x[:-s]])

        def after(x, fill):
            return jnp.concatenate([x[s:], jnp.full((s,), fill, x.dtype)])

        alpha = -a / before(b, 1.0)
        gamma = -c / after(b, 1.0)
        b, d, a, c = (b + alpha * before(c, 0.0) + gamma * after(a, 0.0),
                      d + alpha * before(d, 0.0) + gamma * after(d, 0.0),
                      alpha * before(a, 0.0),
                      gamma * after(c, 0.0))
        s *= 2
    return d / b
