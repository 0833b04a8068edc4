"""Ion concentration dynamics: per-node pools of an ion inside (and, optionally, outside) the membrane.

The ion current (pA, outward positive) a node's mechanisms carry changes the concentrations:

    d[X]i/dt = -I_X / (z F vol_in)              (x units.PA_PER_FARADAY_TO_MM_UM3_PER_MS: pA, um3 -> mM/ms)
    d[X]o/dt = +I_X / (z F vol_out) - ([X]o - [X]bath) / tau_out     (finite extracellular space)

and the concentrations feed back through the mechanisms' ``ion_fields`` (Nernst potentials,
concentrations read by pumps and GHK channels). Content is conserved exactly in the absence of
exchange with the bath: the change of moles inside equals the integrated current / (zF).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from excitable.backends import host_array
from excitable.engine.ion_style import check as checked_ion_style  # noqa: F401 (for Simulation.parameters)
from excitable.physics.ions import nernst
from excitable.units import FARADAY, PA_PER_FARADAY_TO_MM_UM3_PER_MS


@dataclass(frozen=True)
class IonPool:
    """An ion whose concentrations are dynamic. ``outside``: the extracellular side changes too."""

    name: str
    z: int
    outside: bool = False


def pool_params(*, ci, co, vol_in_um3, vol_out_um3=None, co_bath=None, tau_out_ms=None, active=1.0) -> dict:
    """Parameters of one pool (arrays (N,)): initial concentrations (mM), volumes (um3), exchange of
    the extracellular space with the bath (time constant, ms; inf for none)."""
    f = host_array
    co = f(co)
    return {
        "ci": f(ci), "co": co, "vol_in": f(vol_in_um3),
        "vol_out": f(vol_in_um3 if vol_out_um3 is None else vol_out_um3),
        "co_bath": co if co_bath is None else f(co_bath),
        "tau_out": f(np.inf if tau_out_ms is None else tau_out_ms),
        "active": f(active),  # 1 where the concentrations are dynamic
    }


def initial_pools(pools, params, n):
    return {p.name: {"ci": jnp.broadcast_to(params["ions"][p.name]["ci"], (n,)),
                     "co": jnp.broadcast_to(params["ions"][p.name]["co"], (n,))} for p in pools}


def ion_values(pool: IonPool, conc, celsius) -> dict:
    """The quantities mechanisms may read: Nernst potential "e" (mV), "ci" and "co" (mM)."""
    return {"e": nernst(conc["ci"], conc["co"], pool.z, celsius), "ci": conc["ci"], "co": conc["co"]}


def pool_values(pool: IonPool, params, conc, celsius) -> dict:
    """``ion_values`` plus the mask of nodes where the pool is active."""
    return {**ion_values(pool, conc, celsius), "active": params["ions"][pool.name]["active"]}


def advance_pools(pools, params, conc, ion_current_pA, dt):
    """Concentrations after one step of ``dt`` ms driven by each ion's current (pA per node)."""
    new = {}
    for p in pools:
        par = params["ions"][p.name]
        current = ion_current_pA.get(p.name, 0.0)
        flux = current * PA_PER_FARADAY_TO_MM_UM3_PER_MS / (p.z * FARADAY)  # mM um3/ms
        ci = conc[p.name]["ci"] - dt * flux / par["vol_in"]
        co = conc[p.name]["co"]
        if p.outside:
            # Exchange with the bath by exponential relaxation (exact for fixed flux).
            decay = jnp.exp(-dt / par["tau_out"])
            co = par["co_bath"] + (co - par["co_bath"]) * decay + dt * flux / par["vol_out"]
        new[p.name] = {"ci": ci, "co": co}
    return new
