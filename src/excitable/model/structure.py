"""What a Simulation's compiled plan (``engine.plan.Plan``) depends on in its Network, so that a
change made after a run rebuilds the plan instead of being silently ignored: a mechanism inserted,
removed or replaced, a point process placed, ions made dynamic, a cell's compartments rebuilt (its
Ra set), a receptor, connection, spike train, gap junction or POINTER added.

Parameter values (``Cell.set``, ``cm``) are not part of it: ``Simulation.parameters`` reads them
afresh at every run. Building the key costs one pass over the cells' mechanism masks, microseconds
beside a run.
"""

from __future__ import annotations


class StructureKey:
    """The identities of everything the plan was built from. Two keys are equal when every part is
    the same object (or the same mask of sites); the key holds the objects, so none of them can be
    freed and its id reused while the plan built from it is kept."""

    def __init__(self, network):
        self._held = []
        parts = [len(network.cells)]
        for cell in network.cells:
            parts.append(self._hold(cell))
            parts.append(self._hold(cell.compartments))
            for name, mech, sites in cell.structure():
                parts += [name, self._hold(mech), sites.tobytes()]
            parts.append(tuple((self._hold(m), loc) for m, loc in cell.point_mechanisms))
            parts.append(repr(sorted(cell.ion_pools.items())))
        for name, entries in network.receptors.items():
            parts.append((name, tuple(self._hold(e[0]) for e in entries)))
        for group in (network.connections, network.trains, network.gaps, network.pointers):
            parts.append(tuple(self._hold(x) for x in group))
        self._parts = tuple(parts)

    def _hold(self, obj) -> int:
        self._held.append(obj)
        return id(obj)

    def __eq__(self, other) -> bool:
        return isinstance(other, StructureKey) and self._parts == other._parts

    __hash__ = None  # compared, never hashed


def ion_pools(network) -> tuple:
    """The engine's ion pools (``engine.ions.IonPool``): one per ion some cell made dynamic, with its
    valence and whether any cell keeps an outside concentration of it."""
    from excitable.engine.ions import IonPool

    out = []
    for ion in sorted({ion for c in network.cells for ion in c.ion_pools}):
        specs = [c.ion_pools[ion] for c in network.cells if ion in c.ion_pools]
        out.append(IonPool(ion, specs[0]["z"], outside=any("outside" in s for s in specs)))
    return tuple(out)
