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

import functools

import jax
import jax.numpy as jnp

from excitable.io.nmodl.affine import materialize

NEWTON_ITERATIONS = 4
#: NEURON's sparse solver for a nonlinear scheme (scopmath sparse_thread): Newton steps until the
#: sum of |dx| over the states is <= CONVERGE (errcodes.hpp), each state clipped at 0; here a fixed
#: number of steps, each after the first applied only where NEURON's loop would still be running.
CONVERGE = 1e-6
SPARSE_ITERATIONS = 4
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


#: Where a nonlinear sparse step leaves its flag: 1 at a site where NEURON's loop would still run
#: after our ``SPARSE_ITERATIONS`` (sum |dx| of the last step > CONVERGE), else 0. The mechanism
#: counts it in the state ``UNCONVERGED`` and engine.run refuses such a run: its numbers would not be
#: NEURON's (which iterates on), and none are reported.
UNCONVERGED = "newton_unconverged"


def backward_euler(run_block, scope, names, dt, iterations=NEWTON_ITERATIONS, sparse=False):
    """States after one backward Euler step of ``dt`` ms; ``scope`` is updated (states and what
    the block assigns, at the solution). ``sparse``: NEURON's loop for a nonlinear KINETIC scheme
    (stop once sum |dx| <= CONVERGE, clip states at 0; whether it would still run is left in
    ``scope.glob[UNCONVERGED]``)."""
    x, running = _newton(run_block, scope, names, dt, _present(scope, names), iterations, sparse, report=True)
    _finish(run_block, scope, names, x)
    if sparse:
        scope.glob[UNCONVERGED] = scope.glob.get(UNCONVERGED, 0.0) + jnp.where(running, 1.0, 0.0)


def _present(scope, names):
    """The states' present values, broadcast over the sites, as floats."""
    old = tuple(jnp.asarray(scope.get(n)) for n in names)
    shape = jnp.broadcast_shapes(*(o.shape for o in old), jnp.shape(materialize(scope.get("v"))))
    return tuple(jnp.broadcast_to(o, shape).astype(jnp.result_type(float)) for o in old)


def _finish(run_block, scope, names, x):
    """``scope`` at the states ``x``: the states and what the block assigns there."""
    _, _, final = _derivatives(run_block, scope, names, x)
    scope.glob.update(final.glob)
    for n, xx in zip(names, x):
        scope.set(n, xx)


def _newton(run_block, scope, names, dt, old, iterations, sparse, report=False):
    """Newton's iterations for x = old + dt f(x) (CONSERVE rows: x = law), from ``old``; with
    ``report``: (x, whether NEURON's sparse loop would still be running), else x."""
    def residual(x):
        derivs, laws, _ = _derivatives(run_block, scope, names, x)
        return jnp.stack([x[k] - laws[n] if n in laws else x[k] - old[k] - dt * derivs.get(n, 0.0)
                          for k, n in enumerate(names)])

    x, running = old, True
    for _ in range(iterations):
        r = residual(x)
        # The Jacobian's columns by one vmapped jvp (one trace of the block, not one per state).
        n = len(names)
        basis = tuple(jnp.broadcast_to(jnp.eye(n, dtype=o.dtype)[:, k].reshape((n,) + (1,) * o.ndim), (n,) + o.shape)
                      for k, o in enumerate(old))
        cols = jax.vmap(lambda t, x=x: jax.jvp(residual, (x,), (t,))[1])(basis)  # (k, i, *sites)
        jac = jnp.moveaxis(cols, 0, 1)  # (n, n, *sites): d residual_i / d x_k
        if len(names) == 1:
            dx = (r / jac[:, 0])
        else:
            jac_sites = jnp.moveaxis(jac, (0, 1), (-2, -1))
            dx = jnp.moveaxis(jnp.linalg.solve(jac_sites, jnp.moveaxis(r, 0, -1)[..., None])[..., 0], -1, 0)
        if not sparse:
            x = tuple(x[k] - dx[k] for k in range(len(names)))
            continue
        new = tuple(jnp.maximum(x[k] - dx[k], 0.0) for k in range(len(names)))
        x = new if running is True else tuple(jnp.where(running, a, b) for a, b in zip(new, x))
        err = sum(jnp.abs(d) for d in dx)
        running = (err > CONVERGE) if running is True else running & (err > CONVERGE)
    if report:
        return x, (False if running is True else running)
    return x


#: NEURON's _ss_sparse_thread tries up to 7 times; the capmpr/cabpump start needs 2: 3 are traced.
STEADY_TRIES = 3


def steady_nonlinear(run_block, scope, names, sparse):
    """NEURON's steady state of a nonlinear KINETIC scheme (``_ss_sparse_thread``): a plain Newton
    step of dt = 1e9 ms; if it leaves a state below -1e-6, those are set to 0 and it starts again
    from there; otherwise the clipped Newton loop of one more 1e9-ms step follows, and that is the
    result. Traced as ``STEADY_TRIES`` tries, each taken only where no earlier one succeeded."""
    x, done = _present(scope, names), None
    for _ in range(STEADY_TRIES):
        lin = _newton(run_block, scope, names, STEADY_DT, x, 1, False)
        bad = functools.reduce(jnp.logical_or, [a < -1e-6 for a in lin])
        full = _newton(run_block, scope, names, STEADY_DT, lin, SPARSE_ITERATIONS, sparse)
        pick = tuple(jnp.where(bad, jnp.where(a < -1e-6, 0.0, a), b) for a, b in zip(lin, full))
        x = pick if done is None else tuple(jnp.where(done, a, b) for a, b in zip(x, pick))
        done = ~bad if done is None else done | ~bad
    _finish(run_block, scope, names, x)


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
            steady_nonlinear(run_block, scope, states, method == "sparse")
            return
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
    elif method == "sparse":
        backward_euler(run_block, scope, states, dt, iterations=SPARSE_ITERATIONS, sparse=True)
    else:
        backward_euler(run_block, scope, states, dt)
