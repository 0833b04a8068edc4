"""Mechanisms that write ion concentrations (a calcium pool: ``USEION ca READ ica WRITE cai`` with
``STATE { cai }``), with NEURON's semantics.

What NEURON does, and what the generated class declares so the engine (``engine.stepping``) does it:
- the written concentration is a STATE of the file; at ``finitialize`` it starts from the ion's
  value (NEURON's ``cai0_ca_ion``, 5e-5 mM for calcium) before the file's INITIAL, which may set it;
- every other mechanism of the compartment reads it (``cai``), and the ion's reversal potential
  follows it by Nernst, eca = RT/(zF) ln(cao/cai) at every step (NEURON's ion style once a
  mechanism writes ``cai``), with ``cao`` fixed (the writer's own ``cao`` if it reads one, else
  NEURON's default 2 mM);
- the ion current it READs (``ica``) is the compartment's total, every mechanism's ``ica``
  computed in BREAKPOINT at the V and states of the start of the step (NEURON's ``nrn_cur``
  accumulating into the ion, read by ``nrn_state``), in mA/cm2.

Declared on the class: ``conc_writes`` {state: (ion, "ci")}, ``ion_constants`` {ion: {"z", "ci",
"co"}} (valence and NEURON's default concentrations, mM) and, in ``ion_fields``, the ion currents
read as (ion, "current").

Readers of a concentration (``USEION ca READ cai``, ``READ nai`` ...) promote the ion's style too
(NEURON's ``nrn_promote(conc = 1)``: e_style "assigned" with ``einit``): at ``finitialize`` NEURON
computes the reversal potential of that ion by Nernst from the segment's concentrations, at the run's
celsius, for every mechanism of the section (with no writer the concentrations stay fixed, so that
value holds for the whole run). A section whose mechanisms only read ``eca`` keeps the ion's value
(132.458 mV unless set). ``ion_constants`` names every ion whose concentrations the file reads or
writes; ``promoted`` does the rest per compartment (a NEURON section is all of its segments; here a
compartment is promoted where such a mechanism is inserted), and ``check`` refuses a reversal
potential set where it would be overwritten, and readers of one compartment that disagree on a
concentration (NEURON keeps one value per segment).

Not done (refused or documented): writing ``cao`` or ``eca``, a concentration that is not a STATE
(an ASSIGNED ``cai`` set in BREAKPOINT), an ion current read by a mechanism that writes no
concentration of that ion (NEURON would give it a partial sum, in mechanism order); point processes
do not promote a style (they read the compartment's).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from excitable.errors import ModelError
from excitable.io.nmodl.describe import ION_DEFAULTS, Description, Ion
from excitable.physics.ions import nernst


def writable(desc: Description, ion: Ion, var: str) -> bool:
    """Whether ``WRITE var`` of ``ion`` is run: an inside concentration that is a STATE of the file,
    or an ASSIGNED one that a SOLVE'd block sets (a shell pool's ``cai = ca[0]``: NEURON copies it
    to the ion after ``nrn_state``, as a STATE's)."""
    if ion.kind(var) != "i" or ion.name not in ION_DEFAULTS:
        return False
    return var in desc.states or (var in desc.assigned and _set_in_solve(desc, var))


def _set_in_solve(desc: Description, var: str) -> bool:
    import re

    from excitable.io.nmodl.parse import dsl

    blocks = [desc.derivatives[b] for b, _ in desc.solves if b in desc.derivatives]
    return any(re.search(rf"\b{re.escape(var)}\s*=(?!=)", dsl().to_nmodl(b)) for b in blocks)


def readable_current(desc: Description, ion: Ion, var: str) -> bool:
    """Whether ``READ var`` (an ion current) is run: only by a mechanism that writes that ion's
    inside concentration (a pool integrating the total current)."""
    return ion.kind(var) == "current" and any(writable(desc, ion, w) for w in ion.write)


def conc_writes(desc: Description) -> dict[str, tuple[str, str]]:
    """Written concentration state -> (ion, "ci"), e.g. {"cai": ("ca", "ci")}."""
    return {var: (ion.name, "ci") for ion in desc.ions for var in ion.write if writable(desc, ion, var)}


def current_reads(desc: Description) -> dict[str, tuple[str, str]]:
    """Ion current read -> (ion, "current"), e.g. {"ica": ("ca", "current")}."""
    return {var: (ion.name, "current") for ion in desc.ions for var in ion.read
            if readable_current(desc, ion, var)}


def ion_constants(desc: Description) -> dict[str, dict[str, float]]:
    """Ion whose concentrations the file reads or writes -> valence "z" (the file's VALENCE, else
    NEURON's) and NEURON's default inside and outside concentrations "ci", "co" (mM). An ion named
    here has its style promoted where the mechanism is inserted (``promoted``)."""
    out = {}
    for ion in desc.ions:
        if (ion.name in ION_DEFAULTS and any(ion.kind(r) in ("i", "o") for r in ion.read)
                or any(writable(desc, ion, w) for w in ion.write)):
            d = ION_DEFAULTS[ion.name]
            out[ion.name] = {"z": ion.valence if ion.valence is not None else d["z"], "ci": d["i"], "co": d["o"]}
    return out


def initial_states(desc: Description) -> dict[str, float]:
    """The states' values before INITIAL: 0, and the ion's default for a written concentration
    (NEURON's generated nrn_init copies the ion's ``cai`` into the state before the INITIAL block)."""
    seeds = dict.fromkeys(desc.states, 0.0)
    for var, (ion, _) in conc_writes(desc).items():
        seeds[var] = ION_DEFAULTS[ion]["i"]
    return seeds


# --- NEURON's ion style, per compartment (the engine calls these: engine.stepping) --------------

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
    (``engine.stepping.with_ions``). A writer's nodes are set after (``written_pools``); an ion's
    dynamic pool (``add_ions``) keeps its own nodes."""
    ions = promoted_ions(plan, params)
    if not ions:
        return pools
    out = dict(pools)
    for ion, const in ions.items():
        dtype = jnp.result_type(params["cm"])  # the run's precision
        conc = {"ci": jnp.full(plan.n, const["ci"], dtype), "co": jnp.full(plan.n, const["co"], dtype)}
        active = jnp.zeros(plan.n, dtype)  # built as the writers' masks are: no array constant (GPU kernels)
        for pl in plan.placements:
            if ion in (getattr(type(params["channels"][pl.name]), "ion_constants", None) or {}):
                active = jnp.ones(plan.n, dtype) if plan.covers_all(pl) else active.at[pl.sites].set(1.0)
        for pl, f, what in _concentration_fields(plan, params, ion):  # in insertion order
            value = getattr(params["channels"][pl.name], f)
            conc[what] = (jnp.broadcast_to(value, (plan.n,)) if plan.covers_all(pl)
                          else conc[what].at[pl.sites].set(value))
        entry = {**conc, "e": nernst(conc["ci"], conc["co"], const["z"], params["celsius"]), "active": active,
                 "z": const["z"]}
        if ion in pools:  # a dynamic pool's nodes keep the pool's values
            dyn = pools[ion]["active"] > 0
            entry = {k: jnp.where(dyn, pools[ion][k], entry[k]) for k in ("ci", "co", "e")} | {
                "active": jnp.maximum(active, pools[ion]["active"]), "z": const["z"]}
        out[ion] = entry
    return out


def check(plan, params):
    """``params``, after refusing in one line what NEURON's ion style would silently overwrite:
    a reversal potential set (a field other than its default) where the ion's concentrations are
    used (NEURON recomputes it by Nernst at finitialize, and at every step beside a writer), and two
    readers of one compartment that disagree on a concentration (NEURON keeps one per segment).
    Nodes of a dynamic pool (``add_ions``) are left out: the pool sets all three there."""
    for ion in _used_ions(plan, params):
        free = ~_dynamic(params, ion, plan.n)
        _check_agree(plan, params, ion, free)
        if ion not in promoted_ions(plan, params):
            continue
        users = _users(plan, params, ion) & free
        for pl in plan.placements:
            chan, sites = params["channels"][pl.name], np.asarray(pl.sites)
            for f in (f for f, (i, what) in type(chan).ion_fields.items() if i == ion and what == "e"):
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
