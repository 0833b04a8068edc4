"""The SOLVE methods, as NEURON's generated code applies them to a DERIVATIVE block (KINETIC blocks
arrive here already rewritten into ODEs and CONSERVE laws by NEURON's ``KineticBlockVisitor``).

- ``cnexp``: each equation x' = f(x), linear in x (f = A + B x), is advanced in place, in the
  order of the block, by NEURON's formula x <- x + (1 - exp(B dt)) (-A/B - x); B is the exact
  derivative of f in x (forward-mode), A + B x = f(x).
- ``derivimplicit`` and ``sparse``: backward Euler, x_new = x_old + dt f(x_new), solved per site by
  Newton's method with the exact Jacobian (forward-mode, one column per state), a fixed number of
  iterations (``NEWTON_ITERATIONS``: quadratic convergence from the old state; a KINETIC scheme
  linear in its states takes one, exact, as NEURON's sparse solver does). A CONSERVE law replaces its state's equation (x = the law's value), as
  NEURON's sparse solver does.
- ``euler``: explicit, every derivative at the old states, then x <- x + dt f.
- ``STEADYSTATE sparse`` (INITIAL): NEURON's ``_ss_sparse_thread`` exactly: one backward Euler step
  of dt = 1e9 ms from the states' values before it (0 unless INITIAL set them), solved to
  convergence; for a nonlinear scheme first one single-Newton step, then that. This is not the exact
  steady state (the step leaves a residual ~ x / (1e9 ms x rate)), and NEURON's is what we match.
  ``STEADYSTATE derivimplicit``: NEURON's ``_ss_derivimplicit_thread``, one step of dt = 1e-9 ms.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from excitable.io.nmodl.affine import materialize

NEWTON_ITERATIONS = 4
STEADY_DT = 1e9            # ms, NEURON's ss_dt for sparse (scopmath/ssimplic_thread.hpp)
STEADY_DT_IMPLICIT = 1e-9  # ms, its dt for derivimplicit
METHODS = ("cnexp", "derivimplicit", "euler", "sparse")


class Cnexp:
    """x' = f(x) linear in x, advanced in place (NEURON's cnexp)."""

    def equation(self, scope, name, rhs, guard=True):
        x = jnp.asarray(scope.get(name))
        dt = scope.get("dt")

        def f(xx):
            trial = scope.copy()
            trial.set(name, xx)
            return jnp.asarray(materialize(rhs(trial)), dtype=x.dtype) + jnp.zeros_like(xx)

        fx, b = jax.jvp(f, (x,), (jnp.ones_like(x),))
        # NEURON's x + (1 - exp(B dt)) (-A/B - x), with -A/B - x = -f(x)/B; f dt where B = 0. (exp,
        # not expm1: XLA's CPU expm1 is not vectorized, and NEURON's formula uses exp.)
        if not guard:  # x appears in f, and f is linear in x: B != 0 (NEURON's formula as it is)
            scope.set(name, x + (1.0 - jnp.exp(b * dt)) * (-fx / b))
            return
        safe_b = jnp.where(b == 0, 1.0, b)
        scope.set(name, x + jnp.where(b == 0, dt * fx, (1.0 - jnp.exp(b * dt)) * (-fx / safe_b)))

    def conserve(self, scope, name, expr):
        pass  # CONSERVE has no meaning for cnexp (NEURON ignores it outside KINETIC)


class Collect:
    """Records each equation's derivative and each CONSERVE law's value at the present states."""

    def __init__(self):
        self.derivs, self.laws = {}, {}

    def equation(self, scope, name, rhs, guard=True):
        self.derivs[name] = materialize(rhs(scope))

    def conserve(self, scope, name, expr):
        self.laws[name] = materialize(expr(scope))


def _derivatives(run_block, scope, names, x):
    """(d/dt of each state, CONSERVE values) with the states set to ``x`` (a tuple)."""
    trial = scope.copy()
    for n, xx in zip(names, x):
        trial.set(n, xx)
    trial.solver = Collect()
    run_block(trial)
    return trial.solver.derivs, trial.solver.laws, trial


def backward_euler(run_block, scope, names, dt, iterations=NEWTON_ITERATIONS):
    """States after one backward Euler step of ``dt`` ms; ``scope`` is updated (states and what
    the block assigns, at the solution)."""
    old = tuple(jnp.asarray(scope.get(n)) for n in names)
    shape = jnp.broadcast_shapes(*(o.shape for o in old), jnp.shape(materialize(scope.get("v"))))
    old = tuple(jnp.broadcast_to(o, shape).astype(jnp.result_type(float)) for o in old)

    def residual(x):
        derivs, laws, _ = _derivatives(run_block, scope, names, x)
        return jnp.stack([x[k] - laws[n] if n in laws else x[k] - old[k] - dt * derivs.get(n, 0.0)
                          for k, n in enumerate(names)])

    x = old
    for _ in range(iterations):
        r = residual(x)
        cols = [jax.jvp(residual, (x,), (tuple(jnp.ones_like(o) if j == k else jnp.zeros_like(o)
                                                 for j, o in enumerate(old)),))[1]
                for k in range(len(names))]
        jac = jnp.stack(cols, axis=1)  # (n, n, *sites): d residual_i / d x_k
        if len(names) == 1:
            dx = (r / jac[:, 0])
        else:
            jac_sites = jnp.moveaxis(jac, (0, 1), (-2, -1))
            dx = jnp.moveaxis(jnp.linalg.solve(jac_sites, jnp.moveaxis(r, 0, -1)[..., None])[..., 0], -1, 0)
        x = tuple(x[k] - dx[k] for k in range(len(names)))
    _, _, final = _derivatives(run_block, scope, names, x)
    scope.glob.update(final.glob)
    for n, xx in zip(names, x):
        scope.set(n, xx)


def explicit_euler(run_block, scope, names, dt):
    derivs, _, final = _derivatives(run_block, scope, names, tuple(scope.get(n) for n in names))
    new = {n: scope.get(n) + dt * derivs.get(n, 0.0) for n in names}
    scope.glob.update(final.glob)
    for n, xx in new.items():
        scope.set(n, xx)


def solve(method: str, run_block, scope, states, *, steady: bool = False, linear: bool = True) -> None:
    """Apply ``method`` to the DERIVATIVE block ``run_block`` in ``scope`` (states updated).
    ``linear``: a KINETIC scheme linear in its states (NEURON's steady state differs)."""
    if steady:
        if method == "derivimplicit":
            backward_euler(run_block, scope, states, STEADY_DT_IMPLICIT)
            return
        if not linear:
            backward_euler(run_block, scope, states, STEADY_DT, iterations=1)
        backward_euler(run_block, scope, states, STEADY_DT)
        return
    dt = scope.get("dt")
    if method == "sparse" and linear:  # NEURON's sparse takes one Newton step: exact for a linear scheme
        backward_euler(run_block, scope, states, dt, iterations=1)
        return
    if method == "cnexp":
        scope.solver = Cnexp()
        run_block(scope)
    elif method == "euler":
        explicit_euler(run_block, scope, states, dt)
    else:
        backward_euler(run_block, scope, states, dt)
