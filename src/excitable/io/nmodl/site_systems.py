"""Small linear systems solved at every site, on vectors written as tuples of site arrays.

The Newton steps of KINETIC ``sparse``, ``derivimplicit`` and LINEAR blocks (solvers.py, linear.py)
each solve an n x n system per site (compartment, batch element), n the mechanism's state count
(1-13 in published files). A vector is a tuple of n arrays shaped like the sites and a matrix a
tuple of n such rows, so the solvers read the same in both of the forms these functions take:

- in the scan (CPU, and a GPU without the kernels): vectorized, the n columns of a Jacobian by one
  vmapped pass, the system by LAPACK's batched LU (``jnp.linalg.solve``): XLA compiles O(n) ops;
- while a fused kernel's body is traced (``backends.branch_free``): unrolled over n at trace time,
  one pass per column and Gaussian elimination with partial pivoting, row swaps as per-site
  selects. Inside the kernels the sites are one block of cells, and Pallas' Triton backend refuses
  what the vectorized form needs (an (n, block) tensor with n not a power of two, ``stack`` of more
  than two arrays, ``slice``, LU); the unrolled form lowers (tests/engine/kernels/test_imported.py)
  but is O(n^3) ops, which the scan would pay in compile time (cabpump's 12 states: 8 s -> 134 s).

Both are exact linear algebra with partial pivoting (the largest |a_ik| below the diagonal, the first
of equals, as LAPACK's getrf and scopmath's ``simeq``): they differ by round-off.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from excitable.backends import branch_free


def unit(like: tuple, k: int) -> tuple:
    """The k-th unit vector, shaped like the vector ``like``."""
    return tuple(jnp.ones_like(a) if j == k else jnp.zeros_like(a) for j, a in enumerate(like))


def jacobian(f, x: tuple) -> tuple[tuple, tuple]:
    """(f(x), J) with J[i][k] = d f_i / d x_k at ``x`` by forward mode (exact): ``jax.linearize``
    once, its linear map applied to each unit vector; ``f`` maps a vector to a vector (tuples)."""
    fx, linear = jax.linearize(f, x)
    if branch_free():
        cols = [linear(unit(x, k)) for k in range(len(x))]
        return fx, tuple(tuple(col[i] for col in cols) for i in range(len(fx)))
    cols = jax.vmap(linear)(stacked([unit(x, k) for k in range(len(x))]))  # f_i -> (k, *sites)
    return fx, tuple(tuple(col[k] for k in range(len(x))) for col in cols)


def evaluate(f, points: list[tuple]) -> list[tuple]:
    """``f`` (vector -> vector) at each of ``points``: one vmapped pass in the scan, one each in a
    kernel."""
    if branch_free():
        return [f(p) for p in points]
    values = jax.vmap(f)(stacked(points))
    return [tuple(v[j] for v in values) for j in range(len(points))]


def stacked(vectors: list[tuple]) -> tuple:
    """Vectors (tuples of site arrays) as one vector of arrays with a leading axis over them."""
    return tuple(jnp.stack(parts) for parts in zip(*vectors))


def solve(a: tuple, b: tuple) -> tuple:
    """x with a x = b at every site: ``a`` n rows of n site arrays, ``b`` n site arrays. A
    singular system gives inf or NaN there (both forms)."""
    n = len(b)
    if n == 1:
        return (b[0] / a[0][0],)
    if not branch_free():  # LAPACK's LU, batched over the sites
        matrix = jnp.moveaxis(jnp.stack([jnp.stack(row) for row in a]), (0, 1), (-2, -1))
        x = jnp.linalg.solve(matrix, jnp.stack(b, axis=-1)[..., None])[..., 0]
        return tuple(x[..., k] for k in range(n))
    rows = [list(row) + [rhs] for row, rhs in zip(a, b)]  # the augmented matrix, row by row
    for k in range(n):
        for i in range(k + 1, n):  # move the largest |a_ik| (first of equals) to row k, per site
            larger = jnp.abs(rows[i][k]) > jnp.abs(rows[k][k])
            rows[k], rows[i] = ([jnp.where(larger, p, q) for p, q in zip(rows[i], rows[k])],
                                [jnp.where(larger, q, p) for p, q in zip(rows[i], rows[k])])
        for i in range(k + 1, n):
            factor = rows[i][k] / rows[k][k]
            rows[i] = rows[i][:k + 1] + [rows[i][j] - factor * rows[k][j] for j in range(k + 1, n + 1)]
    x = [None] * n
    for k in reversed(range(n)):
        total = rows[k][n]
        for j in range(k + 1, n):
            total = total - rows[k][j] * x[j]
        x[k] = total / rows[k][k]
    return tuple(x)
