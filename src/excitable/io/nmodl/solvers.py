"""The SOLVE methods, as NEURON's generated code applies them to a DERIVATIVE block (KINETIC blocks
arrive here already rewritten into ODEs and CONSERVE laws by NEURON's ``KineticBlockVisitor``).

- ``cnexp``: each equation x' = f(x), linear in x (f = A + B x), is advanced in place, in the
  order of the block, by NEURON's formula x <- x + (1 - exp(B dt)) (-A/B - x); B is the exact
  derivative of f in x (forward-mode), A + B x = f(x).
- ``derivimplicit``: backward Euler, x_new = x_old + dt f(x_new), solved per site by NEURON's own
  Newton loop (scopmath ``nrn_newton_thread``, see ``implicit_newton``): the Jacobian by central
  differences, rebuilt only after a large step, stopped by NEURON's rule; ``IMPLICIT_ITERATIONS``
  are traced and a site where NEURON would still iterate after them is flagged (``UNCONVERGED``).
- ``sparse``: backward Euler solved by Newton's method with the exact Jacobian (forward-mode, one
  column per state), as NEURON's sparse solver, whose matrix is the scheme's exact one: a KINETIC
  scheme linear in its states takes one step, exact; a nonlinear one NEURON's loop (``_newton``).
  A CONSERVE law replaces its state's equation (x = the law's value), as NEURON's sparse solver does.
- ``euler``: explicit, every derivative at the old states, then x <- x + dt f.
- ``STEADYSTATE sparse`` (INITIAL): NEURON's ``_ss_sparse_thread`` exactly: one backward Euler step
  of dt = 1e9 ms from the states' values before it (0 unless INITIAL set them), solved to
  convergence; for a nonlinear scheme NEURON's up to 7 tries of a single-Newton step, then that
  (``steady_nonlinear``). This is not the exact steady state (the step leaves a residual ~ x / (1e9
  ms x rate)), and NEURON's is what we match. ``STEADYSTATE derivimplicit``: NEURON's
  ``_ss_derivimplicit_thread``, derivimplicit's loop for one step of dt = 1e-9 ms (whose stop rule,
  a residual <= 1e-8 /ms, NEURON meets only for states below ~1e-2: above, 1e-9 ms turns round-off
  into residuals > 1e-8, NEURON gives up after 50 iterations and we refuse too).
Where NEURON would iterate on after our traced steps (or give up), the site is flagged in the state
``UNCONVERGED`` and engine.run refuses the run in one line: its numbers would not be NEURON's.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from excitable.backends import branch_free
from excitable.io.nmodl import site_systems
from excitable.io.nmodl.affine import materialize
from excitable.io.nmodl.expressions import EXP_CACHE

NEWTON_ITERATIONS = 4
#: NEURON's sparse solver for a nonlinear scheme (scopmath sparse_thread): Newton steps until the
#: sum of |dx| over the states is <= CONVERGE (errcodes.hpp), each state clipped at 0; here a fixed
#: number of steps, each after the first applied only where NEURON's loop would still be running.
CONVERGE = 1e-6
SPARSE_ITERATIONS = 4
#: NEURON's derivimplicit loop (scopmath newton_thread.hpp, constants of errcodes.hpp): the
#: Jacobian's increment max(|0.02 x|, STEP); rebuilt after a step whose largest relative change
#: |dx / x| (over |x| > ZERO) exceeded MAXCHANGE; stop once that change is <= CONVERGE and every
#: residual f(x) - (x - x_old) / dt is <= ZERO (1/ms); NEURON gives up (aborts the run) after
#: MAXITERS. It needs 2-3 steps on tests/reference/mod/nm_implicit.mod, 4-5 on a stiff scheme at a
#: small dt (tests/io/nmodl/test_convergence.py): 6 are traced.
ZERO, STEP, MAXCHANGE, MAXITERS = 1e-8, 1e-6, 0.05, 50
IMPLICIT_ITERATIONS = 6
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


#: Where a step leaves its flag: 1 at a site where NEURON's loop would still run after our traced
#: iterations (sparse: ``SPARSE_ITERATIONS``, derivimplicit: ``IMPLICIT_ITERATIONS``), else 0; an
#: INITIAL whose STEADYSTATE NEURON would iterate on or give up leaves ``INITIAL_MARK``. The
#: mechanism counts them in the state ``UNCONVERGED`` (``flagged``) and engine.run refuses such a run:
#: its numbers would not be NEURON's, and none are reported.
UNCONVERGED = "newton_unconverged"
#: A half count, so that engine.run can tell an INITIAL's failure (x.5) from the steps' (integers).
INITIAL_MARK = 0.5


def flagged(desc, linear) -> bool:
    """Whether a mechanism's SOLVEs can leave ``UNCONVERGED`` (a nonlinear KINETIC scheme, a
    derivimplicit block, or a STEADYSTATE of either in INITIAL), so that it carries the count.
    ``desc``: its io.nmodl.describe.Description; ``linear``: KINETIC block -> linear in its states."""
    def may_fail(block, method, steady):  # the defaults solve() is called with (mechanism.py)
        return method == "derivimplicit" or (method == "sparse" and not linear.get(block, steady))
    return (any(may_fail(b, m, False) for b, m in desc.solves)
            or any(may_fail(b, m, True) for b, m in desc.initial_solves))


def _count(scope, running, mark=1.0):
    """Add ``mark`` where ``running`` (NEURON's loop would go on) to the scope's UNCONVERGED; an
    INITIAL_MARK is set, not added (two failed STEADYSTATEs still read as INITIAL's)."""
    before, here = scope.glob.get(UNCONVERGED, 0.0), jnp.where(running, mark, 0.0)
    scope.glob[UNCONVERGED] = jnp.maximum(before, here) if mark == INITIAL_MARK else before + here


def backward_euler(run_block, scope, names, dt, iterations=NEWTON_ITERATIONS, sparse=False):
    """States after one backward Euler step of ``dt`` ms by Newton's method with the exact
    Jacobian; ``scope`` is updated (states and what the block assigns, at the solution).
    ``sparse``: NEURON's loop for a nonlinear KINETIC scheme (stop once sum |dx| <= CONVERGE, clip
    states at 0; where it would still run is counted in ``scope.glob[UNCONVERGED]``)."""
    x, running = _newton(run_block, scope, names, dt, _present(scope, names), iterations, sparse, report=True)
    _finish(run_block, scope, names, x)
    if sparse:
        _count(scope, running)


def derivimplicit(run_block, scope, names, dt, mark=1.0, loop=()):
    """NEURON's derivimplicit step of ``dt`` ms (``implicit_newton``); ``scope`` is updated, and
    ``mark`` is counted where NEURON's loop would still run after our iterations. ``loop``:
    (iterations, True) for a fori_loop of them (INITIAL), else IMPLICIT_ITERATIONS unrolled."""
    x, running = implicit_newton(run_block, scope, names, dt, _present(scope, names), *loop)
    _finish(run_block, scope, names, x)
    _count(scope, running, mark)


def _present(scope, names):
    """The states' present values, broadcast over the sites, in the run's float type (V's and
    the states': float32 in a float32 batch, which a float64 here would turn into float64)."""
    old = tuple(jnp.asarray(scope.get(n)) for n in names)
    v = jnp.asarray(materialize(scope.get("v")))
    dtype = jnp.result_type(*old, v)
    dtype = dtype if jnp.issubdtype(dtype, jnp.floating) else jnp.result_type(float)
    shape = jnp.broadcast_shapes(*(o.shape for o in old), v.shape)
    return tuple(jnp.broadcast_to(o, shape).astype(dtype) for o in old)


def _finish(run_block, scope, names, x):
    """``scope`` at the states ``x``: the states and what the block assigns there."""
    _, _, final = _derivatives(run_block, scope, names, x)
    scope.glob.update(final.glob)
    for n, xx in zip(names, x):
        scope.set(n, xx)


def _inner(scope, loop):
    """The scope a loop's body evaluates the block in: inside a ``lax.fori_loop`` its own cache of
    shared exponentials (expressions.EXP_CACHE), which would otherwise keep the body's tracers."""
    if not loop:
        return scope
    inner = scope.copy()
    inner.glob[EXP_CACHE] = {}
    return inner


def _newton(run_block, scope, names, dt, old, iterations, sparse, report=False, loop=False):
    """Newton's iterations for x = old + dt f(x) (CONSERVE rows: x = law), from ``old``; with
    ``report``: (x, whether NEURON's sparse loop would still be running), else x. ``loop``: the
    iterations as one ``lax.fori_loop`` (one trace of the block however many; still reverse-mode
    differentiable, its trip count being fixed) rather than unrolled. Vectors are tuples of site
    arrays (site_systems: they lower for the GPU kernels)."""
    def residual(x, sc=scope):
        derivs, laws, _ = _derivatives(run_block, sc, names, x)
        return tuple(jnp.broadcast_to(x[k] - laws[n] if n in laws else x[k] - old[k] - dt * derivs.get(n, 0.0),
                                      jnp.shape(old[k])).astype(old[k].dtype) for k, n in enumerate(names))

    n = len(names)

    def step(_, carry):
        x, running = carry
        sc = _inner(scope, loop)
        r, jac = site_systems.jacobian(lambda y: residual(y, sc), x)  # exact, forward mode
        dx = site_systems.solve(jac, r)
        if not sparse:
            return tuple(x[k] - dx[k] for k in range(n)), running
        new = tuple(jnp.maximum(x[k] - dx[k], 0.0) for k in range(n))
        err = sum(jnp.abs(d) for d in dx)
        return tuple(jnp.where(running, a, b) for a, b in zip(new, x)), running & (err > CONVERGE)

    carry = (tuple(old), jnp.ones(jnp.shape(old[0]), dtype=bool))
    if loop:
        carry = jax.lax.fori_loop(0, iterations, step, carry)
    else:
        for i in range(iterations):
            carry = step(i, carry)
    x, running = carry
    if report:
        return x, (running if sparse else False)
    return x


def affine_root(residual, zero):
    """The root of ``residual``, affine in x, per site (a LINEAR block's system, linear.py): r(x)
    = A x + r(0), so A is exact by forward mode and x solves A x = -r(0) by Gaussian elimination
    with partial pivoting (NEURON's scopmath ``simeq`` is the same). ``zero``: a tuple of n zero
    arrays shaped like the sites; ``residual``: tuple -> tuple. Returns (x, A as n rows, r(0)),
    all tuples of site arrays (site_systems)."""
    r0, jac = site_systems.jacobian(residual, zero)
    return site_systems.solve(jac, tuple(-r for r in r0)), jac, r0


def _fd_jacobian(value, x):
    """NEURON's Jacobian of ``value`` at ``x`` (a tuple of site arrays) by central differences
    (newton_thread.hpp buildjacobian): column j from x_j + h and then (x_j + h) - 2h, h =
    max(|0.02 x_j|, STEP), x_j restored as ((x_j + h) - 2h) + h, in column order; the same
    floating-point sums, so the Jacobian, the restored x and the value there are NEURON's to
    round-off. Returns (jacobian as n rows, restored x, value there)."""
    n = len(x)
    h = tuple(jnp.maximum(jnp.abs(0.02 * a), STEP) for a in x)
    high = tuple(a + b for a, b in zip(x, h))
    low = tuple(a - 2.0 * b for a, b in zip(high, h))
    restored = tuple(a + b for a, b in zip(low, h))
    trials = []
    for j in range(n):  # earlier columns restored, as NEURON leaves them
        base = restored[:j] + x[j:]
        trials += [base[:j] + (high[j],) + base[j + 1:], base[:j] + (low[j],) + base[j + 1:]]
    values = site_systems.evaluate(value, trials)
    cols = [tuple((u - d) / (2.0 * h[j]) for u, d in zip(values[2 * j], values[2 * j + 1])) for j in range(n)]
    return tuple(tuple(col[i] for col in cols) for i in range(n)), restored, value(restored)


def implicit_newton(run_block, scope, names, dt, old, iterations=None, loop=False):
    """NEURON's derivimplicit loop (nocmodl's generated block + scopmath ``nrn_newton_thread``) for
    x = old + dt f(x), per site: value(x) = f(x) - (x - old) / dt; a step solves J dx = -value;
    J (``_fd_jacobian``) is rebuilt only after a step whose change max |dx_i / x_i| (|x_i| > ZERO)
    exceeded MAXCHANGE (and before the first: NEURON's change starts at 1), else the last one is
    reused with the value at the present x; NEURON stops once change <= CONVERGE and max |value|
    <= ZERO. ``iterations`` steps, unrolled or as a ``lax.fori_loop`` (``loop``), each applied only
    where NEURON's loop still runs. Vectors are tuples of site arrays (site_systems). Returns (x as
    a tuple, where it would run on)."""
    def value(x, sc=scope):
        derivs, laws, _ = _derivatives(run_block, sc, names, tuple(x))
        # a CONSERVE row (a KINETIC scheme solved so): the law, whose root is x = law
        return tuple(jnp.broadcast_to(laws[n] - x[k] if n in laws else derivs.get(n, 0.0) - (x[k] - old[k]) / dt,
                                      jnp.shape(old[k])).astype(old[k].dtype) for k, n in enumerate(names))

    return newton_loop(value, scope, old, iterations, loop)


def newton_loop(value, scope, start, iterations=None, loop=False):
    """scopmath's ``newton`` (newton.hpp, newton_thread.hpp: the same loop) on ``value(x, sc)``, a
    tuple of site arrays evaluated in the scope ``sc``, from ``start``; derivimplicit's loop above and
    a NONLINEAR block's (nonlinear.py). Returns (x as a tuple, where NEURON's loop would run on)."""
    def pick(where, a, b):  # per site, on vectors and matrices alike
        return jax.tree_util.tree_map(lambda p, q: jnp.where(where, p, q), a, b)

    def step(_, carry):
        x, jac, val, change, running = carry
        sc = _inner(scope, True)  # its own cache: the step may run inside a lax.cond or fori_loop
        rebuild = change > MAXCHANGE
        # Only where a site needs it (all do in the first step, few after): a lax.cond skips the
        # 2n + 1 evaluations of the block otherwise (under vmap it becomes a select: both run).
        new_jac, restored, new_val = _cond(
            _anywhere(rebuild & running), lambda: _fd_jacobian(lambda y: value(y, _inner(sc, True)), x),
            lambda: (jac, x, val))
        jac, x, val = pick(rebuild, new_jac, jac), pick(rebuild, restored, x), pick(rebuild, new_val, val)
        dx = site_systems.solve(jac, tuple(-a for a in val))
        step_change = functools.reduce(jnp.maximum, [
            jnp.where(jnp.abs(a) > ZERO, jnp.abs(d / jnp.where(jnp.abs(a) > ZERO, a, 1.0)), 0.0) for a, d in zip(x, dx)])
        x_new = tuple(a + d for a, d in zip(x, dx))
        val_new = value(x_new, sc)
        done = (step_change <= CONVERGE) & (functools.reduce(jnp.maximum, [jnp.abs(a) for a in val_new]) <= ZERO)
        # a site NEURON has stopped keeps its x (its change <= CONVERGE: no rebuild either)
        return (pick(running, x_new, x), jac, pick(running, val_new, val),
                jnp.where(running, step_change, change), running & ~done)

    iterations = IMPLICIT_ITERATIONS if iterations is None else iterations  # read when traced
    x = tuple(start)
    zero = jnp.zeros_like(x[0])
    carry = (x, tuple(tuple(zero for _ in x) for _ in x), tuple(zero for _ in x), jnp.ones_like(zero),
             jnp.ones(zero.shape, dtype=bool))
    if loop:
        carry = jax.lax.fori_loop(0, iterations, step, carry)
    else:
        for i in range(iterations):  # an iteration no site needs is skipped (lax.cond, as above)
            carry = step(i, carry) if i == 0 else _cond(_anywhere(carry[4]), lambda c=carry, i=i: step(i, c),
                                                        lambda c=carry: c)
    return tuple(carry[0]), carry[4]


def _cond(pred, when_true, when_false):
    """``lax.cond(pred, when_true, when_false)``, or both and a select while a fused kernel's body is
    traced (backends.branch_free: there the kernels' vmap would make the cond an int32 select that
    Triton refuses; under vmap both branches run anyway)."""
    if not branch_free():
        return jax.lax.cond(pred, when_true, when_false)
    return jax.tree_util.tree_map(lambda a, b: jnp.where(pred, a, b), when_true(), when_false())


def _anywhere(mask):
    """Whether ``mask`` holds at any site, as a max (Pallas' Triton backend has no ``reduce_or``)."""
    return jnp.max(jnp.where(mask, 1, 0)) > 0


#: NEURON's _ss_sparse_thread: at most NIT = 7 tries (a linear step from states clipped at 0 where
#: the previous one left them below -1e-6) before the nonlinear loop; after 7 it gives up.
STEADY_TRIES = 7
#: Its loop then (sparse_thread with dt = 1e9 ms) gives up unless sum |dx| <= CONVERGE after 21
#: steps; all are traced (in INITIAL, once), as a loop: 4 would leave 30 % of random starts of
#: A + B <-> C, C + B <-> D unconverged.
STEADY_ITERATIONS = 21
STEADY_NEGATIVE = -1e-6


def steady_nonlinear(run_block, scope, names, sparse):
    """NEURON's steady state of a nonlinear KINETIC scheme (``_ss_sparse_thread``): a plain Newton
    step of dt = 1e9 ms; if it leaves a state below -1e-6, those are set to 0 and it starts again
    from there; otherwise the clipped Newton loop of one more 1e9-ms step follows, and that is the
    result. The 7 tries are traced (each taken only where no earlier one succeeded), then the loop
    once from where each site stopped; a site with no success in 7 tries (NEURON gives up) or
    whose loop would run on is marked ``INITIAL_MARK``."""
    def attempt(_, carry):
        x, searching = carry
        lin = _newton(run_block, scope, names, STEADY_DT, x, 1, False)
        bad = functools.reduce(jnp.logical_or, [a < STEADY_NEGATIVE for a in lin])
        tried = tuple(jnp.where(bad & (a < STEADY_NEGATIVE), 0.0, a) for a in lin)
        return tuple(jnp.where(searching, a, b) for a, b in zip(tried, x)), searching & bad

    start = _present(scope, names)
    x, searching = jax.lax.fori_loop(0, STEADY_TRIES, attempt, (start, jnp.ones(jnp.shape(start[0]), dtype=bool)))
    full, running = _newton(run_block, scope, names, STEADY_DT, x, STEADY_ITERATIONS, sparse, report=True,
                            loop=True)
    _finish(run_block, scope, names, full)
    _count(scope, searching | running, INITIAL_MARK)


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
            # INITIAL runs once: all of NEURON's MAXITERS, as a loop
            derivimplicit(run_block, scope, states, STEADY_DT_IMPLICIT, mark=INITIAL_MARK, loop=(MAXITERS, True))
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
        derivimplicit(run_block, scope, states, dt)
