"""Random numbers for mechanisms that draw them (an imported file's ``normrand``, ``exprand``,
``scop_random``, ``poisrand``, or NEURON 9's ``RANDOM`` variables: io/nmodl/random_draws.py).

Every draw is a pure function of (the run's ``seed``, the step, the mechanism's placement, the site,
the draw's place in the block), by ``jax.random.fold_in`` on counter-based keys: so a run is the
same whenever it is repeated, chunked or not, under ``jit``, ``vmap`` (each batch member drawing from
its own ``seed`` when the seeds differ) and ``grad`` (the draws are constants of the parameters), and
two sites, two mechanisms or two steps never share a draw. NEURON's own generator (mcell_ran4) is
not reproduced: its numbers cannot be, only their distribution (tests/io/nmodl/test_random_draws.py
checks both simulators against the closed forms).

The engine hands each placement's keys to its mechanism inside the states dict, under ``RNG``
((n_sites, 2) uint32, one key per site): the states the time loop carries never hold them
(``stepping.step`` attaches them for the step, ``integrate.initial_state`` for INITIAL).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from excitable.engine.plan import Plan

#: The states entry that carries a placement's keys for one step (not a name NMODL can spell).
RNG = "__rng__"
#: Streams folded into the seed's key: mechanisms' draws apart from synaptic release's
#: (``synapses``, which splits ``PRNGKey(seed)`` itself) and INITIAL's apart from the steps'.
_MECHANISMS, _INITIAL = 0x6D656368, 0x696E6974


def draws(plan: Plan, params) -> bool:
    """Whether a mechanism of the plan draws random numbers (decided when the step is traced)."""
    return any(getattr(type(params["channels"][pl.name]), "random", False) for pl in plan.placements)


def keys(plan: Plan, params, step=None) -> dict:
    """{placement name: (n_sites, 2) keys} of the mechanisms that draw, for step ``step`` (an
    integer scalar, traced) or for INITIAL (``None``)."""
    base = jax.random.fold_in(jax.random.PRNGKey(params["seed"]), _MECHANISMS)
    base = jax.random.fold_in(base, _INITIAL) if step is None else jax.random.fold_in(base, step)
    out = {}
    for index, pl in enumerate(plan.placements):
        if getattr(type(params["channels"][pl.name]), "random", False):
            own = jax.random.fold_in(base, index)
            out[pl.name] = jax.vmap(lambda i, k=own: jax.random.fold_in(k, i))(jnp.arange(len(pl.sites)))
    return out


def step_keys(plan: Plan, params, drive) -> dict:
    """``keys`` of this step (the drive's "step" row: ``engine.drive.sample_drive(step_row=True)``)."""
    if not draws(plan, params):
        return {}
    if "step" not in drive:
        raise ValueError("a model whose mechanisms draw random numbers needs the drive's 'step' row")
    return keys(plan, params, jnp.asarray(drive["step"][0]).astype(jnp.uint32))


def attach(states: dict, keyed: dict) -> dict:
    """``states`` with each drawing placement's keys added (under ``RNG``)."""
    if not keyed:
        return states
    return {name: ({**s, RNG: keyed[name]} if name in keyed else s) for name, s in states.items()}


def fold(keyed, index):
    """Keys ``keyed`` (..., 2) each folded with ``index`` (traced): a loop's rounds draw apart
    (io/nmodl/events.deliver, several deliveries a step)."""
    flat = jnp.reshape(keyed, (-1, 2))
    return jnp.reshape(jax.vmap(lambda k: jax.random.fold_in(k, index))(flat), jnp.shape(keyed))


def detach(states: dict) -> dict:
    """``states`` without keys (what the time loop carries)."""
    return {name: ({k: x for k, x in s.items() if k != RNG} if RNG in s else s) for name, s in states.items()}
