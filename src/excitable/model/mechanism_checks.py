"""What a cell checks of the mechanisms it is given (``Cell.insert``, ``Cell.set``, ``Network``):
numbers that are finite and physical for their units, fields that are the compartment's or the
run's own (never given), and one mechanism per name on a cell."""

from __future__ import annotations

import numpy as np

from excitable.errors import ModelError
from excitable.physics.channel import AbstractChannel

#: Parameter units whose values cannot be negative: conductances, permeabilities, concentrations,
#: rate constants and pump currents (a negative gNa would make a sodium channel pump charge uphill).
NONNEGATIVE_UNITS = frozenset({"mS/cm2", "uS", "nS", "cm/s", "mM", "1/ms", "1/(mM ms)", "uA/cm2",
                               "S/cm2", "mho/cm2"})  # the last two: densities of imported .mod files


def check_physical(mechanism: AbstractChannel | type, field: str, values, shown=None) -> None:
    """Raise ModelError naming ``Mechanism.field`` if ``values`` are impossible for its unit
    (negative conductances, permeabilities, concentrations or rates; time constants <= 0).
    ``shown``: what the user gave, named in the message when it is not the values themselves."""
    cls = mechanism if isinstance(mechanism, type) else type(mechanism)
    unit = cls.units.get(field, "")
    vals = np.asarray(values, dtype=float)
    default = getattr(cls, field, None)
    # A .mod file's "tau" whose own default is not > 0 is no time constant: an offset added to one
    # (ModelDB 2017006 ks.mod: tau_noff = 0 ms, which NEURON runs as published): only finite.
    if field.startswith("tau") and unit == "ms" and not (isinstance(default, float) and default <= 0):
        bad, rule = ~(vals > 0), "> 0 ms (a time constant)"
    elif unit in NONNEGATIVE_UNITS and not (isinstance(default, float) and default < 0):
        # (a field whose own default is negative, Izhikevich's b = -2 nS in a .mod file, is not a
        # conductance whatever its unit: only finite)
        bad, rule = ~(vals >= 0), f">= 0 {unit}"
    else:
        bad, rule = ~np.isfinite(vals), "finite"
    if np.any(bad):
        first = float(vals[bad].flat[0])
        src = "" if shown is None else f" (from {shown})"
        raise ModelError(f"{cls.__name__}.{field} must be {rule}, got {first:g}{src}")


def check_mechanism(mechanism: AbstractChannel) -> None:
    for k, v in mechanism.parameters().items():
        try:
            vals = np.asarray(v, dtype=float)
        except (TypeError, ValueError):
            raise ModelError(f"{mechanism.name}.{k} must be a number, got {v!r}") from None
        if not np.all(np.isfinite(vals)):
            raise ModelError(f"{mechanism.name}.{k} must be finite, got {v!r}")
        check_physical(mechanism, k, vals)
    # An imported mechanism's diam/area (its segment's) and dt (the run's) are filled, never given.
    for k in (*getattr(type(mechanism), "geometry_fields", {}), *getattr(type(mechanism), "time_fields", ())):
        if getattr(mechanism, k) != getattr(type(mechanism), k):
            geometry_error(f"{mechanism.name}.{k}")


def geometry_error(path: str):
    if path.endswith(".dt"):
        raise ModelError(f"{path} is the run's time step; set Simulation(dt=...) instead")
    raise ModelError(f"{path} is the compartment's own (NEURON's segment {path.split('.')[-1]}); "
                     "change the morphology instead")


def check_same_kind(existing: AbstractChannel | None, mechanism: AbstractChannel) -> None:
    """Refuse a mechanism whose name another class already holds on the cell (a .mod file of
    SUFFIX Leak beside excitable's Leak: one would have run with the other's values)."""
    if existing is not None and type(existing) is not type(mechanism):
        raise ModelError(f"insert: another mechanism named {mechanism.name!r} is already on this cell "
                         f"({_origin(existing)}, not {_origin(mechanism)}); rename one (a .mod file's SUFFIX)")


def _origin(mechanism) -> str:
    """Where a mechanism's class comes from: its .mod file, or excitable's channels."""
    return getattr(type(mechanism), "source", None) or f"excitable's {type(mechanism).__name__}"
