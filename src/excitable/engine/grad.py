"""Helpers for gradients and fitting: parameter transforms, differentiable losses, precision.

Optimizers work best on unconstrained numbers, while conductances must stay positive and usually
within a plausible range. ``Bounds`` maps a bounded parameter x to an unbounded u and back:

- finite lower and upper, ``scale="log"`` (default when lower > 0):
  log x = log lo + (log hi - log lo) sigmoid(u), so a step in u is a relative change of x;
- finite lower and upper, ``scale="linear"``: x = lo + (hi - lo) sigmoid(u);
- lower only: x = lo + exp(u) (log scale) or lo + softplus(u) (linear scale);
- no bounds: x = u.

The losses are pure ``jax.numpy`` functions of recorded samples, so ``jax.grad`` goes through them
and through the simulation: ``mse`` for traces; ``crossing_times`` (threshold crossings interpolated
between samples: differentiable in V, while which samples bracket a crossing is not), ``soft_count``
(a smooth spike count, so a missing or extra spike still has a gradient) and ``window_mean`` for
features (spike times, rates, resting potential).

``value_and_grad`` differentiates in forward mode when there are few parameters (one tangent per
parameter carried through the run beside it: memory that does not grow with simulated time, no
checkpoints, 2-3x the forward's cost for two parameters) and in reverse mode otherwise.

Example:
    >>> b = Bounds(10.0, 500.0)
    >>> round(float(b.to_bounded(b.to_unbounded(120.0))), 9)
    120.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from excitable import backends  # noqa: F401  (float64 + compilation cache)
from excitable.errors import ModelError


@dataclass(frozen=True)
class Bounds:
    """Allowed range of one parameter, in its own unit; ``None`` or +-inf for an open side."""

    lower: float | None = None
    upper: float | None = None
    scale: str | None = None  # "log" or "linear"; default: log when lower > 0

    def __post_init__(self):
        lo = -math.inf if self.lower is None else float(self.lower)
        hi = math.inf if self.upper is None else float(self.upper)
        if math.isnan(lo) or math.isnan(hi) or not lo < hi:
            raise ModelError(f"bounds must satisfy lower < upper, got ({self.lower!r}, {self.upper!r})")
        scale = self.scale or ("log" if lo > 0 else "linear")
        if scale not in ("log", "linear"):
            raise ModelError(f"bounds scale must be 'log' or 'linear', got {self.scale!r}")
        if scale == "log" and math.isfinite(lo) and math.isfinite(hi) and not lo > 0:
            raise ModelError(f"log-scaled bounds need lower > 0, got {self.lower!r}")
        object.__setattr__(self, "lower", lo)
        object.__setattr__(self, "upper", hi)
        object.__setattr__(self, "scale", scale)

    @classmethod
    def of(cls, spec) -> Bounds:
        """A Bounds from a Bounds, a ``(lower, upper)`` pair or None (unbounded)."""
        if isinstance(spec, Bounds):
            return spec
        if spec is None:
            return cls()
        try:
            lo, hi = spec
        except (TypeError, ValueError):
            raise ModelError(f"bounds must be (lower, upper), got {spec!r}") from None
        return cls(lo, hi)

    def contains(self, x) -> bool:
        """True if every value of ``x`` lies strictly inside the bounds (where u is finite)."""
        x = np.asarray(x, dtype=float)
        return bool(np.all(x > self.lower) and np.all(x < self.upper))

    def to_bounded(self, u):
        """x from the unconstrained u (works under jit/grad)."""
        lo, hi = self.lower, self.upper
        if math.isfinite(lo) and math.isfinite(hi):
            s = jax.nn.sigmoid(u)
            if self.scale == "log":
                return jnp.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * s)
            return lo + (hi - lo) * s
        if math.isfinite(lo):
            return lo + (jnp.exp(u) if self.scale == "log" else jax.nn.softplus(u))
        if math.isfinite(hi):
            return hi - (jnp.exp(u) if self.scale == "log" else jax.nn.softplus(u))
        return u

    def to_unbounded(self, x):
        """The inverse of ``to_bounded``; ``x`` must lie strictly inside the bounds."""
        x = jnp.asarray(x, dtype=float)
        lo, hi = self.lower, self.upper
        if math.isfinite(lo) and math.isfinite(hi):
            if self.scale == "log":
                s = (jnp.log(x) - math.log(lo)) / (math.log(hi) - math.log(lo))
            else:
                s = (x - lo) / (hi - lo)
            return jnp.log(s) - jnp.log1p(-s)
        if math.isfinite(lo) or math.isfinite(hi):
            d = x - lo if math.isfinite(lo) else hi - x
            return jnp.log(d) if self.scale == "log" else d + jnp.log(-jnp.expm1(-d))  # softplus^-1
        return x

    def __repr__(self) -> str:
        return f"Bounds({self.lower:g}, {self.upper:g}, scale={self.scale!r})"


def astype(params, dtype):
    """``params`` with every floating-point leaf cast to ``dtype`` (e.g. ``jnp.float32``).

    The engine runs in the parameters' precision: float32 parameters give a float32 run (state and
    stimuli in float32, and so are the recordings). On HH the
    spike times agree with float64 to within one step (tested over 1 s of repetitive firing).
    """
    def cast(x):
        x = jnp.asarray(x)
        return x.astype(dtype) if jnp.issubdtype(x.dtype, jnp.floating) else x

    return jax.tree.map(cast, params)


# --- losses --------------------------------------------------------------------------------------
def mse(x, target, weights=None):
    """Mean squared difference (units of x squared); ``weights`` broadcast against x."""
    d = (x - target) ** 2
    return jnp.mean(d if weights is None else weights * d)


def crossing_times(v, dt: float, threshold: float = 0.0, max_count: int = 64, t0: float = 0.0):
    """Upward crossings of ``threshold`` by the samples ``v`` (spaced ``dt`` ms, first at ``t0``).

    Each crossing time is interpolated linearly between the two samples that bracket it, so it is a
    smooth function of those samples. Returns (times (max_count,) ms, valid (max_count,) bool);
    entries past the number of crossings are invalid (and 0).
    """
    v = jnp.asarray(v)
    up = (v[:-1] < threshold) & (v[1:] >= threshold)
    (k,) = jnp.nonzero(up, size=max_count, fill_value=0)
    valid = jnp.arange(max_count) < jnp.sum(up)
    a, b = v[k], v[k + 1]
    frac = (threshold - a) / jnp.where(valid, b - a, 1.0)
    return jnp.where(valid, t0 + (k + frac) * dt, 0.0), valid


def soft_count(v, threshold: float = 0.0, width_mV: float = 2.0):
    """A smooth count of upward threshold crossings: the rises of sigmoid((v - threshold) / width),
    summed. Equals the crossing count when every excursion goes well past the threshold."""
    s = jax.nn.sigmoid((jnp.asarray(v) - threshold) / width_mV)
    return jnp.sum(jnp.maximum(s[1:] - s[:-1], 0.0))


def window_mean(v, dt: float, window_ms: tuple[float, float], t0: float = 0.0):
    """Mean of the samples whose times fall in [start, stop) ms (e.g. the resting potential)."""
    t = t0 + dt * np.arange(np.shape(v)[0])
    w = (t >= window_ms[0]) & (t < window_ms[1])
    if not w.any():
        raise ModelError(f"window {window_ms} ms contains no samples")
    return jnp.sum(jnp.where(w, v, 0.0)) / w.sum()


def spike_time_loss(times, valid, target_ms, miss_ms: float = 10.0):
    """Mean squared difference (ms2) between the first spikes and the target spike times, pair by
    pair; each spike too many or too few costs ``miss_ms`` squared (no gradient: add ``soft_count``
    to the loss for one)."""
    target = np.asarray(target_ms, dtype=float).ravel()
    n = len(target)
    m = min(n, times.shape[0])
    if n == 0:
        return miss_ms ** 2 * jnp.sum(valid)
    pad = jnp.zeros(times.shape[0]).at[:m].set(target[:m])
    want = jnp.arange(times.shape[0]) < n
    both = valid & want
    err = jnp.sum(jnp.where(both, (times - pad) ** 2, 0.0))
    unmatched = jnp.sum(valid ^ want)
    return (err + miss_ms ** 2 * unmatched) / max(n, 1)


#: The block "auto" checkpointing uses at least, in steps: the reverse pass of a block then works
#: in cache. Measured on HH, 1000 cells x 4000 steps, gradient / forward time: 11x without
#: checkpoints, 4.0-4.8x with blocks of 8-16 steps, 5.8-7.1x with 32-63 (sqrt(n_steps)).
CHECKPOINT_BLOCK = 16
#: ... and at most this many blocks (stored states), so memory stays bounded for long runs.
CHECKPOINT_MAX_BLOCKS = 4096


def auto_checkpoint(n_steps: int) -> int:
    """Steps per checkpointed block for ``checkpoint="auto"``: ``CHECKPOINT_BLOCK``, or longer
    blocks when a run has more than ``CHECKPOINT_MAX_BLOCKS`` of them. The reverse pass then stores
    at most ~4096 states plus one block's steps, and recomputes each block once (~1 forward)."""
    return max(CHECKPOINT_BLOCK, -(-int(n_steps) // CHECKPOINT_MAX_BLOCKS))


#: ``value_and_grad(mode="auto")`` uses forward mode up to this many scalar parameters (per item of a
#: ``vmap``). Measured gradient / forward time, HH, float64, 2-core CPU, 1000 cells x 4000 steps with
#: k per-cell parameters: forward mode 1.7x / 2.4x / 3.8x / 4.3x / 7.1x for k = 1 / 2 / 4 / 6 / 8,
#: reverse mode with 16-step checkpoints 4.6x / 5.3x / 6.7x / 5.6x / 7.4x; one cell (1200 steps,
#: 1-7 parameters): forward mode 2-4x faster than reverse at every count. Forward mode's cost grows
#: by about 0.5-0.8 forward runs per parameter, reverse mode's hardly at all.
FORWARD_MAX = 8

GRADIENT_MODES = ("auto", "forward", "reverse")


def value_and_grad(fun, *, mode: str = "auto", batched: bool = False, vectorized: bool = False,
                   max_forward: int = FORWARD_MAX):
    """``jax.value_and_grad`` of a scalar function of a pytree of float parameters, in forward or
    reverse mode; with ``batched``, of each item of a batch.

    Forward mode pushes one tangent per scalar parameter through the computation alongside the
    values (the tangents ``vmap``-ed, so the simulation runs once): its cost is about one forward
    run per parameter on top of the run itself, and its memory does not grow with the simulated
    time (no states are stored for a reverse pass, so no checkpoints are needed). Reverse mode
    (``jax.value_and_grad``) costs a few forward runs whatever the number of parameters, and
    stores the run's states (checkpointed blocks, ``Simulation.function(checkpoint=...)``).

    Args:
        fun: ``fun(x) -> scalar``, x a pytree of float arrays (with ``batched``: one item's).
        mode: "forward", "reverse", or "auto": forward for at most ``max_forward`` scalars in x
            (in one item's x with ``batched``).
        batched: the returned function takes x with a leading batch axis on every leaf (e.g. one
            row per cell of ``Simulation.run_batch``) and returns every item's value (B,) and
            gradient (leading axis B). Items are independent, so forward mode carries only one
            item's parameters as tangents, whatever the batch size. Prefer this to
            ``jax.vmap(value_and_grad(fun))``: it puts the tangent axis outside the batch axis,
            so the batch stays the contiguous axis that vector instructions run along (about 1.5x
            faster for 1000 cells on a CPU).
        vectorized: with ``batched``, ``fun`` takes the whole batch and returns every item's value
            (B,), item b depending on item b's parameters only (not checked): for functions that
            are batched already, such as ``Simulation.function(batched=True, kernel="fused")``,
            whose kernel takes the batch in one call.

    Returns:
        ``f(x) -> (value, gradient)``, the gradient with x's structure.
    """
    from jax.flatten_util import ravel_pytree

    if mode not in GRADIENT_MODES:
        raise ModelError(f"gradient mode must be one of {', '.join(GRADIENT_MODES)}, got {mode!r}")

    if vectorized and not batched:
        raise ModelError("value_and_grad: vectorized=True needs batched=True")
    per_batch = fun if vectorized else jax.vmap(fun)

    def value_and_gradient(x):
        one = jax.tree.map(lambda a: a[0], x) if batched else x
        flat, unravel = ravel_pytree(one)
        if mode == "reverse" or (mode == "auto" and flat.size > max_forward):
            if not batched:
                return jax.value_and_grad(fun)(x)
            (_, values), grads = jax.value_and_grad(lambda y: _summed(per_batch(y)), has_aux=True)(x)
            return values, grads
        if batched:
            flat = jax.vmap(lambda item: ravel_pytree(item)[0])(x)  # (B, k)

            def of_flat(y):
                return per_batch(jax.vmap(unravel)(y))
            basis = jnp.broadcast_to(jnp.eye(flat.shape[1], dtype=flat.dtype)[:, None, :], (flat.shape[1], *flat.shape))
        else:
            def of_flat(y):
                return fun(unravel(y))
            basis = jnp.eye(flat.size, dtype=flat.dtype)

        def along(tangent):
            return jax.jvp(of_flat, (flat,), (tangent,))

        # The values batched too: a kernel's derivative rule (kernels.single) computes them in the
        # same vmapped call as the slopes; they are the same along every tangent.
        values, slopes = jax.vmap(along)(basis)  # slopes: (k,) or (k, B)
        value = values[0]
        return value, (jax.vmap(unravel)(slopes.T) if batched else unravel(slopes))

    return value_and_gradient


def _summed(values):
    return values.sum(), values


def forward_differentiated(fun):
    """``fun`` (scalar of a pytree of float parameters) whose reverse-mode derivative is computed
    in forward mode: ``jax.grad`` of the result (by us, a user or a library such as optax's line
    searches, which call ``jax.value_and_grad`` themselves) runs ``value_and_grad(fun,
    mode="forward")`` and scales the gradient by the incoming cotangent. Worth it for few
    parameters (``FORWARD_MAX``); higher derivatives are not supported."""

    @jax.custom_vjp
    def wrapped(x):
        return fun(x)

    def forward_pass(x):
        return value_and_grad(fun, mode="forward")(x)

    def backward_pass(gradient, cotangent):
        return (jax.tree.map(lambda g: cotangent * g, gradient),)

    wrapped.defvjp(forward_pass, backward_pass)
    return wrapped
