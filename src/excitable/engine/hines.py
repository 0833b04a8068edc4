"""O(N) solution of the cable equations on a tree (Hines 1984), under jit, vmap and grad.

The matrix is symmetric with the sparsity of the tree: node i couples only to parent[i].
Nodes are numbered so that parent[i] < i (the root is 0), which makes Gaussian elimination from the
highest index down to the root fill-in free (Hines ordering).
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
        method: "nodes" (one node at a time, the classic loop), "levels" (one depth level at a
            time: fewer, wider steps; what a GPU needs) or "auto" (levels on a GPU for trees much
            shallower than they have nodes, nodes otherwise).

    Returns:
        x, shape (N,).
    """
    n = len(parent)
    diag, offdiag, rhs = (jnp.asarray(a) for a in (diag, offdiag, rhs))
    roots = parent < 0
    if roots.all():  # single compartments: the matrix is diagonal
        return rhs / diag
    offdiag = jnp.where(jnp.asarray(roots), 0.0, offdiag)
    # Unbranched cables are trees too: the same loops are the Thomas algorithm, as fast as LAPACK's
    # gtsv here and without loading LAPACK (jaxlib's CPU LAPACK pulls in scipy.linalg: 0.25 s).
    # Roots point at themselves with a zero coupling, so the loops need no branch.
    if _use_levels(parent, method):
        return _hines_levels(_level_table(np.asarray(parent, np.int64).tobytes(), n), diag, offdiag, rhs)
    own = jnp.asarray(np.where(roots, np.arange(n), parent))
    return _hines_sequential(own, diag, offdiag, rhs)


def _use_levels(parent: np.ndarray, method: str, backend: str | None = None) -> bool:
    """Level scheduling runs its loop once per depth level instead of once per node, each pass a
    vector operation over the level's nodes. On a GPU every pass of a loop costs a kernel launch
    (~5-10 us), so a branched cell (N nodes, depth ~N/20) gains ~20x; on a CPU a pass costs ~17 ns
    per node by nodes against ~0.8 us per level (gathers, scatters): nodes win there (measured
    on the 1460-compartment De Schutter cell: 0.26 s by nodes, 0.48 s by levels, 100 ms of HH).
    An unbranched cable is as deep as it is long: node by node everywhere."""
    if method not in ("auto", "levels", "nodes"):
        raise ValueError(f"solve_tree: method must be 'auto', 'levels' or 'nodes', got {method!r}")
    if method != "auto":
        return method == "levels"
    if (backend or jax.default_backend()) != "gpu":
        return False
    table, _ = _level_table(np.asarray(parent, np.int64).tobytes(), len(parent))
    return table.shape[0] * LEVELS_GAIN < len(parent)


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
