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
    """``n`` copies of every leaf, stacked on a new leading axis (``n`` >= 1)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ModelError(f"broadcast: the batch size n must be an integer >= 1, got {n!r}")
    if not isinstance(params, dict) or "channels" not in params:
        raise ModelError(f"broadcast: params must be a parameter pytree (sim.parameters()), got "
                         f"{_short(params)}")
    return jax.tree.map(lambda x: jnp.broadcast_to(x, (n, *jnp.shape(x))), params)


def with_param(params, path: str, value):
    """A copy of ``params`` with ``path`` ("HH.gNa", "celsius", "cm", "iclamp_amp") replaced."""
    if not isinstance(params, dict) or "channels" not in params:
        raise ModelError(f"with_param: params must be a parameter pytree (sim.parameters()), got "
                         f"{_short(params)}")
    if not isinstance(path, str):
        raise ModelError(f"with_param: the parameter must be named by a string such as 'HH.gNa', got {path!r}")
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


def check_params(params, reference, *, batched: bool, where: str = "params") -> int:
    """Check ``params`` against ``reference`` (``sim.parameters()``) before anything is compiled:
    the same pytree structure, every leaf an array of numbers whose shape broadcasts to the
    reference leaf's shape, after one leading batch axis of the same length on every leaf when
    ``batched``. Returns the batch size (1 when not batched). Values are not checked: a NaN is the
    run's to report (``SimulationError``), and leaves may be float32.
    """
    hint = (" (build it with engine.batch.broadcast(sim.parameters(), n) and with_param)" if batched
            else " (start from sim.parameters())")
    if not isinstance(params, dict):
        raise ModelError(f"{where} must be the parameter pytree{' with a leading batch axis' * batched}, got "
                         f"{_short(params)}{hint}")
    # Plain flattening on the way (a run pays for it); leaf paths are spelled out only for a message.
    leaves, treedef = jax.tree.flatten(params)
    ref_leaves, ref_def = jax.tree.flatten(reference)
    if treedef != ref_def:
        want, have = _paths(reference), _paths(params)
        missing, extra = sorted(set(want) - set(have)), sorted(set(have) - set(want))
        what = (f"lacks {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}" if missing else
                f"has unknown {', '.join(extra[:5])}{' ...' if len(extra) > 5 else ''}" if extra else
                "has another structure")
        raise ModelError(f"{where} does not match this simulation's parameters: it {what}{hint}")
    size, first = None, 0
    for i, (leaf, want) in enumerate(zip(leaves, ref_leaves)):
        # Attributes first: np.shape and np.dtype cost a microsecond or two per leaf.
        shape = leaf.shape if hasattr(leaf, "shape") else np.shape(leaf)
        want = want.shape if hasattr(want, "shape") else np.shape(want)
        dtype = getattr(leaf, "dtype", None)
        if dtype is None:
            try:
                dtype = np.asarray(leaf).dtype
            except (TypeError, ValueError):
                dtype = np.dtype(object)
        if (dtype.kind if isinstance(dtype, np.dtype) else np.dtype(dtype).kind) not in "biuf":
            raise ModelError(f"{where}{_paths(params)[i]} must hold numbers, got {_short(leaf)}")
        if batched:
            if not shape:
                raise ModelError(f"{where}{_paths(params)[i]} has no batch axis (a scalar){hint}")
            if size is None:
                size, first = shape[0], i
            elif shape[0] != size:
                raise ModelError(f"{where}{_paths(params)[i]} has a batch of {shape[0]}, but "
                                 f"{where}{_paths(params)[first]} has {size}: every leaf needs the same "
                                 f"leading batch size")
            shape = shape[1:]
        if shape != want:
            try:
                ok = np.broadcast_shapes(shape, want) == want
            except ValueError:
                ok = False
            if not ok:
                raise ModelError(f"{where}{_paths(params)[i]} has shape {shape}{' per batch element' * batched}, "
                                 f"which does not fit this simulation's {want}")
    if batched and not size:
        raise ModelError(f"{where}: the batch size must be >= 1, got {size}")
    return int(size) if batched else 1


def _paths(tree) -> list[str]:
    """Each leaf's path as ``jax.tree_util.keystr`` spells it ("['channels']['HH'].gNa")."""
    return [jax.tree_util.keystr(k) for k, _ in jax.tree_util.tree_flatten_with_path(tree)[0]]


def _short(x) -> str:
    """``x`` for a one-line message: short reprs as they are, arrays by shape, the rest by type."""
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return f"an array of shape {tuple(x.shape)} ({x.dtype})"
    text = repr(x)
    return text if len(text) <= 60 and "\n" not in text else f"a {type(x).__name__}"
