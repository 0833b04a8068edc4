"""POINTERs of imported mechanisms pointed at a V elsewhere (``Network.pointer``), and the plan's
list of them (``targets``), which refuses a POINTER left unset in one line (NEURON crashes on one:
a segmentation fault at ``finitialize``, checked with NEURON 9.0.2).

A target is a point process placed in the network (the very instance given to ``Cell.place``,
``Network.synapse`` or ``connect``: NEURON's ``h.setpointer(sec(x)._ref_v, "vgap", half)``), or, for a
density mechanism, the site of the compartment whose instance is pointed (NEURON's
``h.setpointer(other(x)._ref_v, "vpre", sec(x).mech)``), its POINTER named "SUFFIX.name".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from excitable.errors import ModelError
from excitable.model.stimuli import Location, Site
from excitable.physics.channel import AbstractChannel


@dataclass(frozen=True, eq=False)
class Pointer:
    """One POINTER set: of a point process instance (``point``) or of the density mechanism
    ``suffix`` at ``at``; ``field`` its name in the file; ``to`` the site whose V it reads."""

    field: str
    to: Site
    point: AbstractChannel | None = None
    suffix: str = ""
    at: Site | None = None


def entry(net, target, name, to) -> Pointer:
    """The ``Pointer`` that ``Network.pointer(target, name, to)`` describes, checked."""
    if not isinstance(name, str):
        raise ModelError(f"pointer: the POINTER's name must be a string such as 'vgap', got {name!r}")
    to = _site(net, to, "to")
    if isinstance(target, AbstractChannel):
        if name not in getattr(type(target), "pointers", ()):
            raise ModelError(f"pointer: {target.name} has no POINTER {name!r} (it has: "
                             f"{', '.join(getattr(type(target), 'pointers', ())) or 'none'})")
        if type(target).kind != "point":
            raise ModelError(f"pointer: {target.name} is a density mechanism: give the site of its compartment "
                             f"and '{target.name}.{name}'")
        _instance(net, target)  # placed in this network, once
        return Pointer(name, to, point=target)
    at = _site(net, target, "target")
    suffix, _, field = name.partition(".")
    dens = net.density_mechanisms()
    if suffix not in dens or not field:
        raise ModelError(f"pointer: {name!r}: name a density mechanism's POINTER as 'SUFFIX.name' "
                         f"(inserted: {', '.join(dens) or 'none'})")
    sites, mech = dens[suffix]
    if field not in getattr(type(mech), "pointers", ()):
        raise ModelError(f"pointer: {suffix} has no POINTER {field!r} (it has: "
                         f"{', '.join(getattr(type(mech), 'pointers', ())) or 'none'})")
    if net.node(at) not in set(sites.tolist()):
        raise ModelError(f"pointer: {suffix} is not inserted at {at.at} of cell {at.cell}")
    return Pointer(field, to, suffix=suffix, at=at)


def _site(net, where, what: str) -> Site:
    if isinstance(where, Location):
        where = Site(0, where)
    if not isinstance(where, Site):
        only = " (a POINTER reads the V there; other variables are not supported)" if what == "to" else ""
        raise ModelError(f"pointer: {what} must be a Site(cell, Location) or a Location{only}, got {where!r}")
    return net.site(where.cell, where.at)


def _instances(net) -> dict[str, list[AbstractChannel]]:
    """name -> its point process instances in the order of ``Network.point_mechanisms``."""
    out = {k: [m for m, _, _ in v] for k, v in net.receptors.items()}
    for c in net.cells:
        for mech, _ in c.point_mechanisms:
            out.setdefault(mech.name, []).append(mech)
    return out


def _instance(net, target) -> tuple[str, int]:
    found = [(name, k) for name, items in _instances(net).items() for k, m in enumerate(items) if m is target]
    if not found:
        raise ModelError(f"pointer: this {target.name} is not placed in the network (Cell.place or Network.synapse "
                         "first)")
    if len(found) > 1:
        raise ModelError(f"pointer: this {target.name} instance is placed {len(found)} times; "
                         "place a new instance for each place")
    return found[0]


def targets(net) -> tuple[tuple[str, str, np.ndarray], ...]:
    """(mechanism, POINTER, (n_sites,) node whose V each site reads) for every mechanism with
    POINTERs; a POINTER of a site left unset is refused in one line."""
    wanted = {}  # (mechanism, field) -> (n_sites,) target node, -1 where unset
    for name, items in _instances(net).items():
        for field in getattr(type(items[0]), "pointers", ()):
            wanted[(name, field)] = np.full(len(items), -1, int)
    dens = net.density_mechanisms()
    for name, (sites, mech) in dens.items():
        for field in getattr(type(mech), "pointers", ()):
            wanted[(name, field)] = np.full(len(sites), -1, int)
    for p in net.pointers:
        if p.point is not None:
            name, k = _instance(net, p.point)
        else:
            name, k = p.suffix, int(np.nonzero(dens[p.suffix][0] == net.node(p.at))[0][0])
        wanted[(name, p.field)][k] = net.node(p.to)
    for (name, field), nodes in wanted.items():
        if (nodes < 0).any():
            k = int(np.nonzero(nodes < 0)[0][0])
            where = f"{name}[{k}]" if name not in dens else f"{name} at node {int(dens[name][0][k])}"
            raise ModelError(f"{where}: POINTER {field} is not set; point it at a V with "
                             f"Network.pointer(mechanism, {field!r}, site) (NEURON: h.setpointer)")
    return tuple((name, field, nodes) for (name, field), nodes in wanted.items())
