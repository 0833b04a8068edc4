"""One time step, NEURON's fixed-step method (``secondorder = 0``), as a pure function.

Sequence per step (NEURON's ``nrn_fixed_step``), with stimuli evaluated at the mid-step time t + dt/2:

0. synaptic events due now are delivered (``synapses.deliver``): cleft transmitter, event weights;
1. membrane currents i(V) and their slopes di/dV at the present V and states (the slope by forward-mode
   differentiation, so any current law, linear or GHK, is linearized the same way); mechanisms read
   reversal potentials and concentrations from the ion pools when those are dynamic;
2. backward Euler for V on the tree:
   (w cm/dt + w g) dV_i - sum_j g_ij (dV_j - dV_i) = I_stim - w i(V) + sum_j g_ij (V_j - V_i),
   solved in O(N) by Hines elimination, V <- V + dV;
3. every state advanced by exponential Euler at the new V (``cnexp``):
   x <- x_inf + (x - x_inf) exp(-dt / tau_x); ion concentrations by the ion currents;
4. spikes of presynaptic sources are detected and queued (``synapses.detect``).

Units (``excitable.units``): w = DENSITY_TO_PER_UM2 x area (um2) turns uF/cm2, mS/cm2, uA/cm2 into
pF, nS, pA; point mechanisms give nA and uS (x NA_TO_PA, US_TO_NS -> pA, nS); dt in ms; V in mV. With ``theta = 0.5`` the voltage update is Crank-Nicolson;
since the states are advanced with the new V they live at half steps (t + dt/2), the staggered scheme
of NEURON's ``secondorder``, second order in dt.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from excitable.engine.diffusion import diffuse
from excitable.engine.hines import solve_tree
from excitable.engine.ion_style import promoted
from excitable.engine.ions import advance_pools, pool_values
from excitable.engine.plan import Placement, Plan
from excitable.engine.pointers import with_pointers
from excitable.engine.writers import in_neuron_order, read_currents, store_written, written_pools
from excitable.engine.netcons import written_v
from excitable.engine.noise import attach, detach, step_keys
from excitable.engine.synapses import deliver, detect
from excitable.units import DENSITY_TO_PER_UM2, NA_TO_PA, US_TO_NS

_NONE = {}


def is_point(chan) -> bool:
    return type(chan).kind == "point"


def scale(plan: Plan, params, pl: Placement, chan):
    """Factor from a mechanism's units to pA / nS per site: DENSITY_TO_PER_UM2 x area (a density:
    uA/cm2, mS/cm2) or NA_TO_PA (a point mechanism: nA, uS; the same 1000 turns uS into nS)."""
    if is_point(chan):
        return NA_TO_PA  # and its slope: uS -> nS is the same factor (US_TO_NS)
    area = params["area"] if plan.covers_all(pl) else params["area"][pl.sites]
    return DENSITY_TO_PER_UM2 * area


def with_ions(plan: Plan, params, pl: Placement, chan, pools):
    """The mechanism with its ``ion_fields`` filled from the dynamic pools at its sites (nodes of
    cells without that pool keep the mechanism's own parameter)."""
    fields = {}
    for fname, (ion, what) in type(chan).ion_fields.items():
        if what == "current" and ion in pools and what in pools[ion]:  # the total: defined at every node
            fields[fname] = pools[ion][what] if plan.covers_all(pl) else pools[ion][what][pl.sites]
        elif ion in pools and what in pools[ion]:
            active, values = pools[ion]["active"], pools[ion][what]
            if not plan.covers_all(pl):
                active, values = active[pl.sites], values[pl.sites]
            fields[fname] = jnp.where(active > 0, values, getattr(chan, fname))
    return dataclasses.replace(chan, **fields) if fields else chan


def ion_pool_values(plan: Plan, params, ions):
    """What mechanisms read from the ions: the dynamic pools' values and, where an imported
    mechanism reads an ion's concentrations, NEURON's ion style (Nernst reversal potential)."""
    return promoted(plan, params, {p.name: pool_values(p, params, ions[p.name], params["celsius"]) for p in plan.pools})


def written_currents(plan: Plan, params, v, states, pools):
    """``pools`` with, for each ion whose current a mechanism reads (a pool writing its
    concentration, or a reader only: ``writers.read_currents``), the compartment's total current of
    that ion ("current", mA/cm2, outward positive: every mechanism's BREAKPOINT at ``v`` and
    ``states``), which the readers' SOLVE sees (NEURON's ``nrn_state`` reads what every
    mechanism's ``nrn_cur`` accumulated into the ion at the start of the step)."""
    names = sorted(read_currents(plan, params))
    if not names:
        return pools
    i_pA = ion_currents(plan, params, v, states, pools, names)
    w = DENSITY_TO_PER_UM2 * params["area"]
    per_area = 1e-3 / jnp.where(w > 0, w, 1.0)  # pA -> uA/cm2 (/ w) -> mA/cm2 (/ 1000), the file's unit
    return {**pools, **{ion: {**pools.get(ion, {}), "current": i_pA[ion] * per_area} for ion in names}}


def mechanisms(plan: Plan, params, pools, v=None):
    """(placement, mechanism ready to evaluate) for every placement; POINTERs read ``v``."""
    return [(pl, with_pointers(plan, pl, with_ions(plan, params, pl, params["channels"][pl.name], pools), v))
            for pl in plan.placements]


def _at(plan, pl, v):
    return v if plan.covers_all(pl) else v[pl.sites]


def at_sites(plan: Plan, placements, x) -> dict:
    """{name: ``x`` at the placement's sites} (``_at`` of each), by one gather for all placements
    that do not cover every node, sliced: on a CPU each gather is a kernel call of its own, and a
    model of imported mechanisms on a tree made one per mechanism (the values are the same)."""
    partial = [pl for pl in placements if not plan.covers_all(pl)]
    out = {pl.name: x for pl in placements if plan.covers_all(pl)}
    if partial:
        every = x[np.concatenate([np.asarray(pl.sites) for pl in partial])]
        start = 0
        for pl in partial:
            out[pl.name] = every[..., start:start + len(pl.sites)]
            start += len(pl.sites)
    return out


def merged_scatters() -> bool:
    """Whether ``add_in_order`` merges scatters: on a CPU (see there)."""
    return jax.default_backend() == "cpu"


def add_in_order(plan: Plan, total, parts):
    """``total`` (..., n) plus each (placement, value at its sites) of ``parts``, in order, as
    ``total.at[..., sites].add(value)`` one after the other would give; consecutive placements that
    do not cover every node by one scatter-add of their values concatenated (one kernel call instead
    of one per mechanism). XLA's CPU scatter adds its updates in their order, so each node's sum is
    formed in the same order: the numbers are the same, bit for bit (checked on bench_model.py's cell).
    On a GPU a scatter adds repeated indices atomically, in no fixed order: there each placement
    keeps its own scatter (decided at trace time), so GPU runs stay reproducible."""
    merge = merged_scatters()
    run = []

    def flush(total):
        if not run:
            return total
        idx = np.concatenate([np.asarray(pl.sites) for pl, _ in run])
        upd = jnp.concatenate([jnp.broadcast_to(x, total.shape[:-1] + (len(pl.sites),)) for pl, x in run], axis=-1)
        run.clear()
        return total.at[..., idx].add(upd.astype(total.dtype))

    for pl, x in parts:
        if plan.covers_all(pl):
            total = flush(total) + x
        else:
            run.append((pl, x))
            if not merge:
                total = flush(total)
    return flush(total)


def linearized_current(chan, v, s):
    """One mechanism's total current at V (its own unit: uA/cm2 or nA) and its slope dI/dV
    (mS/cm2 or uS), elementwise. The slope by forward-mode differentiation, so any current law,
    linear or GHK, is linearized the same way."""
    def total(vv):
        out = chan.currents(vv, s)
        # An ELECTRODE_CURRENT (an imported IClamp's i) is injected: inward positive, subtracted.
        electrode = getattr(type(chan), "electrode", ())
        # A mechanism without currents (a calcium pool): a float zero, so its slope is a float too.
        return sum(-x if k in electrode else x for k, x in out.items()) if out else jnp.zeros_like(vv)

    return jax.jvp(total, (v,), (jnp.ones_like(v),))


def cnexp(chan, v, s, celsius, dt, drive):
    """One mechanism's states after ``dt`` ms at fixed V (mV), elementwise: the mechanism's own
    ``advance`` (``AbstractChannel.advance``), by default exponential Euler,
    x <- x_inf + (x - x_inf) exp(-dt / tau), exact for dx/dt = (x_inf - x) / tau (NEURON's
    ``cnexp``); an imported NMODL mechanism supplies its SOLVE method's update."""
    return chan.advance(v, s, celsius, dt, drive)


def membrane(plan: Plan, params, v, states, pools=_NONE):
    """Total membrane current (pA) and its slope (nS) at every node."""
    mechs = mechanisms(plan, params, pools, v)
    at = at_sites(plan, [pl for pl, _ in mechs], v)
    parts = []
    for pl, chan in mechs:
        i, di = linearized_current(chan, at[pl.name], states[pl.name])
        k = scale(plan, params, pl, chan)
        shape = at[pl.name].shape
        parts.append((pl, jnp.broadcast_to(k * i, shape), jnp.broadcast_to(k * di, shape)))
    # Two sums, not one of the (current, slope) pairs stacked: XLA then fuses the products
    # differently and the last bit of V changes (1e-10 mV over 110 ms of bench_model.py's cell).
    return (add_in_order(plan, jnp.zeros_like(v), [(pl, i) for pl, i, _ in parts]),
            add_in_order(plan, jnp.zeros_like(v), [(pl, g) for pl, _, g in parts]))


def ion_currents(plan: Plan, params, v, states, pools, names=None):
    """Current carried by each ion with a dynamic pool (or each of ``names``), pA per node (outward
    positive)."""
    names = names if names is not None else [p.name for p in plan.pools]
    parts = {name: [] for name in names}
    mechs = [(pl, chan) for pl, chan in mechanisms(plan, params, pools, v) if type(chan).ions]
    at = at_sites(plan, [pl for pl, _ in mechs], v)
    for pl, chan in mechs:
        currents = chan.currents(at[pl.name], states[pl.name])
        k = scale(plan, params, pl, chan)
        for cname, ions in type(chan).ions.items():
            for ion, factor in ({ions: 1.0} if isinstance(ions, str) else ions).items():
                if ion in parts:
                    parts[ion].append((pl, factor * k * currents[cname]))
    return {name: add_in_order(plan, jnp.zeros_like(v), parts[name]) for name in names}


def receive_events(plan: Plan, params, states, amounts, dt=None, offsets=_NONE, v=None):
    """States after this step's presynaptic events (``on_events``: Exp2Syn's jumps, an imported
    NET_RECEIVE), applied before the membrane currents, as NEURON delivers an event of time t
    before the step that starts at t: the step's current already sees the jump. A mechanism with
    ``on_step`` (io/nmodl/artificial.py: self-events, its clock t) takes every step's, with dt and
    the arrivals' times past the step's start (``offsets``: from artificial cells' spikes), and the
    V at its sites where its NET_RECEIVE reads it (``reads_v``: io/nmodl/watch.py)."""
    def one(pl, chan):
        if getattr(type(chan), "reads_v", False) and v is not None:
            (at,) = at_sites(plan, [pl], v).values()
            return chan.on_step(states[pl.name], amounts.get(pl.name), dt, offsets.get(pl.name), v=at)
        if hasattr(type(chan), "on_step"):
            return chan.on_step(states[pl.name], amounts.get(pl.name), dt, offsets.get(pl.name))
        return chan.on_events(states[pl.name], amounts[pl.name]) if pl.name in amounts else states[pl.name]
    return {pl.name: one(pl, chan) for pl, chan in mechanisms(plan, params, _NONE, v)}


def clocked(plan: Plan, params) -> bool:
    """Whether a mechanism needs ``receive_events`` every step (an ``on_step``)."""
    return any(hasattr(type(params["channels"][pl.name]), "on_step") for pl in plan.placements)


def advance_states(plan: Plan, params, v, states, dt, drive_syn, pools=_NONE, v_start=None):
    """Every mechanism's states after ``dt`` at fixed V: its own ``advance`` (exponential Euler by
    default; an imported mechanism's SOLVE method), in NEURON's order (``in_neuron_order``). Events
    were applied before (``receive_events``). A mechanism with ``start_of_step`` (an imported one
    whose SOLVE reads what BREAKPOINT computed from V or ions: io/nmodl/breakpoint_feeds.py) also
    gets ``drive["start"]``: the step's start V (``v_start``) at its sites and itself with the ion
    values and POINTERs of the step's start (``pools`` as given, before any writer stores)."""
    new = {}
    order = in_neuron_order(plan, params) if pools is not _NONE else [(pl, None) for pl in plan.placements]
    at = at_sites(plan, [pl for pl, _ in order], v)  # one gather for all (see at_sites)
    early = [pl for pl, _ in order if v_start is not None and getattr(type(params["channels"][pl.name]), "start_of_step", False)]
    at_start, start_pools = at_sites(plan, early, v_start) if early else {}, pools
    for pl, writes in order:
        chan = with_pointers(plan, pl, with_ions(plan, params, pl, params["channels"][pl.name], pools), v)
        s = states[pl.name]
        drive = {"T": drive_syn["T"].get(pl.name, 0.0)}
        if pl.name in at_start:
            drive["start"] = (at_start[pl.name], with_pointers(
                plan, pl, with_ions(plan, params, pl, params["channels"][pl.name], start_pools), v_start))
        new[pl.name] = cnexp(chan, at[pl.name], s, params["celsius"], dt, drive)
        if writes:
            pools = store_written(plan, pl, writes, new[pl.name], pools)
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
    """Net axial current into each node, pA (nS * mV). g_axial at roots is ignored."""
    if plan.roots.all():
        return jnp.zeros_like(v)
    g = jnp.where(plan.roots, 0.0, g_axial)
    flow = g * (_parent_values(plan, v) - v)  # from each node's parent into the node
    return flow - _sum_children(plan, flow)


def axial_diagonal(plan: Plan, g_axial):
    """Sum of axial conductances at each node (nS)."""
    if plan.roots.all():
        return jnp.zeros_like(g_axial)
    g = jnp.where(plan.roots, 0.0, g_axial)
    return g + _sum_children(plan, g)


def step(plan: Plan, params, state, drive, dt, theta: float = 1.0):
    """Advance the state ({"v", "chan", "ions", "syn"}) by one step of ``dt`` ms.

    Args:
        drive: this step's inputs at t + dt/2: "iclamp" (n_iclamp,) currents (nA, times the gains
            ``iclamp_amp``), "vclamp_cmd" (mV) and "vclamp_on" (0/1) per voltage clamp, "spikes"
            (n_external,) external presynaptic spikes.
        theta: 1 for backward Euler (NEURON's default), 0.5 for Crank-Nicolson.

    Returns:
        new state, extras for recording ("i_ion" uA/cm2, "iclamp" and "vclamp" nA, "spiked").
    """
    v, syn = state["v"], state["syn"]
    keyed = step_keys(plan, params, drive)  # random draws: keys for this step (engine.noise)
    states = attach(state["chan"], keyed)
    conn = plan.connections
    syn_drive = {"T": {}, "amount": {}}
    events = bool(conn.groups) or clocked(plan, params)
    if conn.groups:
        syn, syn_drive["T"], syn_drive["amount"] = deliver(conn, params, syn, dt, drive)
    if events:
        offsets = {g.mechanism: syn[g.mechanism]["arrival_offset"] for g in conn.groups
                   if "arrival_offset" in syn[g.mechanism]}
        states = attach(receive_events(plan, params, states, syn_drive["amount"], dt, offsets, v), keyed)
        v_start, v = v, written_v(plan, params, states, v)  # a NET_RECEIVE's reset (netcons.written_v)
    pools = written_pools(plan, params, states, ion_pool_values(plan, params, state["ions"]))
    w = DENSITY_TO_PER_UM2 * params["area"]  # densities -> pF, nS, pA
    i_mem, g_mem = membrane(plan, params, v, states, pools)
    i_stim = jnp.zeros_like(v)
    diag = w * params["cm"] / dt + theta * g_mem
    iclamp = params["iclamp_amp"] * drive["iclamp"]  # nA
    if plan.n == 1 and len(plan.iclamp_nodes):  # no scatter (the fused kernel cannot lower one)
        i_stim = i_stim + jnp.sum(NA_TO_PA * iclamp)  # pA
    elif len(plan.iclamp_nodes):
        i_stim = i_stim.at[plan.iclamp_nodes].add(NA_TO_PA * iclamp)  # pA
    vclamp_i = jnp.zeros(len(plan.vclamp_nodes))
    if len(plan.vclamp_nodes):
        g_clamp = drive["vclamp_on"] * US_TO_NS / params["vclamp_rs"]  # nS (1/MOhm = uS)
        vclamp_i = g_clamp * (drive["vclamp_cmd"] - v[plan.vclamp_nodes])  # pA at the old V
        i_stim = i_stim.at[plan.vclamp_nodes].add(vclamp_i)
        diag = diag.at[plan.vclamp_nodes].add(theta * g_clamp)
    if len(plan.gap_pairs):
        # Gap junctions as NEURON's half-gaps: implicit in a node's own V, the partner's V from the
        # start of the step.
        a, b = plan.gap_pairs[:, 0], plan.gap_pairs[:, 1]
        g = params["gap_g"]
        i_stim = i_stim.at[a].add(g * (v[b] - v[a])).at[b].add(g * (v[a] - v[b]))
        diag = diag.at[a].add(theta * g).at[b].add(theta * g)
    rhs = i_stim - i_mem + axial_current(plan, params["g_axial"], v)
    g_ax = params["g_axial"]
    diag = diag + theta * axial_diagonal(plan, g_ax)
    dv = solve_tree(plan.parent, diag, -theta * g_ax, rhs)
    v_new = v + dv
    # A concentration writer integrates the total ion current at the old V and states (NEURON's order).
    states_new = advance_states(plan, params, v_new, states, dt, syn_drive,
                                written_currents(plan, params, v, states, pools), v_start=v)
    states_new = diffuse(plan, params, v_new, states_new, dt)  # LONGITUDINAL_DIFFUSION, after every SOLVE
    states_new = detach(states_new) if keyed else states_new  # an event mechanism's advance keeps its s
    ions = state["ions"]
    if plan.pools:
        # The currents the voltage step used: at V + theta dV (the new V for backward Euler), so the
        # charge moved and the ions moved agree exactly, for Crank-Nicolson too.
        v_used = v + theta * dv
        ions = advance_pools(plan.pools, params, ions, ion_currents(plan, params, v_used, states, pools), dt)
    spiked = jnp.zeros(0)
    if conn.n_sources:
        syn, spiked = detect(conn, params, syn, v_start if events else v, v_new, drive.get("spikes", jnp.zeros(0)),
                             states_new)
    if len(plan.vclamp_nodes):
        vclamp_i = vclamp_i - g_clamp * dv[plan.vclamp_nodes]  # clamp current at the new V
    # The ionic current the step actually used (linearized at the new V), as a density: with it
    # C dV/dt + i_ion = i_stim holds exactly, which is what the membrane-currents figure shows.
    safe_w = jnp.where(w > 0, w, 1.0)
    extras = {"i_ion": (i_mem + theta * g_mem * dv) / safe_w, "iclamp": iclamp,
              "vclamp": vclamp_i / NA_TO_PA, "spiked": spiked, "T": syn_drive["T"], "pools": pools}
    if events or keyed:
        extras["chan_used"] = states  # what the currents used: after this step's events, with its draws
    return {"v": v_new, "chan": states_new, "ions": ions, "syn": syn}, extras
