"""One time step, NEURON's fixed-step method (``secondorder = 0``), as a pure function.

Sequence per step (NEURON's ``nrn_fixed_step``), with stimuli evaluated at the mid-step time t + dt/2:

1. membrane currents i(V) and their slopes di/dV at the present V and gates (the slope by forward-mode
   differentiation, so any current law, linear or GHK, is linearized the same way);
2. backward Euler for V on the tree:
   (w cm/dt + w g) dV_i - sum_j g_ij (dV_j - dV_i) = I_stim - w i(V) + sum_j g_ij (V_j - V_i),
   solved in O(N) by Hines elimination, V <- V + dV;
3. the gates advanced by exponential Euler (``cnexp``) at the new V:
   x <- x_inf + (x - x_inf) exp(-dt / tau_x).

Units: w = 0.01 area (um2) turns uF/cm2, mS/cm2, uA/cm2 into pF, nS, pA; dt in ms; V in mV.
With ``theta = 0.5`` the voltage update is Crank-Nicolson; since the gates are advanced with the new V
they live at half steps (t + dt/2), the staggered scheme of NEURON's ``secondorder``, second order in dt.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from excitable.engine.hines import solve_tree
from excitable.engine.plan import Plan


def membrane(plan: Plan, params, v, states):
    """Total ionic current density (uA/cm2) and its slope (mS/cm2) at every node."""
    i_total = jnp.zeros_like(v)
    g_total = jnp.zeros_like(v)
    for pl in plan.placements:
        chan = params["channels"][pl.name]
        s = states[pl.name]
        full = plan.covers_all(pl)
        vs = v if full else v[pl.sites]

        def i_of_v(vv, chan=chan, s=s):
            return sum(chan.currents(vv, s).values())

        i, di = jax.jvp(i_of_v, (vs,), (jnp.ones_like(vs),))
        if full:
            i_total, g_total = i_total + i, g_total + di
        else:
            i_total = i_total.at[pl.sites].add(i)
            g_total = g_total.at[pl.sites].add(di)
    return i_total, g_total


def advance_gates(plan: Plan, params, v, states, dt):
    """Exponential Euler for every gate at fixed V (exact for the linear gate ODE)."""
    new = {}
    for pl in plan.placements:
        chan = params["channels"][pl.name]
        vs = v if plan.covers_all(pl) else v[pl.sites]
        gates = chan.gates(vs, params["celsius"])
        new[pl.name] = {
            k: inf + (states[pl.name][k] - inf) * jnp.exp(-dt / tau) for k, (inf, tau) in gates.items()
        }
    return new


def _sum_children(plan: Plan, x):
    """sum over the children c of node i of x[c] (x indexed by child), for every node i."""
    if plan.is_chain:
        return jnp.concatenate([x[1:], jnp.zeros_like(x[:1])])
    padded = jnp.concatenate([x, jnp.zeros_like(x[:1])])
    return padded[plan.children].sum(axis=1)


def _parent_values(plan: Plan, x):
    if plan.is_chain:
        return jnp.concatenate([x[:1], x[:-1]])
    return x[np.maximum(plan.parent, 0)]


def axial_current(plan: Plan, g_axial, v):
    """Net axial current into each node, pA (nS * mV). g_axial[0] (the root's) is ignored."""
    if plan.n == 1:
        return jnp.zeros_like(v)
    g = g_axial.at[0].set(0.0)
    flow = g * (_parent_values(plan, v) - v)  # from each node's parent into the node
    return flow - _sum_children(plan, flow)


def axial_diagonal(plan: Plan, g_axial):
    """Sum of axial conductances at each node (nS)."""
    if plan.n == 1:
        return jnp.zeros_like(g_axial)
    g = g_axial.at[0].set(0.0)
    return g + _sum_children(plan, g)


def step(plan: Plan, params, v, states, drive, dt, theta: float = 1.0):
    """Advance (v, states) by one step of ``dt`` ms.

    Args:
        drive: this step's inputs at t + dt/2: "iclamp" (n_iclamp,) unit waveforms, "vclamp_cmd"
            (n_vclamp,) command voltages (mV) and "vclamp_on" (n_vclamp,) 1 while the clamp is on.
        theta: 1 for backward Euler (NEURON's default), 0.5 for Crank-Nicolson.

    Returns:
        v_new, states_new, extras (for recording: "i_ion" uA/cm2, "iclamp" and "vclamp" nA).
    """
    w = 0.01 * params["area"]  # densities -> pF, nS, pA
    i_ion, g_ion = membrane(plan, params, v, states)
    i_stim = jnp.zeros_like(v)
    diag = w * params["cm"] / dt + theta * w * g_ion
    iclamp = params["iclamp_amp"] * drive["iclamp"]  # nA
    if len(plan.iclamp_nodes):
        i_stim = i_stim.at[plan.iclamp_nodes].add(1000.0 * iclamp)  # pA
    vclamp_i = jnp.zeros(len(plan.vclamp_nodes))
    if len(plan.vclamp_nodes):
        g_clamp = drive["vclamp_on"] * 1000.0 / params["vclamp_rs"]  # nS (1/MOhm = uS)
        vn = v[plan.vclamp_nodes]
        vclamp_i = g_clamp * (drive["vclamp_cmd"] - vn)  # pA at the old V
        i_stim = i_stim.at[plan.vclamp_nodes].add(vclamp_i)
        diag = diag.at[plan.vclamp_nodes].add(theta * g_clamp)
    rhs = i_stim - w * i_ion + axial_current(plan, params["g_axial"], v)
    g_ax = params["g_axial"]
    diag = diag + theta * axial_diagonal(plan, g_ax)
    dv = solve_tree(plan.parent, diag, -theta * g_ax.at[0].set(0.0), rhs)
    v_new = v + dv
    states_new = advance_gates(plan, params, v_new, states, dt)
    if len(plan.vclamp_nodes):
        vclamp_i = vclamp_i - g_clamp * dv[plan.vclamp_nodes]  # clamp current at the new V
    # The ionic current the step actually used (linearized at the new V): with it C dV/dt + i_ion
    # = i_stim holds exactly, which is what the membrane-currents figure shows.
    extras = {"i_ion": i_ion + theta * g_ion * dv, "iclamp": iclamp, "vclamp": vclamp_i / 1000.0}
    return v_new, states_new, extras
