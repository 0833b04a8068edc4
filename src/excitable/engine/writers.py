"""NEURON's mechanism order where concentrations are written: which mechanisms write an ion's
concentration (an imported calcium pool, io/nmodl/concentrations.py), and the order in which
``finitialize`` and ``nrn_state`` run the mechanisms (writers first: NEURON's nrn_writes_conc moves
them right after the ions), with the concentration a writer stores seen by the ones after it; and
which ions' total currents are read in ``nrn_state`` (``read_currents``)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from excitable.engine.ion_style import readers_concentrations
from excitable.engine.plan import Plan
from excitable.errors import ModelError
from excitable.physics.ions import nernst


def writers(plan: Plan, params):
    """(placement, {state: (ion, "ci" | "co" | "e")}) of every mechanism that writes an ion
    concentration (an imported calcium pool, potassium outside the membrane:
    io/nmodl/concentrations.py) or a reversal potential (``reversal_writes``:
    a mechanism whose BREAKPOINT computes eca, as Cutsuridis et al.'s ccanl.mod)."""
    out, seen = [], {}
    for pl in plan.placements:
        cls = type(params["channels"][pl.name])
        writes = {**(getattr(cls, "conc_writes", None) or {}), **(getattr(cls, "reversal_writes", None) or {})}
        if writes:
            for state, (ion, what) in writes.items():  # NEURON lets two write one ion; we do not pick one
                for other, sites in seen.get((ion, what), ()):
                    common = np.intersect1d(sites, np.asarray(pl.sites))
                    if len(common):
                        raise ModelError(f"mechanisms {other!r} and {pl.name!r} both write {state} (ion {ion!r}) in "
                                         f"compartment {int(common[0])}; insert one {ion} pool per compartment")
                seen.setdefault((ion, what), []).append((pl.name, np.asarray(pl.sites)))
            out.append((pl, writes))
    _check_reversal_readers(plan, params, out)
    return out


def _check_reversal_readers(plan: Plan, params, found) -> None:
    """Refuse a mechanism that reads, in INITIAL or its SOLVE (``state_reads``), an eX another one
    writes in the same compartment: NEURON stores the written eX in the middle of nrn_init and
    nrn_state, so what such a reader sees depends on NEURON's mechanism order (the order the types
    were registered), which excitable does not reproduce. Readers in BREAKPOINT (the currents) see
    the value of the step before in both, whatever the order."""
    for pl, writes in found:
        for state, (ion, what) in writes.items():
            if what != "e":
                continue
            for other in plan.placements:
                cls = type(params["channels"][other.name])
                fields = [f for f, target in cls.ion_fields.items() if target == (ion, "e")
                          and f in (getattr(cls, "state_reads", None) or ())]
                common = np.intersect1d(np.asarray(pl.sites), np.asarray(other.sites))
                if other.name != pl.name and fields and len(common):
                    raise ModelError(f"{other.name} reads {fields[0]} in its INITIAL or SOLVE in compartment "
                                     f"{int(common[0])}, where {pl.name} writes {state}: NEURON's mechanism order decides "
                                     f"which value it sees there; not supported (a read in BREAKPOINT is)")


def read_currents(plan: Plan, params) -> set[str]:
    """The ions whose current some mechanism reads (an ``(ion, "current")`` field: a pool's ``ica``,
    a Ca-dependent K current integrating ``ica`` into a variable of its own, as Aradi & Holmes'
    CadepK): the ions whose compartment total ``stepping.written_currents`` computes each step."""
    return {ion for pl in plan.placements for ion, what in type(params["channels"][pl.name]).ion_fields.values()
            if what == "current"}


def in_neuron_order(plan: Plan, params):
    """The placements in NEURON's mechanism order for nrn_init and nrn_state, with what each writes:
    (placement, {state: (ion, "ci" | "co")} or None). NEURON moves every concentration writer right after
    the ions (nrn_writes_conc), so the writers come first, in insertion order, then the others:
    every other mechanism sees the concentration a writer stored this step (or in INITIAL), whatever
    order the user inserted them in (checked against NEURON with a Ca-dependent gate whose file sorts
    before the pool's: tests/io/nmodl/test_pools.py)."""
    written = {pl.name: writes for pl, writes in writers(plan, params)}
    return ([(pl, written[pl.name]) for pl in plan.placements if pl.name in written]
            + [(pl, None) for pl in plan.placements if pl.name not in written])


def store_written(plan: Plan, pl, writes, new_states, pools):
    """``pools`` with the concentrations a writer just computed stored at its sites: NEURON's writer
    stores its new cai (or ko) in the ion at once (nrn_state, nrn_init), so the mechanisms after it read
    it; eca is recomputed only at the next step's currents."""
    for state, (ion, what) in writes.items():
        value, entry = new_states[state], pools[ion]
        ci = (jnp.broadcast_to(value, entry[what].shape) if plan.covers_all(pl)
              else entry[what].at[pl.sites].set(value))
        pools = {**pools, ion: {**entry, what: ci}}
    return pools


def written_pools(plan: Plan, params, chan_states, pools):
    """``pools`` plus, for each ion whose concentration a mechanism writes, what the others read at
    the writer's sites: the written concentrations ("ci" from a ``cai`` writer, "co" from a ``ko``
    writer), the other side's as the compartment's readers give it (``ion_style``: one value per
    segment, NEURON's default where none reads one), and the Nernst potential "e" from both at the
    run's celsius (NEURON's ion style once a concentration is written: nocmodl's
    ``nrn_promote(ion, 3, 0)`` for either side). Elsewhere the readers keep their own fields
    ("active" = 0). Inside writes are set before outside ones, so one mechanism may write ki and
    another ko in one compartment."""
    found = writers(plan, params)
    if not found:
        return pools
    dynamic = {p.name for p in plan.pools}
    out, written = dict(pools), set()
    for side in ("ci", "co"):
        for pl, writes in found:
            for state, (ion, what) in writes.items():
                if what != side:
                    continue
                if ion in dynamic:
                    raise ModelError(f"ion {ion!r}: a dynamic pool (add_ions) and mechanism {pl.name!r}, "
                                     f"which writes {state}, in one model; keep one of them")
                value = chan_states[pl.name][state]
                const = type(params["channels"][pl.name]).ion_constants[ion]
                entry = out.get(ion) or {**readers_concentrations(plan, params, ion, const, value.dtype),
                                         "active": jnp.zeros((plan.n,), value.dtype), "z": const["z"]}
                if plan.covers_all(pl):
                    entry = {**entry, what: jnp.broadcast_to(value, (plan.n,)), "active": jnp.ones((plan.n,), value.dtype)}
                else:
                    entry = {**entry, what: entry[what].at[pl.sites].set(value),
                             "active": entry["active"].at[pl.sites].set(1.0)}
                out[ion] = {**entry, "z": const["z"]}
                written.add(ion)
    for ion in written:
        e = out[ion]
        out[ion] = {"ci": e["ci"], "co": e["co"], "active": e["active"],
                    "e": nernst(e["ci"], e["co"], e["z"], params["celsius"])}
    return written_reversals(plan, found, chan_states, out)


def written_reversals(plan: Plan, found, chan_states, pools):
    """``pools`` with each reversal potential a mechanism writes (``found``: ``writers``) set at its
    sites from its state: NEURON's ion then keeps the written value (its style "e state": no Nernst,
    even where a concentration is written), which every mechanism's currents read at the next step."""
    out = dict(pools)
    for pl, writes in found:
        for state, (ion, what) in writes.items():
            if what != "e":
                continue
            value = chan_states[pl.name][state]
            entry = out.get(ion) or {"active": jnp.zeros((plan.n,), value.dtype)}
            e = entry.get("e", jnp.zeros((plan.n,), value.dtype))
            if plan.covers_all(pl):
                e, active = jnp.broadcast_to(value, (plan.n,)), jnp.ones((plan.n,), value.dtype)
            else:
                e, active = e.at[pl.sites].set(value), entry["active"].at[pl.sites].set(1.0)
            out[ion] = {**entry, "e": e, "active": active}
    return out
