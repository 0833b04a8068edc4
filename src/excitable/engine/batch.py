"""Helpers for batches (``jax.vmap``) and for editing the parameter pytree by name.

Example:
    >>> p = sim.parameters()
    >>> batch = broadcast(p, 1000)                       # 1000 copies, leading batch axis
    >>> batch = with_param(batch, "HH.gNa", gna[:, None])  # (1000, n_sites)
    >>> traces = sim.run_batch(100.0, batch)
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from excitable.errors import ModelError

_TOP = ("area", "cm", "g_axial", "celsius", "v_init", "iclamp_amp", "vclamp_rs")


def broadcast(params, n: int):
    """``n`` copies of every leaf, stacked on a new leading axis."""
    return jax.tree.map(lambda x: jnp.broadcast_to(x, (n, *jnp.shape(x))), params)


def with_param(params, path: str, value):
    """A copy of ``params`` with ``path`` ("HH.gNa", "celsius", "cm", "iclamp_amp") replaced."""
    if path in _TOP:
        return {**params, path: jnp.asarray(value, dtype=float)}
    mech, _, field = path.partition(".")
    chans = params["channels"]
    if mech not in chans or not field or not hasattr(chans[mech], field):
        raise ModelError(f"unknown parameter {path!r}; known: {', '.join(param_names(params))}")
    new = dataclasses.replace(chans[mech], **{field: jnp.asarray(value, dtype=float)})
    return {**params, "channels": {**chans, mech: new}}


def param_names(params) -> list[str]:
    """Every settable name in a parameter pytree."""
    names = [k for k in _TOP if k in params]
    for mech, ch in params["channels"].items():
        names += [f"{mech}.{f.name}" for f in dataclasses.fields(ch)]
    return names


def get_param(params, path: str) -> np.ndarray:
    if path in _TOP:
        return params[path]
    mech, _, field = path.partition(".")
    return getattr(params["channels"][mech], field)
