"""Bounds on the work one request may start, checked before anything is allocated or compiled.

A small typo (``tstop=1e9``, ``ncomp=10000000``, an SWC coordinate of 1e9 um, a grid of 1e8 points)
must not make the machine swap for minutes and then die with a traceback. Every entry point that
starts work estimates it first (compartments, time steps, compartment-steps, bytes, grid points)
and calls :func:`check`, which refuses an estimate beyond its limit with one line that states the
estimate, the limit, and the variable that raises it.

The limits are generous for this kind of machine (a 2-core laptop with ~16 GB) and each can be
raised by who means it::

    EXCITABLE_MAX_COMPARTMENTS=5000000 excitable run propagation --set ncomp=4000000
    EXCITABLE_LIMITS=off ...          # no limit at all (also 0/no/false)

This module imports nothing heavy: the CLI checks before JAX is imported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from excitable.errors import ModelError


@dataclass(frozen=True)
class Limit:
    """One bounded quantity: its default, the unit it is counted in, the variable that raises it."""

    default: float
    unit: str
    variable: str
    scale: float = 1.0  # the variable's unit in counted units (MB -> bytes)

    def value(self) -> float:
        raw = os.environ.get(self.variable)
        if raw is None:
            return self.default
        try:
            x = float(raw) * self.scale
        except ValueError:
            raise ModelError(f"{self.variable} must be a number, got {raw!r}") from None
        if not x > 0:
            raise ModelError(f"{self.variable} must be > 0, got {raw!r}")
        return x


#: What is bounded. ~1e8 compartment-steps take about a second on one CPU core, so the default of
#: 5e10 is minutes of computing; 4 GiB of traces fits a 16-GB machine with room to spare.
LIMITS: dict[str, Limit] = {
    "compartments": Limit(2e6, "compartments", "EXCITABLE_MAX_COMPARTMENTS"),
    "steps": Limit(2e8, "time steps", "EXCITABLE_MAX_STEPS"),
    "work": Limit(5e10, "compartment-steps", "EXCITABLE_MAX_WORK"),
    "memory": Limit(4096 * 2**20, "bytes", "EXCITABLE_MAX_MEMORY_MB", scale=2**20),
    "grid": Limit(1e5, "grid points", "EXCITABLE_MAX_GRID"),
}


def enabled() -> bool:
    return os.environ.get("EXCITABLE_LIMITS", "1").strip().lower() not in ("0", "off", "no", "false")


def limit(quantity: str) -> float:
    """The limit in force for ``quantity`` (a key of ``LIMITS``); infinity when limits are off."""
    return LIMITS[quantity].value() if enabled() else float("inf")


def check(quantity: str, estimate: float, what: str) -> None:
    """Raise ModelError if ``estimate`` (in ``LIMITS[quantity].unit``) is over the limit.

    ``what`` names the request in the message, e.g. ``"tstop=1e+09 ms at dt=0.025 ms"``.

    Example:
        >>> check("steps", 4000, "tstop=100 ms at dt=0.025 ms")
    """
    if estimate != estimate:  # NaN: the inputs were not numbers; their own checks name them
        return
    lim = limit(quantity)
    if estimate > lim:
        spec = LIMITS[quantity]
        shown = _human(estimate, spec.unit)
        raise ModelError(f"{what} needs {shown}, over the limit of {_human(lim, spec.unit)} "
                         f"(set {spec.variable} to raise it, or EXCITABLE_LIMITS=off)")


def _human(x: float, unit: str) -> str:
    if unit == "bytes":
        for name, size in (("GB", 2**30), ("MB", 2**20), ("kB", 2**10)):
            if x >= size:
                return f"{x / size:.3g} {name}"
        return f"{x:.0f} bytes"
    return f"{x:.3g} {unit}"
