"""The slope NEURON takes of an imported mechanism's BREAKPOINT currents: its nrn_cur's finite
difference in V, as a ``jax.custom_jvp`` of the currents (mechanism.py, point.py, artificial.py and
NeuroML's rates.py build their ``currents`` with it)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.custom_derivatives import SymbolicZero

#: NEURON's finite-difference step for the slope of BREAKPOINT currents (nrn_cur: g = (i(v + 0.001)
#: - i(v)) / 0.001), mV.
NEURON_DV = 0.001


def neuron_slope(raw, plus=None):
    """``raw(chan, v, s)`` whose derivative in V is NEURON's finite difference
    (i(v + 0.001) - i(v)) / 0.001 rather than the exact one (``jax.custom_jvp``): the engine
    linearizes the membrane current by ``jax.jvp`` in V, so an imported mechanism is linearized as
    NEURON's generated code does it. For currents linear in V the two are the same; for GHK-type
    currents this is what makes V agree with NEURON to round-off. Derivatives in the parameters
    and states are exact. ``plus(chan, v, s)``: the currents NEURON's first run gives at
    v + 0.001, where that run is not ``raw`` at v + 0.001 (a BREAKPOINT that rewrites what it keeps
    runs twice: double_run.py)."""
    @jax.custom_jvp
    def currents(chan, v, s):
        return raw(chan, v, s)

    def _jvp(primals, tangents):
        # Symbolic zeros: the engine differentiates in V only, and zero tangents of every parameter
        # and state would otherwise be carried through the whole BREAKPOINT (x * 0 is not folded
        # away in floating point): that is most of a step's work.
        chan, v, s = primals
        dchan, dv, ds = tangents
        is_zero = lambda t: isinstance(t, SymbolicZero)
        zero_rest = all(is_zero(t) for t in jax.tree.leaves((dchan, ds), is_leaf=is_zero))
        if zero_rest:
            out = raw(chan, v, s)
            d_rest = {k: 0.0 for k in out}
        else:
            dense = jax.tree.map(lambda t, p: _zero_tangent(p) if is_zero(t) else t, (dchan, ds), (chan, s),
                                 is_leaf=is_zero)
            out, d_rest = jax.jvp(lambda c, ss: raw(c, v, ss), (chan, s), dense)
        if is_zero(dv):
            return out, {k: d_rest[k] + jnp.zeros_like(out[k]) for k in out}
        up = raw(chan, v + NEURON_DV, s) if plus is None else plus(chan, v, s)
        return out, {k: d_rest[k] + (up[k] - out[k]) / NEURON_DV * dv for k in out}

    currents.defjvp(_jvp, symbolic_zeros=True)

    return lambda self, v, s: currents(self, jnp.asarray(v), s)


def _zero_tangent(p):
    """A zero tangent of ``p``: float0 for an integer leaf (the random keys: engine.noise)."""
    p = jnp.asarray(p)
    return jnp.zeros_like(p) if jnp.issubdtype(p.dtype, jnp.inexact) else np.zeros(p.shape, jax.dtypes.float0)
