"""NEURON's ion style, per compartment: what the mechanisms of a compartment read as an ion's
reversal potential when one of them uses that ion's concentrations.

In NEURON a mechanism that READs or WRITEs a concentration (``USEION ca READ cai``, ``READ nai``)
promotes that ion's style in its section (``nrn_promote``): the reversal potential is computed by
Nernst from the section's concentrations at the run's celsius, at ``finitialize`` (and at every step
where a mechanism writes the concentration), for every mechanism of the section; a section whose
mechanisms only read ``eca`` keeps the ion's value. A mechanism class says which ions' concentrations
it uses by declaring them in ``ion_constants`` {ion: {"z", "ci", "co"}} (an imported NMODL file,
``io/nmodl/concentrations.py``, a point process too: its placement's sites are the nodes its
instances sit at; a NeuroML pool); every mechanism with an ``(ion, "e")`` field at
those compartments then reads the Nernst value (``stepping.with_ions``). A writer's compartments are
set after this, from its state (``writers.written_pools``). ``check`` refuses, on concrete
parameters, what NEURON would overwrite silently.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from excitable.errors import ModelError
from excitable.physics.ions import nernst


def promoted_ions(plan, params) -> dict[str, dict[str, float]]:
    """Ion -> its constants (``ion_constants``) for each ion whose concentrations a mechanism of the
    model uses and whose reversal potential some mechanism reads (an ``(ion, "e")`` field): the
    ions whose ``eX`` NEURON's ion style changes. Empty for every other model, whose traced code is
    then unchanged."""
    used = _used_ions(plan, params)
    read_e = {ion for pl in plan.placements for ion, what in type(params["channels"][pl.name]).ion_fields.values()
              if what == "e"}
    return {ion: used[ion] for ion in sorted(used) if ion in read_e}


def _used_ions(plan, params) -> dict[str, dict[str, float]]:
    """Ion -> constants, for each ion whose concentrations a mechanism of the model uses."""
    return {ion: c for pl in plan.placements
            for ion, c in (getattr(type(params["channels"][pl.name]), "ion_constants", None) or {}).items()}


def _users(plan, params, ion: str) -> np.ndarray:
    """Whether a mechanism using ``ion``'s concentrations sits at each node."""
    at = np.zeros(plan.n, bool)
    for pl in plan.placements:
        if ion in (getattr(type(params["channels"][pl.name]), "ion_constants", None) or {}):
            at[np.asarray(pl.sites)] = True
    return at


def _concentration_fields(plan, params, ion: str):
    """(placement, field, "ci" | "co") of every field that reads ``ion``'s concentrations."""
    return [(pl, f, what) for pl in plan.placements
            for f, (i, what) in type(params["channels"][pl.name]).ion_fields.items() if i == ion and what in ("ci", "co")]


def promoted(plan, params, pools):
    """``pools`` plus, for each of ``promoted_ions``, at the nodes of its concentration users: the
    compartment's concentrations "ci", "co" (the readers' fields, NEURON's defaults where none reads
    one) and "e" = Nernst(ci, co) at the run's celsius, which every mechanism there reads
    (``stepping.with_ions``). A writer's nodes are set after (``writers.written_pools``); an ion's
    dynamic pool (``add_ions``) keeps its own nodes."""
    ions = promoted_ions(plan, params)
    if not ions:
        return pools
    out = dict(pools)
    for ion, const in ions.items():
        dtype = jnp.result_type(params["cm"])  # the run's precision
        conc = readers_concentrations(plan, params, ion, const, dtype)
        active = jnp.zeros(plan.n, dtype)  # built as the writers' masks are: no array constant (GPU kernels)
        for pl in plan.placements:
            if ion in (getattr(type(params["channels"][pl.name]), "ion_constants", None) or {}):
                active = jnp.ones(plan.n, dtype) if plan.covers_all(pl) else active.at[pl.sites].set(1.0)
        entry = {**conc, "e": nernst(conc["ci"], conc["co"], const["z"], params["celsius"]), "active": active,
                 "z": const["z"]}
        if ion in pools:  # a dynamic pool's nodes keep the pool's values
            dyn = pools[ion]["active"] > 0
            entry = {k: jnp.where(dyn, pools[ion][k], entry[k]) for k in ("ci", "co", "e")} | {
                "active": jnp.maximum(active, pools[ion]["active"]), "z": const["z"]}
        out[ion] = entry
    return out


def readers_concentrations(plan, params, ion: str, const, dtype):
    """{"ci", "co"}: ``ion``'s concentrations (mM) at every node as its readers' fields give them
    (NEURON keeps one per segment: ``check`` refuses readers that disagree), NEURON's defaults
    (``const``) where none reads one."""
    conc = {"ci": jnp.full(plan.n, const["ci"], dtype), "co": jnp.full(plan.n, const["co"], dtype)}
    for pl, f, what in _concentration_fields(plan, params, ion):  # in insertion order
        value = getattr(params["channels"][pl.name], f)
        conc[what] = (jnp.broadcast_to(value, (plan.n,)) if plan.covers_all(pl)
                      else conc[what].at[pl.sites].set(value))
    return conc


def check(plan, params):
    """``params``, after refusing in one line what NEURON's ion style would silently overwrite:
    a reversal potential set (a field other than its default) where the ion's concentrations are
    used (NEURON recomputes it by Nernst at finitialize, and at every step beside a writer), and two
    readers of one compartment that disagree on a concentration (NEURON keeps one per segment).
    Nodes of a dynamic pool (``add_ions``) are left out: the pool sets all three there. Two
    mechanisms giving one ion different valences are refused too (NEURON refuses to load them)."""
    _check_valences(plan, params)
    for ion in _used_ions(plan, params):
        free = ~_dynamic(params, ion, plan.n)
        _check_agree(plan, params, ion, free)
        if ion not in promoted_ions(plan, params):
            continue
        users = _users(plan, params, ion) & free
        for pl in plan.placements:
            chan, sites = params["channels"][pl.name], np.asarray(pl.sites)
            for f in (f for f, (i, what) in type(chan).ion_fields.items() if i == ion and what == "e"):
                if not hasattr(type(chan), f):  # no default to tell a set value by
                    continue
                value = np.broadcast_to(np.asarray(getattr(chan, f), float), sites.shape)
                bad = users[sites] & (value != getattr(type(chan), f))
                if np.any(bad):
                    k = int(np.argmax(bad))
                    user = next(u.name for u in plan.placements if sites[k] in np.asarray(u.sites)
                                and ion in (getattr(type(params["channels"][u.name]), "ion_constants", None) or {}))
                    raise ModelError(f"{pl.name}.{f} = {value[k]:g} mV in compartment {int(sites[k])}: {user} uses "
                                     f"{ion} concentrations there, so NEURON computes {f} from them by Nernst (its ion "
                                     f"style) and overwrites a set value; set {ion}i/{ion}o instead")
    return params


def _dynamic(params, ion: str, n: int) -> np.ndarray:
    """Whether a dynamic pool of ``ion`` (``add_ions``) is active at each node."""
    pool = params.get("ions", {}).get(ion)
    return np.zeros(n, bool) if pool is None else np.broadcast_to(np.asarray(pool["active"]) > 0, (n,))


def _check_agree(plan, params, ion: str, free: np.ndarray) -> None:
    known = {"ci": np.full(plan.n, np.nan), "co": np.full(plan.n, np.nan)}  # per node: the first reader's
    owner = {"ci": np.full(plan.n, "", object), "co": np.full(plan.n, "", object)}
    for pl, f, what in _concentration_fields(plan, params, ion):
        sites = np.asarray(pl.sites)
        value = np.broadcast_to(np.asarray(getattr(params["channels"][pl.name], f), float), sites.shape)
        before = known[what][sites]
        clash = free[sites] & ~np.isnan(before) & (before != value)
        if np.any(clash):
            k = int(np.argmax(clash))
            raise ModelError(f"{owner[what][sites[k]]} = {before[k]:g} and {pl.name}.{f} = {value[k]:g} mM in "
                             f"compartment {int(sites[k])}: NEURON keeps one {f} per segment; set them alike")
        fresh = np.isnan(before)
        known[what][sites[fresh]] = value[fresh]
        owner[what][sites[fresh]] = f"{pl.name}.{f}"


def _check_valences(plan, params) -> None:
    first: dict[str, tuple[float, str]] = {}
    for pl in plan.placements:
        for ion, c in (getattr(type(params["channels"][pl.name]), "ion_constants", None) or {}).items():
            z, name = first.setdefault(ion, (c["z"], pl.name))
            if z != c["z"]:
                raise ModelError(f"{name} gives ion {ion!r} valence {z:g} and {pl.name} {c['z']:g}: NEURON "
                                 f"refuses two valences for one ion; give the files the same VALENCE")
