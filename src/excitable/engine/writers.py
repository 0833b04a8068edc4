"""NEURON's mechanism order where concentrations are written: which mechanisms write an ion's
concentration (an imported calcium pool, io/nmodl/concentrations.py), and the order in which
``finitialize`` and ``nrn_state`` run the mechanisms (writers first: NEURON's nrn_writes_conc moves
them right after the ions), with the concentration a writer stores seen by the ones after it; and
which ions' total currents are read in ``nrn_state`` (``read_currents``)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from excitable.engine.plan import Plan
from excitable.errors import ModelError


def writers(plan: Plan, params):
    """(placement, {state: (ion, "ci")}) of every mechanism that writes an ion concentration (an
    imported calcium pool, io/nmodl/concentrations.py)."""
    out, seen = [], {}
    for pl in plan.placements:
        writes = getattr(type(params["channels"][pl.name]), "conc_writes", None)
        if writes:
            for state, (ion, _) in writes.items():  # NEURON lets two write one ion; we do not pick one
                for other, sites in seen.get(ion, ()):
                    common = np.intersect1d(sites, np.asarray(pl.sites))
                    if len(common):
                        raise ModelError(f"mechanisms {other!r} and {pl.name!r} both write {state} (ion {ion!r}) in "
                                         f"compartment {int(common[0])}; insert one {ion} pool per compartment")
                seen.setdefault(ion, []).append((pl.name, np.asarray(pl.sites)))
            out.append((pl, writes))
    return out


def read_currents(plan: Plan, params) -> set[str]:
    """The ions whose current some mechanism reads (an ``(ion, "current")`` field: a pool's ``ica``,
    a Ca-dependent K current integrating ``ica`` into a variable of its own, as Aradi & Holmes'
    CadepK): the ions whose compartment total ``stepping.written_currents`` computes each step."""
    return {ion for pl in plan.placements for ion, what in type(params["channels"][pl.name]).ion_fields.values()
            if what == "current"}


def in_neuron_order(plan: Plan, params):
    """The placements in NEURON's mechanism order for nrn_init and nrn_state, with what each writes:
    (placement, {state: (ion, "ci")} or None). NEURON moves every concentration writer right after
    the ions (nrn_writes_conc), so the writers come first, in insertion order, then the others:
    every other mechanism sees the concentration a writer stored this step (or in INITIAL), whatever
    order the user inserted them in (checked against NEURON with a Ca-dependent gate whose file sorts
    before the pool's: tests/io/nmodl/test_pools.py)."""
    written = dict((pl.name, writes) for pl, writes in writers(plan, params))
    return ([(pl, written[pl.name]) for pl in plan.placements if pl.name in written]
            + [(pl, None) for pl in plan.placements if pl.name not in written])


def store_written(plan: Plan, pl, writes, new_states, pools):
    """``pools`` with the concentrations a writer just computed stored at its sites: NEURON's writer
    stores its new cai in the ion at once (nrn_state, nrn_init), so the mechanisms after it read
    it; eca is recomputed only at the next step's currents."""
    for state, (ion, what) in writes.items():
        value, entry = new_states[state], pools[ion]
        ci = (jnp.broadcast_to(value, entry[what].shape) if plan.covers_all(pl)
              else entry[what].at[pl.sites].set(value))
        pools = {**pools, ion: {**entry, what: ci}}
    return pools
