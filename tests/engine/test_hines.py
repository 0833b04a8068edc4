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


CASES = [(n, shape, method) for method in ("nodes", "levels", "pcr") for n in (1, 2, 7, 60)
         for shape in ("random", "cable", "forest", "cables", "points")
         if method != "pcr" or shape in ("cable", "cables", "points")]  # reduction: unbranched only


@pytest.mark.parametrize("n, shape, method", CASES)
def test_solve_tree_matches_dense_solve(n, shape, method):
    rng = np.random.default_rng(n)
    parent = {"random": random_tree(n, rng), "cable": np.arange(-1, n - 1), "forest": forest(n, rng),
              "cables": np.where(np.arange(n) % 4 == 0, -1, np.arange(-1, n - 1)),
              "points": np.full(n, -1)}[shape]
    off = -rng.uniform(0.1, 2.0, n)
    # Diagonally dominant like the cable matrix: C/dt + g_membrane + sum of axial conductances.
    diag = rng.uniform(0.5, 1.5, n) - dense(parent, np.zeros(n), off).sum(axis=1)
    rhs = rng.normal(size=n)
    x = np.asarray(jax.jit(lambda d, o, b: solve_tree(parent, d, o, b, method))(diag, off, rhs))
    expected = np.linalg.solve(dense(parent, diag, off), rhs)
    # Both are backward-stable solves of a well-conditioned (dominant) system: agree to 1e-12.
    np.testing.assert_allclose(x, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("method", ["nodes", "levels", "pcr"])
def test_solve_tree_gradient_matches_finite_differences(method):
    rng = np.random.default_rng(3)
    parent = random_tree(9, rng) if method != "pcr" else np.arange(-1, 8)
    off = -rng.uniform(0.1, 2.0, 9)
    diag = rng.uniform(0.5, 1.5, 9) - dense(parent, np.zeros(9), off).sum(axis=1)
    rhs = rng.normal(size=9)

    def loss(d):
        return (solve_tree(parent, d, off, rhs, method) ** 2).sum()

    g = jax.grad(loss)(diag)
    eps = 1e-6
    fd = np.array([(loss(diag + eps * e) - loss(diag - eps * e)) / (2 * eps) for e in np.eye(9)])
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)


def test_auto_takes_the_node_loop_on_cpus_and_vector_methods_on_gpus():
    from excitable.engine.hines import choose_method

    rng = np.random.default_rng(0)
    tree, cable = random_tree(200, rng), np.arange(-1, 199)  # random trees are shallow (depth ~ log n)
    assert choose_method(tree, "auto", "gpu") == "levels" and choose_method(cable, "auto", "gpu") == "pcr"
    assert choose_method(tree, "auto", "cpu") == choose_method(cable, "auto", "cpu") == "nodes"
    deep = np.arange(-1, 199).copy()
    deep[100] = 50  # one branch point: nearly as deep as long, levels would not pay
    assert choose_method(deep, "auto", "gpu") == "nodes"
    with pytest.raises(ValueError, match="method must be"):
        choose_method(cable, "fast")


def test_levels_under_vmap_match_separate_solves():
    rng = np.random.default_rng(5)
    parent = random_tree(40, rng)
    off = -rng.uniform(0.1, 2.0, (3, 40))
    diag = rng.uniform(0.5, 1.5, (3, 40)) + 4.0
    rhs = rng.normal(size=(3, 40))
    batched = jax.vmap(lambda d, o, b: solve_tree(parent, d, o, b, "levels"))(diag, off, rhs)
    for k in range(3):
        np.testing.assert_allclose(batched[k], solve_tree(parent, diag[k], off[k], rhs[k], "nodes"),
                                   rtol=1e-12, atol=1e-12)


def test_node_loop_under_vmap_matches_separate_solves_and_their_derivatives():
    """The node loop's own batching rule (the batch moved to the last axis) gives each system's
    solution, with shared and batched operands mixed, and derivatives (implicit: one more solve)
    equal to finite differences with respect to the diagonal, the couplings and the right side, in
    reverse and forward mode."""
    rng = np.random.default_rng(6)
    parent = random_tree(30, rng)
    off = -rng.uniform(0.1, 2.0, 30)  # shared by the batch
    diag = rng.uniform(0.5, 1.5, (4, 30)) + 4.0
    rhs = rng.normal(size=(4, 30))
    batched = jax.jit(jax.vmap(lambda d, b: solve_tree(parent, d, off, b, "nodes")))(diag, rhs)
    for k in range(4):
        np.testing.assert_allclose(batched[k], np.linalg.solve(dense(parent, diag[k], off), rhs[k]),
                                   rtol=1e-12, atol=1e-12)

    def loss(d, o, b):
        x = jax.vmap(lambda d, o, b: solve_tree(parent, d, o, b, "nodes"))(d, o, b)
        return (x ** 2 * np.arange(1, 31)).sum()

    args = (diag, np.tile(off, (4, 1)), rhs)
    grads = jax.grad(loss, argnums=(0, 1, 2))(*args)
    eps = 1e-6
    for a, g in enumerate(grads):
        for k, i in ((0, 3), (2, 17), (3, 29)):
            e = np.zeros_like(args[a])
            e[k, i] = eps
            plus = [x + e if j == a else x for j, x in enumerate(args)]
            minus = [x - e if j == a else x for j, x in enumerate(args)]
            fd = (loss(*plus) - loss(*minus)) / (2 * eps)
            # Central differences: rounding ~1e-16 |loss| / eps, below 1e-7 here (|loss| ~ 1e2).
            assert float(g[k, i]) == pytest.approx(float(fd), rel=1e-6, abs=1e-7), (a, k, i)
            tangent = [e / eps if j == a else np.zeros_like(x) for j, x in enumerate(args)]
            # Forward and reverse mode are both exact derivatives of the same solve.
            assert float(jax.jvp(loss, args, tuple(tangent))[1]) == pytest.approx(float(g[k, i]), rel=1e-10)


@pytest.mark.parametrize("shape, method", [("swc", "levels"), ("axon", "pcr")])
def test_the_gpu_solvers_in_a_firing_cell_equal_the_node_loop(monkeypatch, shape, method):
    """The engine with the solvers a GPU takes (levels for a branched cell, cyclic reduction for an
    axon) against the node loop that the NEURON comparisons run on the CPU: V everywhere within
    1e-9 mV (the methods differ only in the order of floating-point operations)."""
    import functools

    import excitable as ex
    from excitable.engine import hines, integrate, stepping

    if shape == "swc":
        cell = ex.Cell.from_swc("ca1-pyramidal", d_lambda=0.1).insert(ex.HH())
        stim = ex.IClamp(cell.soma, amplitude=1.0, delay=1.0, duration=20.0)
    else:
        cell = ex.Cell(ex.Morphology.cylinder(length=2000.0, diameter=1.0), nseg=200, ra=100.0).insert(ex.HH())
        stim = ex.IClamp(ex.Location(0, 0.0), amplitude=0.5, delay=0.5, duration=0.2)
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(stim)
    sim.record("v", at="all")
    plan, params, drive = sim.plan, sim.parameters(), sim.drive(20.0)
    runs = {}
    for m in ("nodes", method):
        monkeypatch.setattr(stepping, "solve_tree", functools.partial(hines.solve_tree, method=m))
        runs[m] = np.asarray(jax.jit(lambda p, d: integrate.run_scan(plan, p, d, dt=sim.dt)[0])(params, drive))
    assert runs["nodes"].max() > 0  # it fired
    np.testing.assert_allclose(runs[method], runs["nodes"], rtol=0, atol=1e-9)
