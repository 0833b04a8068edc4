"""O(N) solution of the cable equations on a tree (Hines 1984), under jit, vmap and grad.

The matrix is symmetric with the sparsity of the tree: node i couples only to parent[i].
Nodes are numbered so that parent[i] < i (the root is 0), which makes Gaussian elimination from the
highest index down to the root fill-in free (Hines ordering).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


def solve_tree(parent: np.ndarray, diag, offdiag, rhs):
    """Solve A x = rhs for the tree (or forest) matrix A.

    Args:
        parent: (N,) int numpy array, -1 at a root, otherwise parent[i] < i. Several roots make a
            forest (many cells in one system). Static (part of the plan).
        diag: (N,) diagonal of A.
        offdiag: (N,) A[i, parent[i]] = A[parent[i], i]; ignored at roots.
        rhs: (N,) right-hand side.

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
    own = jnp.asarray(np.where(roots, np.arange(n), parent))
    return _hines_sequential(own, diag, offdiag, rhs)


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
