"""Longitudinal diffusion of an imported mechanism's states (NMODL's LONGITUDINAL_DIFFUSION:
io/nmodl/longitudinal.py), one step after every mechanism's own (NEURON's ``nonvint``: every
``nrn_state``, then ``long_difus_solve``).

Each diffusing element x takes one backward-Euler step on the tree of its mechanism's sites
(``Plan.diffusion``: which site each exchanges with toward the root, model/diffusion_tree.py):

    vol_i dx_i (x_i - x_i,old) / dt = sum over linked j of g_ij (x_j - x_i),
    g_ij = (rate_i + rate_j) / (dx_i + dx_j),

with ``rate`` the file's flux coefficient (D times a cross-section, um^4/ms), ``vol`` its
COMPARTMENT volume per length (um^2) and ``dx`` each site's compartment length (um). This is
NEURON's stagger matrix (src/nrnoc/ldifus.cpp: a = -af dc / vol_parent, b = -bf dc / vol_child with
dc the mean rate, af = 2 / (dx_p (dx_c + dx_p)), bf = 2 / (dx_c (dx_c + dx_p)), rallbranch 1),
its rows multiplied by vol dx: then it is symmetric, and the engine's tree solver (``hines``) takes
it, under jit, vmap and grad. The result is NEURON's up to the order of the floating-point
operations.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from excitable.engine.hines import solve_tree


def diffuse(plan, params, v, states, dt):
    """``states`` after one step of ``dt`` ms of longitudinal diffusion (``v``: the new V, mV, at
    every node, which a rate expression may read)."""
    if not plan.diffusion:
        return states
    out = dict(states)
    for name, links in plan.diffusion:
        pl, chan = plan.placement(name), params["channels"][name]
        at = v if plan.covers_all(pl) else v[pl.sites]
        dx, terms = chan.diffusion_terms(at, out[name], params["celsius"])
        new = dict(out[name])
        for element, (rate, volume) in terms.items():
            new[element] = step(links, rate, volume, dx, out[name][element], dt)
        out[name] = new
    return out


def step(links: np.ndarray, rate, volume, dx, x, dt):
    """One backward-Euler step of diffusion of ``x`` over the forest ``links`` (module docstring)."""
    links = np.asarray(links)
    own = np.where(links >= 0, links, np.arange(len(links)))
    g = jnp.where(links >= 0, (rate + rate[own]) / (dx + dx[own]), 0.0)
    w = volume * dx / dt
    diag = w + g + jax.ops.segment_sum(g, own, num_segments=len(links))
    return solve_tree(links, diag, -g, w * x)
