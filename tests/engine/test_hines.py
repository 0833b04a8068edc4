"""The tree solver against a dense linear solve (numpy), on random trees and a cable."""

import jax
import numpy as np
import pytest

from excitable.engine.hines import solve_tree


def random_tree(n, rng):
    parent = np.array([-1] + [int(rng.integers(0, i)) for i in range(1, n)])
    return parent


def forest(n, rng):
    """Several trees in one system (a network): every 5th node starts a new tree."""
    parent = random_tree(n, rng)
    parent[::5] = -1
    for i in range(1, n):
        if parent[i] >= 0 and parent[i] < (i // 5) * 5:
            parent[i] = (i // 5) * 5 + int(rng.integers(0, i % 5)) if i % 5 else -1
    return parent


def dense(parent, diag, off):
    a = np.diag(diag)
    for i in range(1, len(parent)):
        if parent[i] >= 0:
            a[i, parent[i]] = a[parent[i], i] = off[i]
    return a


@pytest.mark.parametrize("n", [1, 2, 7, 60])
@pytest.mark.parametrize("shape", ["random", "cable", "forest", "cables", "points"])
def test_solve_tree_matches_dense_solve(n, shape):
    rng = np.random.default_rng(n)
    parent = {"random": random_tree(n, rng), "cable": np.arange(-1, n - 1), "forest": forest(n, rng),
              "cables": np.where(np.arange(n) % 4 == 0, -1, np.arange(-1, n - 1)),
              "points": np.full(n, -1)}[shape]
    off = -rng.uniform(0.1, 2.0, n)
    # Diagonally dominant like the cable matrix: C/dt + g_membrane + sum of axial conductances.
    diag = rng.uniform(0.5, 1.5, n) - dense(parent, np.zeros(n), off).sum(axis=1)
    rhs = rng.normal(size=n)
    x = np.asarray(jax.jit(lambda d, o, b: solve_tree(parent, d, o, b))(diag, off, rhs))
    expected = np.linalg.solve(dense(parent, diag, off), rhs)
    # Both are backward-stable solves of a well-conditioned (dominant) system: agree to 1e-12.
    np.testing.assert_allclose(x, expected, rtol=1e-12, atol=1e-12)


def test_solve_tree_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    parent = random_tree(9, rng)
    off = -rng.uniform(0.1, 2.0, 9)
    diag = rng.uniform(0.5, 1.5, 9) - dense(parent, np.zeros(9), off).sum(axis=1)
    rhs = rng.normal(size=9)

    def loss(d):
        return (solve_tree(parent, d, off, rhs) ** 2).sum()

    g = jax.grad(loss)(diag)
    eps = 1e-6
    fd = np.array([(loss(diag + eps * e) - loss(diag - eps * e)) / (2 * eps) for e in np.eye(9)])
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)
