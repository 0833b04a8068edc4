"""Random numbers for mechanisms that draw them (an imported file's ``normrand``, ``exprand``,
``scop_random``, ``poisrand``, or NEURON 9's ``RANDOM`` variables: io/nmodl/random_draws.py).

Every draw is a pure function of (the run's ``seed``, the step, the mechanism's placement, the site,
the draw's place in the block): Threefry-2x32, the counter-based hash behind ``jax.random``, keyed by
the step's and placement's key and counting (site, draw) (``mix``). So a run is the same whenever it
is repeated, chunked or not, under ``jit``, ``vmap`` (each batch member drawing from its own
``seed`` when the seeds differ) and ``grad`` (the draws are constants of the parameters); two sites,
two mechanisms or two steps never share a draw; and one site's draw is the same whether the whole
placement draws or that site alone (a recording of it: ``integrate.probe_value``). One hash per
site and draw: a sixth of the cost of a ``jax.random`` key per site. NEURON's own generators
(mcell_ran4, Random123) are not reproduced: their numbers cannot be, only their distributions
(tests/io/nmodl/test_random_draws.py checks both simulators against the closed forms).

The engine hands each placement's keys to its mechanism inside the states dict, under ``RNG``
((n_sites, 3) uint32: the placement's key twice, then the site's rank): the states the time loop
carries never hold them (``stepping.step`` attaches them for the step, ``integrate.initial_state``
for INITIAL).
"""

from __future__ import annotations

import jax.numpy as jnp

from excitable.engine.plan import Plan

#: The states entry that carries a placement's keys for one step (not a name NMODL can spell).
RNG = "__rng__"
#: Streams: mechanisms' draws apart from synaptic release's (``synapses``: ``PRNGKey(seed)``), and
#: INITIAL's and event rounds' apart from the steps'.
_MECHANISMS, _INITIAL, _ROUND = 0x6D656368, 0xFFFFFFFF, 0x726F756E


def mix(k0, k1, a, b):
    """Threefry-2x32 of the counters (a, b) under the key (k0, k1), elementwise: two uint32 arrays."""
    from jax.extend.random import threefry2x32_p

    args = [jnp.asarray(x, jnp.uint32) for x in (k0, k1, a, b)]
    # One shape for all, and under vmap one batch for all: the primitive's batching rule (JAX 0.10)
    # does not broadcast an unbatched argument beside a batched one.
    zero = sum(x * jnp.uint32(0) for x in args)
    return threefry2x32_p.bind(*(x + zero for x in args))


def draws(plan: Plan, params) -> bool:
    """Whether a mechanism of the plan draws random numbers (decided when the step is traced)."""
    return any(getattr(type(params["channels"][pl.name]), "random", False) for pl in plan.placements)


def keys(plan: Plan, params, step=None) -> dict:
    """{placement name: (n_sites, 3) keys} of the mechanisms that draw, for step ``step`` (an
    integer scalar, traced) or for INITIAL (``None``)."""
    k0, k1 = mix(0, params["seed"], _MECHANISMS, _INITIAL if step is None else step)
    out = {}
    for index, pl in enumerate(plan.placements):
        if getattr(type(params["channels"][pl.name]), "random", False):
            p0, p1 = mix(k0, k1, index, 0)
            n = len(pl.sites)
            out[pl.name] = jnp.stack([jnp.broadcast_to(p0, (n,)), jnp.broadcast_to(p1, (n,)),
                                      jnp.arange(n, dtype=jnp.uint32)], axis=-1)
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
    """Keys ``keyed`` (..., 3) with their key mixed with ``index`` (traced): a loop's rounds draw
    apart (io/nmodl/events.deliver, several deliveries a step)."""
    k0, k1 = mix(keyed[..., 0], keyed[..., 1], _ROUND, index)
    return jnp.stack([k0, k1, keyed[..., 2]], axis=-1)


def draw_bits(keyed, rank: int):
    """Two uint32 arrays (the sites' shape) for the draw of rank ``rank``: one hash per site."""
    return mix(keyed[..., 0], keyed[..., 1], keyed[..., 2], rank)


def detach(states: dict) -> dict:
    """``states`` without keys (what the time loop carries)."""
    return {name: ({k: x for k, x in s.items() if k != RNG} if RNG in s else s) for name, s in states.items()}
