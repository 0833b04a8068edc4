"""The tree along which a state of an imported mechanism diffuses (NMODL's LONGITUDINAL_DIFFUSION:
io/nmodl/longitudinal.py, engine/diffusion.py), built as NEURON builds it (src/nrnoc/ldifus.cpp,
``longdifusalloc``, 9.0.2).

NEURON links each node holding the mechanism to one node toward the root that holds it too:
- its parent node, where that holds the mechanism (the previous segment of the section; for a
  section's first segment, the parent section's node at the connection point, a segment centre for
  0 < x < 1);
- else the parent's parent (the connection at x = 1 is a node without membrane: its parent is the
  parent section's last segment; this also links, through a section without the mechanism, to the
  node it hangs from, as NEURON does);
- else the first segment of the parent section;
- else nothing: that node is a root of the diffusion (no flux across it).
The compartments here are NEURON's nodes (``model.discretize``), so the same walk gives the same
links (checked beside NEURON on a branched cell with a section lacking the mechanism:
tests/io/nmodl/test_longitudinal.py).
"""

from __future__ import annotations

import numpy as np


def cell_parents(cell, name: str) -> np.ndarray:
    """For each site of mechanism ``name`` on ``cell`` (``cell.mechanism_sites`` order: ascending
    nodes), the position among those sites of the site it exchanges with toward the root, or -1.
    Every link points to an earlier site (the nodes are in Hines order)."""
    comp = cell.compartments
    sites = cell.mechanism_sites(name)
    local = np.full(comp.n, -1)
    local[sites] = np.arange(len(sites))
    parent_section = [s.parent for s in cell.morphology.sections]
    return np.array([_linked(int(i), comp, local, parent_section) for i in sites], dtype=int)


def _linked(i: int, comp, local: np.ndarray, parent_section) -> int:
    p = int(comp.parent[i])
    if p < 0:  # the root section's first segment: NEURON's root node has no parent, nor the section
        return -1
    if local[p] >= 0:
        return int(local[p])
    pp = int(comp.parent[p])
    if pp >= 0 and local[pp] >= 0:
        return int(local[pp])
    ps = parent_section[int(comp.section[i])]  # the section's parent section, its first segment
    return -1 if ps is None else int(local[int(comp.first_node[ps])])


def network_parents(net, name: str) -> np.ndarray:
    """``cell_parents`` of every cell holding ``name``, as one forest over the mechanism's sites in
    ``Network.density_mechanisms`` order (cell after cell)."""
    out, offset = [], 0
    for cell in net.cells:
        if name not in cell.mechanisms or not len(cell.mechanism_sites(name)):
            continue
        links = cell_parents(cell, name)
        out.append(np.where(links >= 0, links + offset, -1))
        offset += len(links)
    return np.concatenate(out) if out else np.zeros(0, int)


def diffusion_trees(net) -> tuple:
    """(mechanism, (n_sites,) link of each site) of every mechanism with LONGITUDINAL_DIFFUSION
    (``longitudinal`` on its class) that links at least two of its sites: ``engine.plan.Plan.diffusion``.
    One that links none (a single compartment) diffuses nothing, and is left out."""
    out = []
    for name, (_, mech) in net.density_mechanisms().items():
        if getattr(type(mech), "longitudinal", None):
            links = network_parents(net, name)
            if np.any(links >= 0):
                out.append((name, links))
    return tuple(out)
