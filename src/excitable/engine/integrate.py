"""The ``lax.scan`` time loop with recording (``run_scan``), jitted and cached (``compiled_runner``).

The compiled function depends only on the plan's structure, dt, the number of steps and the method;
parameters and stimulus waveforms are arguments, so a sweep over amplitudes or conductances (or a
``vmap`` over them) does not compile again. Compiled programs also persist across processes through
JAX's compilation cache (see ``backends``).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from excitable.engine.compiled import CompiledFunctions
from excitable.engine.ions import initial_pools
from excitable.engine.noise import attach, draws, keys
from excitable.engine.plan import Plan, Probe
from excitable.engine.pointers import with_pointers
from excitable.engine.stepping import _at, ion_pool_values, mechanisms, membrane, receive_events, step, with_ions
from excitable.engine.writers import in_neuron_order, written_pools
from excitable.engine.synapses import at_finitialize, initial_synapses, netcon_states
from excitable.units import DENSITY_TO_PER_UM2

#: Newton iterations for the resting potential (quadratic convergence: far more than enough).
REST_ITERATIONS = 60


def initial_state(plan: Plan, params):
    """V = v_init everywhere and each state at its steady state there (NEURON's ``finitialize``)."""
    # The state takes the parameters' precision (float32 parameters -> a float32 run).
    v = jnp.broadcast_to(jnp.asarray(params["v_init"], dtype=jnp.result_type(params["cm"])), (plan.n,))
    if plan.rest_init:
        v = _newton_rest(plan, params, v, REST_ITERATIONS)
    ions = initial_pools(plan.pools, params, plan.n)
    pools = ion_pool_values(plan, params, ions)
    chan = {}
    drawn = keys(plan, params) if draws(plan, params) else {}  # INITIAL's random draws (engine.noise)
    order = in_neuron_order(plan, params)  # NEURON's: the concentration writers first
    n_writers = sum(1 for _, writes in order if writes)
    for k, (pl, _) in enumerate(order):
        if k and k == n_writers:
            # The writers' INITIAL blocks have run: the others read the concentrations they set,
            # and the reversal potential by Nernst from them (a writer's nrn_init ends with
            # nrn_wrote_conc, which recomputes eca at once; its nrn_state does not: writers.py).
            pools = written_pools(plan, params, chan, pools)
        mech = with_pointers(plan, pl, with_ions(plan, params, pl, params["channels"][pl.name], pools), v)
        chan[pl.name] = mech.steady_state(_at(plan, pl, v), params["celsius"],
                                          **({"keys": drawn[pl.name]} if pl.name in drawn else {}))
    n_sites = {pl.name: len(pl.sites) for pl in plan.placements}
    chan = netcon_states(plan.connections, params, chan, n_sites)  # NET_RECEIVE's per-NetCon arguments
    lanes = frozenset(pl.name for pl in plan.placements if hasattr(type(params["channels"][pl.name]), "on_step"))
    syn = initial_synapses(plan.connections, n_sites, params["seed"], lanes, v.dtype)
    return {"v": v, "chan": chan, "ions": ions, "syn": syn}


def probe_value(plan: Plan, params, probe: Probe, new, old, extras, dt):
    """One probe's value after a step, from the new and old states and the step's extras (the
    definitions every kernel records by: ``kernels.single`` calls it, the tree kernels mirror it)."""
    v, v_old = new["v"], old["v"]
    node, kind = probe.node, probe.kind
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
    if kind in ("ci", "co"):
        return new["ions"][probe.field][kind][node]
    if kind == "transmitter":
        return extras["T"][probe.mechanism][probe.index]
    k = probe.index if probe.index >= 0 else plan.site_index(probe.mechanism, node)
    if kind == "state":
        x = new["chan"][probe.mechanism][probe.field]
        # (slots, instances) states (an event source's spike_offset: engine/spike_slots.py): the first
        return x[k] if x.ndim == 1 else x[0, k]
    # Currents and conductances as the step used them: new V, states from the start of the step,
    # so the channel currents add up to i_ion exactly.
    pl = plan.placement(probe.mechanism)
    chan = dict(mechanisms(plan, params, extras["pools"]))[pl] if extras["pools"] else params["channels"][pl.name]
    chan = with_pointers(plan, pl, chan, v_old)  # the targets' V the step's currents used
    chan = jax.tree.map(lambda a: jnp.broadcast_to(a, (len(pl.sites),))[k], chan)
    used = extras.get("chan_used", old["chan"])  # after this step's events (stepping.receive_events)
    s_old = {name: x[k] for name, x in used[probe.mechanism].items()}
    vk = v[pl.sites[k]]
    if kind == "current":
        return chan.currents(vk, s_old)[probe.field]
    if kind == "conductance":
        return chan.conductances(s_old)[probe.field]
    if kind == "assigned":  # an imported file's RANGE value from BREAKPOINT: NEURON's nrn_cur, at the step's start
        return chan.breakpoint_values(v_old[pl.sites[k]], s_old)[probe.field]
    raise ValueError(f"unknown probe kind {kind!r}")


def record(plan: Plan, params, new, old, extras, dt):
    """The probes' values after a step, concatenated: shape (sum of probe widths,)."""
    dtype = new["v"].dtype  # the run's precision: a float32 run records float32 (half the memory)
    if not plan.probes:
        return jnp.zeros(0, dtype)
    return jnp.concatenate([
        jnp.atleast_1d(jnp.asarray(probe_value(plan, params, p, new, old, extras, dt), dtype=dtype))
        for p in plan.probes
    ])


def first_extras(plan, params, state, dt):
    """The step extras of the first row (t = 0, before any step): the membrane current at the
    initial state, no clamp currents or transmitter yet. An imported file's BREAKPOINT that reads
    ``t`` runs at its state t's half step (NEURON's nrn_cur in a step, at t + dt/2), but
    finitialize's at t = 0: here from t = -dt/2, whose half step is 0 exactly."""
    chan = dict(state["chan"])
    for pl in plan.placements:
        if getattr(type(params["channels"][pl.name]), "breakpoint_reads_t", False):
            chan[pl.name] = {**chan[pl.name], "t": jnp.full_like(chan[pl.name]["t"], -0.5 * dt)}
    pools = written_pools(plan, params, chan, ion_pool_values(plan, params, state["ions"]))
    i_mem, _ = membrane(plan, params, state["v"], chan, pools)
    w = DENSITY_TO_PER_UM2 * params["area"]
    return {"chan_used": chan, "i_ion": i_mem / jnp.where(w > 0, w, 1.0), "iclamp": jnp.zeros(len(plan.iclamp_nodes)),
            "vclamp": jnp.zeros(len(plan.vclamp_nodes)), "pools": pools,
            "T": {g.mechanism: jnp.zeros(len(plan.placement(g.mechanism).sites))
                  for g in plan.connections.groups}}


def run_scan(plan: Plan, params, drive, init=None, *, dt: float, theta: float = 1.0, stride: int = 1,
             checkpoint: int = 0):
    """Pure function: run ``len(drive)`` steps, return recordings.

    Args:
        drive: dict of (n_steps, k) arrays ("iclamp", "vclamp_cmd", "vclamp_on", "spikes") at
            mid-step times.
        init: the state to continue from (a previous run's final state), or None to start from
            ``initial_state`` (then the first row of the recordings is t = 0).
        stride: keep every ``stride``-th sample (memory for long runs).
        checkpoint: if > 0, group the steps into blocks of about this many steps, each under
            ``jax.checkpoint``: reverse mode then stores one state per block and recomputes inside a
            block, so its memory grows as n_steps / checkpoint + checkpoint instead of n_steps
            (``sqrt(n_steps)`` is the best block). The forward values are the same, bit for bit.

    Returns:
        (recordings (n_steps // stride [+ 1], width), spikes (n_steps, n_sources) or None, final state).
    """
    s0 = initial_state(plan, params) if init is None else init
    shown = s0 if init is not None else at_finitialize(plan, params, s0, drive, receive_events)  # arrivals at t = 0
    if draws(plan, params):  # t = 0's currents (finitialize's nrn_cur) draw from INITIAL's keys
        shown = {**shown, "chan": attach(shown["chan"], keys(plan, params))}
    first = record(plan, params, shown, shown, first_extras(plan, params, shown, dt), dt)
    n_steps = next(iter(drive.values())).shape[0]
    # Inputs take the state's precision, so a float32 run stays float32 through the scan.
    drive = {k: jnp.asarray(a, dtype=s0["v"].dtype) for k, a in drive.items()}

    def body(state, xs):
        new, extras = step(plan, params, state, xs, dt, theta)
        out = record(plan, params, new, state, extras, dt)
        return new, (out, extras["spiked"] > 0) if plan.record_spikes else (out, None)

    if stride == 1 and checkpoint <= 0:
        final, (recs, spikes) = jax.lax.scan(body, s0, drive)
    else:
        def chunk(state, xs):
            state, (rec, spk) = jax.lax.scan(body, state, xs)
            return state, (rec[-1], spk)

        n_chunks = n_steps // stride
        chunked = jax.tree.map(lambda a: a[: n_chunks * stride].reshape(n_chunks, stride, *a.shape[1:]),
                               drive)
        unit, xs = (body, drive) if stride == 1 else (chunk, chunked)
        if checkpoint > 0:
            final, (recs, spikes) = _checkpointed_scan(unit, s0, xs, max(1, checkpoint // stride))
        else:
            final, (recs, spikes) = jax.lax.scan(unit, s0, xs)
        if spikes is not None:
            spikes = spikes.reshape(-1, spikes.shape[-1])
    if init is not None:
        return recs, spikes, final
    return jnp.concatenate([first[None, :], recs], axis=0), spikes, final


def _checkpointed_scan(unit, s0, xs, block: int):
    """``lax.scan(unit, s0, xs)`` as an outer scan over blocks of ``block`` items, each block
    rematerialized in reverse mode (``jax.checkpoint``); the remainder runs as a plain scan."""
    n = next(iter(xs.values())).shape[0]
    n_blocks = n // block

    @jax.checkpoint
    def run_block(state, bx):
        return jax.lax.scan(unit, state, bx)

    head = jax.tree.map(lambda a: a[: n_blocks * block].reshape(n_blocks, block, *a.shape[1:]), xs)
    state, ys = jax.lax.scan(run_block, s0, head)
    ys = jax.tree.map(lambda a: a.reshape(n_blocks * block, *a.shape[2:]), ys)
    if n_blocks * block < n:
        state, tail = jax.lax.scan(unit, state, jax.tree.map(lambda a: a[n_blocks * block:], xs))
        ys = jax.tree.map(lambda a, b: jnp.concatenate([a, b]), ys, tail)
    return state, ys


_COMPILED = CompiledFunctions(maxsize=64)


def compiled_runner(plan: Plan, *, dt: float, theta: float = 1.0, stride: int = 1, batched: bool = False,
                    resume: bool = False, checkpoint: int = 0, recordings_only: bool = False):
    """A jitted ``(params, drive[, init]) -> (recordings, spikes, final_state)`` for this plan (cached).

    ``resume=True`` gives the variant that continues from a state (for runs in chunks);
    ``checkpoint`` > 0 the one whose reverse-mode memory is bounded (see ``run_scan``).
    ``recordings_only`` (with ``batched``): ``(params, drive) -> recordings`` alone, samples first
    (n_samples, batch, width), the order the time loop writes them in. With only that output XLA
    writes each step's samples in place; with any other output beside it, it keeps them by cell
    and transposes (1e4 HH cells in float32, 4000 steps: 0.40 s against 0.52-0.68 s)."""
    key = (plan.key(), float(dt), float(theta), int(stride), batched, resume, int(checkpoint), recordings_only)

    def make():
        def f(params, drive, init=None):
            out = run_scan(plan, params, drive, init, dt=dt, theta=theta, stride=stride, checkpoint=checkpoint)
            return out[0] if recordings_only else out

        if batched:
            f = jax.vmap(f, in_axes=(0, None, 0) if resume else (0, None), out_axes=1 if recordings_only else 0)
        return jax.jit(f)

    return _COMPILED.get_or_make(key, make)


_STORED = CompiledFunctions(maxsize=32)


def stored_runner(plan: Plan, *, dt: float, theta: float = 1.0, stride: int = 1, batched: bool = False,
                  resume: bool = False, recordings_only: bool = False):
    """``compiled_runner`` for concrete arguments, with its executable kept on disk between processes
    (``engine.programs``): a new process loads it instead of tracing and lowering the step again."""
    from excitable.engine.programs import StoredProgram

    key = (plan.key(), float(dt), float(theta), int(stride), batched, resume, recordings_only)
    return _STORED.get_or_make(key, lambda: StoredProgram(
        compiled_runner(plan, dt=dt, theta=theta, stride=stride, batched=batched, resume=resume,
                        recordings_only=recordings_only), ("run_scan", *key)))


def resting_potential(plan: Plan, params, *, guess: float = -65.0, iterations: int = REST_ITERATIONS):
    """Per-node V (mV) where the steady-state membrane current is zero, by Newton's method.

    Each node is solved on its own (axial currents ignored), which is exact for a single compartment
    and for uniform cells; a non-uniform cell then settles the rest of the way when it runs.
    Point mechanisms (synapses at rest) and initial ion concentrations are included.
    """
    key = ("rest", plan.key(), iterations)
    solve = _COMPILED.get_or_make(key, lambda: jax.jit(lambda p, v: _newton_rest(plan, p, v, iterations)))
    return solve(params, jnp.full(plan.n, guess, dtype=float))


def _newton_rest(plan: Plan, params, v, iterations):
    ions = initial_pools(plan.pools, params, plan.n)
    pools = ion_pool_values(plan, params, ions)

    def i_ss(v):
        states = {pl.name: m.steady_state(v[pl.sites], params["celsius"])
                  for pl, m in mechanisms(plan, params, pools, v)}
        return membrane(plan, params, v, states, pools)[0]

    def newton(_, v):
        i, di = jax.jvp(i_ss, (v,), (jnp.ones_like(v),))
        # Where the steady-state I-V slope is not positive (a Na+ window current's negative slope, e.g.
        # the textbook cell with gNa x 1.4 at the -65 mV guess), Newton would stall: if the current is
        # outward there, V would fall towards a rest below, so step 1 mV down until the slope turns.
        # An inward current is left where it is, as before: no rest below (HH without K+ channels),
        # and the run shows V drifting instead of a depolarized "rest".
        step_ = jnp.where(di > 1e-12, i / jnp.where(di > 1e-12, di, 1.0), jnp.where(i > 0, 1.0, 0.0))
        return v - jnp.clip(step_, -10.0, 10.0)

    return jax.lax.fori_loop(0, iterations, newton, v)
