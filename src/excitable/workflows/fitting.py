"""Fit chosen parameters of a simulation to a recorded trace or to its features, by gradient descent.

The simulation is a pure function of its parameter pytree (``Simulation.parameters()``), so the loss
(a trace difference, spike times, a firing rate, the resting potential) is differentiated through the
whole run. Each free parameter is optimized in an unbounded coordinate
(``engine.grad.Bounds``: log-sigmoid for a range of positive values), with an optax optimizer (Adam
by default, or L-BFGS). The gradient is computed in forward mode for up to ``engine.grad.FORWARD_MAX``
free parameters (one tangent per parameter carried through the run: about 2x a forward run for two
parameters, and no stored states, so memory does not grow with simulated time), and in reverse
mode for more; long reverse-mode runs go through the time loop in checkpointed blocks (16 steps, at
most 4096 blocks: ``engine.grad.auto_checkpoint``), so the reverse pass stores one state per block
instead of one per step, and works in cache (2-3x faster for large batches). What remains linear in
time either way is the recorded trace itself (8 bytes per probe per sample), which the loss reads.

Example:
    >>> res = fit(sim, 40.0, {"HH.gNa": (50, 250), "HH.gK": (10, 80), "HH.gL": (0.05, 1)},
    ...           target=recorded_v, steps=300)
    >>> res.values                       # {"HH.gNa": 119.97, ...}
    >>> sim.run(40.0, params=res.params)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np

from excitable.engine import grad as G
from excitable.engine.batch import get_param, with_param
from excitable.errors import ModelError, SimulationError
from excitable.workflows.features import Features


#: checkpoint="auto" checkpoints runs of more than this many node-steps (about 40 MB of stored
#: states for HH in float64 without it).
AUTO_CHECKPOINT = 100_000


@dataclass
class FitResult:
    """What ``fit`` found.

    Attributes:
        values: parameter name -> fitted value (its unit: mS/cm2 for conductances, ...).
        loss: the loss at ``values`` (the lowest seen).
        history: the loss at every iteration.
        params: the full parameter pytree with the fitted values (``sim.run(tstop, params=...)``).
        gradient: d loss / d value at the start of the best iteration, per parameter.
        starts: with several starts, what each found (its start, its best values and loss), best
            first; ``history`` is then the best start's.
    """

    values: dict[str, float]
    loss: float
    history: np.ndarray
    params: dict
    gradient: dict[str, float] = field(default_factory=dict)
    #: with ``starts`` > 1: one (start values, best values, best loss) per start, best first.
    starts: list[tuple[dict[str, float], dict[str, float], float]] = field(default_factory=list)

    def __repr__(self) -> str:
        vals = ", ".join(f"{k}={v:.6g}" for k, v in self.values.items())
        return f"FitResult({vals}; loss={self.loss:.4g} after {len(self.history)} iterations)"


def loss_function(sim, tstop: float, names: Sequence[str], *, target=None, features: Features | None = None,
                  loss: Callable | None = None, probe: str = "v", params=None, stride: int = 1,
                  checkpoint: int | str = "auto", kernel: str = "scan") -> Callable:
    """The loss as a pure, differentiable function of the named parameters' values.

    Returns ``f(values: dict name -> value) -> scalar`` (works under jit and grad); see ``fit``
    for the arguments. ``f.params(values)`` gives the full parameter pytree for those values.
    kernel: "scan", or for a single compartment "fused"/"auto" (``Simulation.function``'s: the
    run in one fused kernel, on a GPU for "auto"; then forward-mode derivatives only).

    Example:
        >>> f = loss_function(sim, 30.0, ["HH.gNa"], target=v)
        >>> jax.grad(f)({"HH.gNa": 110.0})
    """
    from excitable.engine import run as engine

    if target is None and features is None and loss is None:
        raise ModelError("fit: give a target trace, features, or a loss function")
    if int(stride) != stride or stride < 1:
        raise ModelError(f"fit: stride must be a positive integer, got {stride!r}")
    base = sim.parameters() if params is None else params
    for name in names:
        if not _known(base, name):
            with_param(base, name, 0.0)  # raises a ModelError that lists the known names
    n_steps = sim.n_steps(tstop)
    if checkpoint == "auto":
        # Worth its ~3x cost in time (and compile time) once the stored states would be large.
        checkpoint = G.auto_checkpoint(n_steps) if n_steps * sim.plan.n > AUTO_CHECKPOINT else 0
    if kernel not in ("auto", "scan", "fused"):
        raise ModelError(f"fit: kernel must be 'auto', 'scan' or 'fused', got {kernel!r}")
    if kernel == "fused" and sim.plan.n != 1:
        raise ModelError("fit: kernel='fused' fits single compartments (cables and trees: 'scan')")
    # The engine's front door: the scan (reverse-mode checkpoints of ``checkpoint`` steps), or for
    # a single compartment on a GPU ("auto") or when asked ("fused") the fused kernel, a batch of one.
    recordings = engine.function(sim.run_spec(), tstop, params=base, stride=int(stride),
                                 checkpoint=int(checkpoint), kernel=kernel)
    labels = [p.label for p in sim.plan.probes]
    if probe not in labels and (features is not None or (target is not None and np.ndim(target) == 1)):
        raise ModelError(f"fit: probe {probe!r} is not recorded; recorded: {', '.join(labels) or 'none'}")
    col = labels.index(probe) if probe in labels else 0
    n_samples = n_steps // stride + 1
    dt_s = sim.dt * stride
    t = np.arange(n_samples) * dt_s
    tgt = None if target is None else _target(target, probe, n_samples, len(labels), dt_s)

    def apply(values):
        p = base
        for name in names:
            p = with_param(p, name, values[name] * jnp.ones_like(get_param(base, name)))
        return p

    def f(values):
        rec = recordings(apply(values))
        total = 0.0
        if tgt is not None:
            total = total + G.mse(rec if tgt.ndim == 2 else rec[:, col], tgt)
        if features is not None:
            total = total + features.loss(rec[:, col], dt_s)
        if loss is not None:
            total = total + loss(rec, t)
        return total

    f.params = apply
    f.base = base
    return f


def fit(sim, tstop: float, free: Mapping[str, object], *, target=None, features: Features | None = None,
        loss: Callable | None = None, probe: str = "v", init: Mapping[str, float] | None = None,
        params=None, steps: int = 300, optimizer="adam", learning_rate: float = 0.05, stride: int = 1,
        checkpoint: int | str = "auto", tolerance: float = 0.0, callback: Callable | None = None,
        starts: int = 1, seed: int = 0, gradient: str = "auto", kernel: str = "scan") -> FitResult:
    """Adjust the parameters named in ``free`` so the simulation matches a recording or features.

    Args:
        sim: the Simulation (its stimuli and recordings define the experiment).
        tstop: simulated time, ms.
        free: parameter name ("HH.gNa", "Leak.g", "cm", ...) -> bounds ``(lower, upper)``, a
            ``Bounds`` or None. Each is fitted as one value, uniform over the sites where the
            mechanism sits.
        target: the recording to match: samples of ``probe`` (n_samples,) or all the recorded
            probes (n_samples, n_probes), at the simulation's dt times ``stride``, from t = 0
            (a ``Result`` works too: a sweep sampled at another rate, such as
            ``excitable.io.nwb.read_sweep(path, sweep)``, is interpolated onto those times).
            Loss term: mean squared difference, mV2.
        features: a ``Features`` to match (on ``probe``).
        loss: a custom term ``loss(recordings (n_samples, n_probes), t (n_samples,) ms) -> scalar``.
        init: starting values (default: the values in ``params``); each strictly inside its bounds.
        params: the parameter pytree to start from (default ``sim.parameters()``).
        steps: optimizer iterations.
        optimizer: "adam" (gradient descent with momentum; robust, also for spike-feature losses),
            "lbfgs" (quasi-Newton with a line search: converges in tens of iterations on smooth
            trace losses), or any optax GradientTransformation.
        learning_rate: Adam's step, in the unbounded coordinates (about a relative change).
        checkpoint: steps per checkpointed block of a reverse-mode gradient; 0: none; "auto":
            ``engine.grad.auto_checkpoint`` (blocks of 16 steps, at most 4096 blocks) once
            n_steps x n_nodes exceeds ``AUTO_CHECKPOINT``, none for shorter runs or forward mode.
        tolerance: stop once the loss is at or below this.
        callback: called as ``callback(iteration, loss, values)`` after each iteration (with
            several starts: ``loss`` and ``values`` of the best start so far).
        starts: optimize from this many starting points at once (one ``vmap``-ed run of the
            optimizer: the simulations of all starts share each step). The first start is ``init``
            (or ``params``' values); the others are drawn from ``seed``: uniformly on each
            parameter's scale (log-uniformly for log-scaled bounds) over the central 96 % of a
            two-sided range, or the first start plus a standard normal step in the unbounded
            coordinate for open bounds. Loss landscapes of spiking models have local minima;
            several starts find the global one more often than one does.
        seed: random seed of the drawn starts.
        gradient: "forward", "reverse" or "auto" (forward mode for at most
            ``engine.grad.FORWARD_MAX`` free parameters): how d loss / d parameters is computed
            (``engine.grad.value_and_grad``); the values are the same to rounding.
        kernel: "scan" (default), "auto" (with a forward-mode gradient, a single compartment on
            a GPU runs in the fused kernel, its tangents inside it: ``engine.kernels.single.fused_function``;
            the scan otherwise) or "fused" (forward mode and single compartments only; Pallas'
            interpreter off a GPU). Not the default while the kernel is untried on GPUs: a
            kernel that fails to build there stops the fit (``run_batch`` falls back to the scan).

    Returns:
        FitResult with the best values seen (over all starts).
    """
    _check_request(free, steps, starts, gradient, kernel)
    bounds = {name: G.Bounds.of(spec) for name, spec in free.items()}
    forward = gradient == "forward" or (gradient == "auto" and len(bounds) <= G.FORWARD_MAX)
    if forward and checkpoint == "auto":
        checkpoint = 0  # forward mode stores no states: nothing to checkpoint
    if kernel == "fused" and not forward:
        raise ModelError("fit: kernel='fused' needs a forward-mode gradient (gradient='forward')")
    f = loss_function(sim, tstop, list(bounds), target=target, features=features, loss=loss, probe=probe,
                      params=params, stride=stride, checkpoint=checkpoint, kernel=kernel if forward else "scan")
    start = _unbounded_start(bounds, init, f.base)

    def objective(u):  # the loss of a point in the unbounded coordinates
        return f({k: b.to_bounded(u[k]) for k, b in bounds.items()})

    if forward:  # every gradient of it (ours, and the line search's in L-BFGS) in forward mode
        objective = G.forward_differentiated(objective)
    search = _descend(objective, _optimizer(optimizer, learning_rate), start, bounds, steps=int(steps),
                      starts=starts, seed=seed, tolerance=tolerance, callback=callback)
    return _result(search, bounds, f.params)


def _check_request(free, steps, starts, gradient, kernel) -> None:
    """One-line ModelErrors for the arguments of ``fit`` that need no simulation to judge."""
    if not free:
        raise ModelError("fit: name at least one free parameter")
    if int(steps) != steps or steps < 1:
        raise ModelError(f"fit: steps must be a positive integer, got {steps!r}")
    if isinstance(starts, bool) or not isinstance(starts, int) or starts < 1:
        raise ModelError(f"fit: starts must be a positive integer, got {starts!r}")
    if gradient not in G.GRADIENT_MODES:
        raise ModelError(f"fit: gradient must be one of {', '.join(G.GRADIENT_MODES)}, got {gradient!r}")
    if kernel not in ("auto", "scan", "fused"):
        raise ModelError(f"fit: kernel must be 'auto', 'scan' or 'fused', got {kernel!r}")


def _unbounded_start(bounds, init, base) -> dict[str, float]:
    """The first start in the unbounded coordinates: ``init``'s values, else the mean of each
    parameter over its sites in ``base``; each must lie strictly inside its bounds."""
    start = {}
    for name, b in bounds.items():
        value = (init or {}).get(name, float(np.mean(np.asarray(get_param(base, name)))))
        if not b.contains(value):
            raise ModelError(f"fit: the start value of {name} ({value:g}) must lie inside {b}")
        start[name] = b.to_unbounded(float(value))
    return start


@dataclass
class _Search:
    """Where the descent went: per start (leading axis when ``starts`` > 1) its first point, its
    best point (unbounded coordinates), the gradient there and its loss; the loss of every iteration."""

    starts: int
    first_u: dict
    best_u: dict
    best_g: dict
    best_value: np.ndarray
    history: list


def _descend(objective, opt, start, bounds, *, steps, starts, seed, tolerance, callback) -> _Search:
    """Run ``steps`` updates of ``opt`` on ``objective`` from ``start`` (and ``starts`` - 1 drawn
    points, all in one vmapped update), keeping each start's best point; stop early at ``tolerance``."""
    import optax

    def one_update(u, state):
        value, g = jax.value_and_grad(objective)(u)
        updates, state = opt.update(g, state, u, value=value, grad=g, value_fn=objective)
        return optax.apply_updates(u, updates), state, value, g

    u = {k: jnp.asarray(v) for k, v in start.items()}
    if starts > 1:  # every start in one vmapped update: the simulations run as one batch
        u, update, init_state = _draw_starts(bounds, u, starts, seed), jax.jit(jax.vmap(one_update)), \
            jax.vmap(opt.init)
    else:
        update, init_state = jax.jit(one_update), opt.init
    # Strong types from the start, so the state after one update has the same types (no retrace).
    state = jax.tree.map(lambda x: jnp.asarray(x, dtype=jnp.result_type(x)), init_state(u))
    search = _Search(starts, first_u=u, best_u=u, best_g=jax.tree.map(jnp.zeros_like, u),
                     best_value=np.full(starts, math.inf), history=[])
    for i in range(steps):
        new_u, state, value, g = update(u, state)
        value = np.atleast_1d(np.asarray(value, dtype=float))
        live = np.isfinite(value)
        if not live.any():
            raise SimulationError(f"fit: the loss became {value[0]} at iteration {i}; lower the learning "
                                  f"rate or narrow the bounds")
        search.history.append(value)
        better = live & (value < search.best_value)
        search.best_value = np.where(better, value, search.best_value)
        pick = (lambda new, old: jnp.where(better, new, old)) if starts > 1 else \
            (lambda new, old: new if better[0] else old)
        search.best_u = jax.tree.map(pick, u, search.best_u)
        search.best_g = jax.tree.map(pick, g, search.best_g)
        if callback is not None:
            k = int(np.argmin(search.best_value))
            callback(i, float(search.best_value[k]), _values(bounds, _row(search.best_u, k, starts)))
        if search.best_value.min() <= tolerance:
            break
        u = new_u
    return search


def _result(search: _Search, bounds, full_params: Callable) -> FitResult:
    """The best start's values, loss, history and gradient (in the parameters' own units), and
    with several starts what each found, best first."""
    starts, best_value = search.starts, search.best_value
    k = int(np.argmin(best_value))
    u, g = _row(search.best_u, k, starts), _row(search.best_g, k, starts)
    values = _values(bounds, u)
    # d loss / d x = (d loss / d u) / (dx / du)
    dxdu = {name: float(jax.grad(b.to_bounded)(u[name])) for name, b in bounds.items()}
    gradient = {name: float(g[name]) / dxdu[name] if dxdu[name] else math.nan for name in bounds}
    order = np.argsort(best_value)
    found = [(_values(bounds, _row(search.first_u, j, starts)),
              _values(bounds, _row(search.best_u, j, starts)), float(best_value[j]))
             for j in order] if starts > 1 else []
    return FitResult(values=values, loss=float(best_value[k]), history=np.asarray(search.history)[:, k],
                     params=full_params(values), gradient=gradient, starts=found)


def _draw_starts(bounds, u, n: int, seed: int):
    """``n`` starting points (leading axis): ``u``, then n - 1 drawn. Within two-sided bounds:
    uniformly on the parameter's scale (log-uniform for a log scale) over the central 96 % of the
    range (the transform saturates at the edges); otherwise ``u`` + N(0, 1) in the unbounded
    coordinate (about a factor e either way on a log scale)."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, b in bounds.items():
        if math.isfinite(b.lower) and math.isfinite(b.upper):
            frac = rng.uniform(0.02, 0.98, n - 1)
            drawn = np.log(frac) - np.log1p(-frac)  # the sigmoid's inverse: u for that fraction
        else:
            drawn = float(u[name]) + rng.standard_normal(n - 1)
        out[name] = jnp.concatenate([jnp.atleast_1d(u[name]), jnp.asarray(drawn, dtype=u[name].dtype)])
    return out


def _row(tree, k: int, starts: int):
    return tree if starts == 1 else jax.tree.map(lambda x: x[k], tree)


def _optimizer(spec, learning_rate):
    import optax

    if spec == "adam":
        return optax.adam(learning_rate)
    if spec == "lbfgs":
        return optax.lbfgs()
    if isinstance(spec, str) or not hasattr(spec, "update"):
        raise ModelError(f"fit: optimizer must be 'adam', 'lbfgs' or an optax transformation, got {spec!r}")
    return spec


def _known(params, name) -> bool:
    try:
        get_param(params, name)
        return True
    except (KeyError, AttributeError):
        return False


def _values(bounds, u) -> dict[str, float]:
    return {k: float(b.to_bounded(u[k])) for k, b in bounds.items()}


def _target(target, probe, n_samples, n_probes, dt_s):
    from excitable.results import Result

    if isinstance(target, Result):
        target = _on_grid(target, probe, n_samples, dt_s)
    tgt = np.asarray(target, dtype=float)
    want = (n_samples,) if tgt.ndim == 1 else (n_samples, n_probes)
    if tgt.shape != want or not np.all(np.isfinite(tgt)):
        raise ModelError(f"fit: target must be finite with shape {want} (the recorded samples), "
                         f"got shape {tgt.shape}")
    return jnp.asarray(tgt)


def _on_grid(result, probe, n_samples, dt_s):
    """A Result's ``probe`` at the simulation's sample times (0, dt_s, ...): as it is when it was
    sampled there, else linearly interpolated (a sweep recorded at 10 kHz for dt = 0.025 ms)."""
    t, y = np.asarray(result.t, dtype=float), np.asarray(result[probe], dtype=float)
    grid = np.arange(n_samples) * dt_s
    if y.ndim != 1 or len(t) < 2 or (len(t) == n_samples and np.allclose(np.diff(t), dt_s, rtol=1e-9)):
        return y  # sampled as the simulation is (or not a single trace: _target says what is wrong)
    if t[0] > 1e-9 * dt_s or t[-1] < grid[-1] * (1 - 1e-12):
        raise ModelError(f"fit: the target covers {t[0]:g}-{t[-1]:g} ms; the simulation's samples "
                         f"need 0-{grid[-1]:g} ms")
    return np.interp(grid, t, y)
