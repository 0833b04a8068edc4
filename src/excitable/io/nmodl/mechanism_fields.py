"""The fields of a class generated from a .mod file (mechanism.py, point.py, artificial.py): its
PARAMETERs with their defaults and units, the ion variables it reads (NEURON's defaults), and, for
a density mechanism, NEURON's segment ``diam`` (um) and ``area`` (um2) where the file declares them."""

from __future__ import annotations

from excitable.io.nmodl import concentrations
from excitable.io.nmodl.describe import SPECIAL, Description, ion_default


def fields(desc: Description) -> dict[str, tuple[float, str]]:
    """name -> (default, unit) of the class's fields: parameters, then the ion variables read."""
    reads = ion_reads(desc)
    out = {k: v for k, v in desc.parameters.items() if k not in reads and k not in SPECIAL}
    if not desc.point:  # NEURON's segment geometry, filled per site from the cell (Cell.mechanism_at_sites)
        out.update({k: GEOMETRY_DEFAULTS[k] for k in geometry(desc)})
    for var, (ion, kind) in reads.items():
        unit = "mV" if kind == "e" else "mM"
        out[var] = (ion_default(ion, kind), unit)
    for var in concentrations.current_reads(desc):  # a pool's ica: the compartment's total (engine)
        out[var] = (0.0, "mA/cm2")
    return out


#: Fields a density mechanism gets from its segment's geometry, with NEURON's values for a default
#: section (L = 100 um, diam = 500 um, nseg = 1), used only outside a cell.
GEOMETRY_DEFAULTS = {"diam": (500.0, "um"), "area": (3.141592653589793 * 500.0 * 100.0, "um2")}
#: The run's time step as a field (ms; NEURON's default 0.025 until the Simulation fills it).
RUN_DT = (0.025, "ms")
#: field -> the compartments' array it is filled from (model.discretize.Compartments).
GEOMETRY_SOURCES = {"diam": "diam_um", "area": "area_um2"}


def geometry(desc: Description) -> tuple[str, ...]:
    """``diam`` and ``area`` where the file declares them (NEURON: the segment's mean diameter, um,
    and its membrane area, um2)."""
    return tuple(k for k in GEOMETRY_DEFAULTS if k in desc.assigned or k in desc.parameters)


def ion_reads(desc: Description) -> dict[str, tuple[str, str]]:
    """The ion variables read that are fields: all but a concentration the file itself writes
    (a pool's own cai is its state)."""
    own = concentrations.conc_writes(desc)
    return {k: v for k, v in desc.ion_reads().items() if k not in own}
