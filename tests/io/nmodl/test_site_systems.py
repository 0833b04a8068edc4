"""io/nmodl/site_systems: the per-site linear algebra of the Newton and LINEAR solves, in both of
its forms (vectorized in the scan; unrolled, as traced inside a fused kernel: backends.kernel_body),
against numpy's LAPACK solve and closed-form derivatives. Exact algebra in float64, so 1e-12
relative leaves room only for round-off (the test matrices' condition numbers are below 1e3)."""

import jax.numpy as jnp
import numpy as np
import pytest

from excitable.backends import branch_free, kernel_body
from excitable.io.nmodl import site_systems


def as_tuples(matrix, rhs):
    """(n, n, sites), (n, sites) arrays as the tuples site_systems takes."""
    n = rhs.shape[0]
    return (tuple(tuple(jnp.asarray(matrix[i, k]) for k in range(n)) for i in range(n)),
            tuple(jnp.asarray(rhs[i]) for i in range(n)))


@pytest.mark.parametrize("unrolled", [False, True])
def test_solve_equals_lapack_at_every_site(unrolled):
    rng = np.random.default_rng(0)
    sites, n = 64, 5
    matrix = rng.normal(size=(n, n, sites)) + 3.0 * np.eye(n)[..., None]
    # sites where Gaussian elimination without pivoting divides by 0: a zero (1, 1) entry
    matrix[0, 0, :8] = 0.0
    rhs = rng.normal(size=(n, sites))
    expected = np.stack([np.linalg.solve(matrix[..., s], rhs[:, s]) for s in range(sites)], axis=1)
    a, b = as_tuples(matrix, rhs)
    if unrolled:
        with kernel_body():
            assert branch_free()
            x = site_systems.solve(a, b)
    else:
        x = site_systems.solve(a, b)
    np.testing.assert_allclose(np.stack(x), expected, rtol=1e-12, atol=1e-12)
    assert not branch_free()  # the context is left as it was


@pytest.mark.parametrize("unrolled", [False, True])
def test_jacobian_is_the_exact_derivative(unrolled):
    """f(x, y) = (x y, x + sin y): J = [[y, x], [1, cos y]] at every site."""
    x = (jnp.linspace(-1.0, 1.0, 7), jnp.linspace(0.5, 2.0, 7))

    def f(v):
        return v[0] * v[1], v[0] + jnp.sin(v[1])

    if unrolled:
        with kernel_body():
            fx, jac = site_systems.jacobian(f, x)
    else:
        fx, jac = site_systems.jacobian(f, x)
    np.testing.assert_allclose(fx[0], x[0] * x[1], rtol=1e-15)
    for (i, k), exact in {(0, 0): x[1], (0, 1): x[0], (1, 0): np.ones(7), (1, 1): np.cos(x[1])}.items():
        np.testing.assert_allclose(jac[i][k], exact, rtol=1e-15, atol=1e-15, err_msg=f"J[{i}][{k}]")
