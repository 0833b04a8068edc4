"""simulate(plan, params, drive, dt): the time loop (``lax.scan``) with recording, jitted and cached.

The compiled function depends only on the plan's structure, dt, the number of steps and the method;
parameters and stimulus waveforms are arguments, so a sweep over amplitudes or conductances (or a
``vmap`` over them) does not compile again. Compiled programs also persist across processes through
JAX's compilation cache (see ``backends``).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from excitable.engine.plan import Plan, Probe
from excitable.engine.stepping import advance_gates, step
from excitable.errors import SimulationError

#: |V| above this (mV) is taken as a numerical blow-up.
RUNAWAY_MV = 1e4


def initial_state(plan: Plan, params):
    """V = v_init everywhere and each gate at its steady state there (NEURON's ``finitialize``)."""
    v = jnp.broadcast_to(jnp.asarray(params["v_init"], dtype=float), (plan.n,))
    states = {}
    for pl in plan.placements:
        chan = params["channels"][pl.name]
        states[pl.name] = chan.steady_state(v[pl.sites], params["celsius"])
    return v, states


def _probe_value(plan: Plan, params, probe: Probe, v, v_old, states, states_old, extras, dt):
    node = probe.node
    kind = probe.kind
    if kind == "v":
        return v[node]
    if kind == "v_all":
        return v
    if kind == "i_ion":
        return extras["i_ion"][node]
    if kind == "i_cap":  # C dV/dt, uA/cm2
        return params["cm"][node] * (v[node] - v_old[node]) / dt
    if kind == "iclamp":
        return extras["iclamp"][probe.index]
    if kind == "vclamp":
        return extras["vclamp"][probe.index]
    k = plan.site_index(probe.mechanism, node)
    chan = jax.tree.map(lambda a: a[k], params["channels"][probe.mechanism])
    s = {name: x[k] for name, x in states[probe.mechanism].items()}
    if kind == "state":
        return s[probe.field]
    # Currents and conductances as the step used them: new V, gates from the start of the step,
    # so the channel currents add up to i_ion exactly.
    s_old = {name: x[k] for name, x in states_old[probe.mechanism].items()}
    if kind == "current":
        return chan.currents(v[node], s_old)[probe.field]
    if kind == "conductance":
        return chan.conductances(s_old)[probe.field]
    raise ValueError(f"unknown probe kind {kind!r}")


def record(plan: Plan, params, v, v_old, states, states_old, extras, dt):
    """The probes' values after a step, concatenated: shape (sum of probe widths,)."""
    if not plan.probes:
        return jnp.zeros(0)
    return jnp.concatenate([
        jnp.atleast_1d(jnp.asarray(_probe_value(plan, params, p, v, v_old, states, states_old, extras, dt),
                                   dtype=float))
        for p in plan.probes
    ])


def run_scan(plan: Plan, params, drive, *, dt: float, theta: float = 1.0, stride: int = 1):
    """Pure function: run ``len(drive)`` steps from the initial state, return recordings.

    Args:
        drive: dict of (n_steps, k) arrays ("iclamp", "vclamp_cmd", "vclamp_on") at mid-step times.
        stride: keep every ``stride``-th sample (memory for long runs).

    Returns:
        (n_steps // stride + 1, n_probes) array of recordings (first row: t = 0), and the final state.
    """
    v0, s0 = initial_state(plan, params)
    zero_extras = {"i_ion": membrane_at_rest(plan, params, v0, s0),
                   "iclamp": jnp.zeros(len(plan.iclamp_nodes)),
                   "vclamp": jnp.zeros(len(plan.vclamp_nodes))}
    first = record(plan, params, v0, v0, s0, s0, zero_extras, dt)
    n_steps = next(iter(drive.values())).shape[0]

    def body(carry, xs):
        v, s = carry
        v_new, s_new, extras = step(plan, params, v, s, xs, dt, theta)
        return (v_new, s_new), record(plan, params, v_new, v, s_new, s, extras, dt)

    def chunk(carry, xs):
        carry, rec = jax.lax.scan(body, carry, xs)
        return carry, rec[-1]

    if stride == 1:
        final, recs = jax.lax.scan(body, (v0, s0), drive)
    else:
        n_chunks = n_steps // stride
        chunked = jax.tree.map(lambda a: a[: n_chunks * stride].reshape(n_chunks, stride, *a.shape[1:]),
                               drive)
        final, recs = jax.lax.scan(chunk, (v0, s0), chunked)
    return jnp.concatenate([first[None, :], recs], axis=0), final


def membrane_at_rest(plan, params, v, s):
    from excitable.engine.stepping import membrane

    return membrane(plan, params, v, s)[0]


_COMPILED: dict[tuple, Any] = {}


def compiled_runner(plan: Plan, *, dt: float, theta: float = 1.0, stride: int = 1, batched: bool = False):
    """A jitted ``(params, drive) -> (recordings, final_state)`` for this plan's structure (cached)."""
    key = (plan.key(), float(dt), float(theta), int(stride), batched)
    fn = _COMPILED.get(key)
    if fn is None:
        f = partial(run_scan, plan, dt=dt, theta=theta, stride=stride)
        if batched:
            f = jax.vmap(f, in_axes=(0, None))
        fn = jax.jit(f)
        _COMPILED[key] = fn
    return fn


def check_finite(recordings: np.ndarray, final_v: np.ndarray, dt: float, stride: int = 1) -> None:
    """Raise SimulationError if the run blew up (NaN, inf, or |V| > 1e4 mV)."""
    bad_final = ~np.isfinite(final_v) | (np.abs(final_v) > RUNAWAY_MV)
    bad_rec = ~np.isfinite(recordings)
    if bad_rec.any() or bad_final.any():
        rows = np.nonzero(bad_rec.reshape(bad_rec.shape[0], -1).any(axis=1))[0]
        when = f" from t = {rows[0] * stride * dt:g} ms" if len(rows) else ""
        raise SimulationError(
            f"simulation became numerically unstable{when} (NaN or |V| > {RUNAWAY_MV:g} mV); "
            f"reduce dt (now {dt:g} ms) or check the parameters")


def resting_potential(plan: Plan, params, *, guess: float = -65.0, iterations: int = 60):
    """Per-node V (mV) where the steady-state membrane current is zero, by Newton's method.

    Each node is solved on its own (axial currents ignored), which is exact for a single compartment
    and for uniform cells; a non-uniform cell then settles the rest of the way when it runs.
    """

    def i_ss(v):
        i = jnp.zeros_like(v)
        for pl in plan.placements:
            chan = params["channels"][pl.name]
            vs = v[pl.sites]
            s = chan.steady_state(vs, params["celsius"])
            i = i.at[pl.sites].add(sum(chan.currents(vs, s).values()))
        return i

    @jax.jit
    def solve(v):
        def newton(_, v):
            i, di = jax.jvp(i_ss, (v,), (jnp.ones_like(v),))
            step = jnp.where(di > 1e-12, i / jnp.where(di > 1e-12, di, 1.0), 0.0)
            return v - jnp.clip(step, -10.0, 10.0)

        return jax.lax.fori_loop(0, iterations, newton, v)

    return solve(jnp.full(plan.n, guess, dtype=float))
