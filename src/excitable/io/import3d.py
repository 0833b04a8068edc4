"""SWC points -> sections as plain data (`SwcSections`), with NEURON's Import3d conventions.

The conversion replays NEURON's ``Import3d_SWC_read`` + ``Import3d_GUI.instantiate`` (share/lib/hoc/
import3d/read_swc.hoc, import3d_gui.hoc), so the sections, their 3-D points and their connections are
the ones NEURON builds from the same file:

- Sections are unbranched runs of points of one SWC type; they split at branch points and where the
  type changes. Types 1, 2, 3, 4 -> sections "soma", "axon[i]", "dend[i]", "apic[i]" in regions
  soma, axon, basal, apical; other types t -> "dend_t[i]" ("minus_t[i]" for t < 0), region "dend_t".
- A child section starts with a copy of its parent point; if the parent is a soma and the child is not,
  that first point takes the child's second diameter.
- One-point soma: a cylinder along x of length = diameter = 2r (the sphere's area); neurites attach at
  soma(0.5) and start at their own first point (Import3d's "wire": the soma point is not copied).
- NeuroMorpho three-point soma (centre, then two points at +-r, all the same radius): the same cylinder.
- Multi-point somas (a chain of soma points, possibly branched): soma sections made of the points as
  given, frusta like any section. A neurite whose SWC parent is the first soma point attaches at x = 0,
  an interior soma point at x = 0.5, the last point of a soma section at x = 1.
- One-point and zero-length two-point child sections are removed and their children reattached.

Only data: the sections' names, parents and points. ``Morphology.from_swc`` (``excitable.model``)
builds the `Morphology` and checks each section's geometry; this package imports nothing of the model.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from excitable.io.swc import read_swc_table

__all__ = ["SwcSections", "read_swc_sections"]

_BASE = {1: "soma", 2: "axon", 3: "dend", 4: "apic"}
_REGION = {1: "soma", 2: "axon", 3: "basal", 4: "apical"}


def _mark_branch(typ, pix):
    """read_swc.hoc mark_branch: child counts (+0.01 for non-contiguous or type-changing children)."""
    n = len(typ)
    nchild = [0.0] * n
    c2p = [False] * n  # connect2prox: attach to the 0-end of the parent section
    for i in range(n):
        p = pix[i]
        if p < 0:
            continue
        nchild[p] += 1
        if p != i - 1:
            nchild[p] += 0.01
            if p > 1:
                if typ[p] != 1 and typ[pix[p]] == 1:
                    c2p[i], nchild[p] = True, 1.0
            elif p == 0 and typ[p] != 1:
                c2p[i], nchild[p] = True, 1.0
        if typ[p] != typ[i]:
            nchild[p] += 0.01
    return nchild, c2p


def _import3d_sections(typ, xyz, d, pix):
    """read_swc.hoc sectionify + mksection + import3d_gui.hoc chk_valid: a list of section dicts."""
    n = len(typ)
    nchild, c2p = _mark_branch(typ, pix)
    nchild_soma = [0] * n
    for i in range(1, n):
        if typ[i] == 1 and pix[i] >= 0 and typ[pix[i]] == 1:
            nchild_soma[pix[i]] += 1
    soma3 = False
    if sum(1 for t in typ if t == 1) == 3 and n >= 3 and pix[1] == 0 and pix[2] == 0 \
            and nchild[1] == 0 and nchild[2] == 0 and d[1] == d[0] and d[2] == d[0]:
        length = float(np.linalg.norm(xyz[1] - xyz[0]) + np.linalg.norm(xyz[2] - xyz[0]))
        if abs(length / d[0] - 1) < 0.01:  # NeuroMorpho three-point soma: treat as a sphere
            soma3, pix = True, list(pix)
            pix[2] = 1
    for i in range(n - 1):
        if typ[i] == 1 and typ[i + 1] == 1 and pix[i + 1] == i \
                and not (i != 0 and nchild_soma[i] > 1):
            nchild[i] = 1.0
    ends = [i for i in range(n) if nchild[i] != 1]
    point2sec, si = [0] * n, 0
    for i in range(1, n):
        if i > ends[si]:
            si += 1
        point2sec[i] = si
    secs = []
    starts = [0] + [e + 1 for e in ends[:-1]]
    for k, (first, stop) in enumerate(zip(starts, [e + 1 for e in ends])):
        if k == 0:
            idx = list(range(0, 1 if soma3 else stop))
            secs.append(dict(id=0, idx=idx, diam=[d[j] for j in idx], type=typ[0], parent=None,
                             parentx=1.0, wire=0))
            continue
        pp = pix[first]
        psec = secs[point2sec[pp]]
        den_con_soma = psec["type"] == 1 and typ[first] != 1
        parentx, wire, handled = 1.0, 0, False
        if psec is secs[0]:
            handled = True
            if den_con_soma and len(psec["idx"]) == 1:
                parentx, wire = 0.5, int(stop - first > 1)
            elif pp == psec["id"]:
                parentx = 0.0
                wire = int(typ[first] != 1 and nchild_soma[pp] > 1)
            else:
                handled = False
        if not handled and psec["type"] == 1:
            offset = -1 if psec["id"] == 0 else -2
            if pp < psec["id"] + len(psec["idx"]) + offset:  # interior point of the soma section
                parentx = 0.5
                wire = int(den_con_soma and stop - first > 1)
            elif stop - first > 1 and nchild_soma[pp] > 1 and typ[first] != 1:
                wire = 1
        idx = [pp] + list(range(first, stop))
        diam = [d[j] for j in idx]
        if psec["type"] == 1 and typ[first] != 1:
            diam[0] = diam[1]
        if c2p[first]:
            parentx = 0.0
        secs.append(dict(id=first, idx=idx, diam=diam, type=typ[first], parent=psec,
                         parentx=parentx, wire=wire))
    # chk_valid: remove one-point and zero-length two-point child sections, reattach their children.
    # Import3d removes them last to first, each time moving the removed section's children to its
    # parent and parentx; so a child ends on its nearest kept ancestor, at the parentx of the topmost
    # removed section between them. Worked out parents first (a parent section comes before its
    # children here) that is one pass, where deleting from the list one by one was quadratic.
    removed, pts = [False] * len(secs), xyz.tolist()
    for k in range(1, len(secs)):
        s, w = secs[k], secs[k]["wire"]
        npt = len(s["idx"]) - w
        removed[k] = npt <= 1 or (npt <= 2 and pts[s["idx"][w]] == pts[s["idx"][w + 1]])
    pos = {id(s): k for k, s in enumerate(secs)}
    for k in range(1, len(secs)):
        s = secs[k]
        kp = pos[id(s["parent"])]
        if removed[kp]:  # already moved to where its own children go
            s["parent"], s["parentx"] = secs[kp]["parent"], secs[kp]["parentx"]
    return [s for s, r in zip(secs, removed) if not r]


@dataclass(frozen=True, eq=False)  # holds arrays: compare by identity
class SwcSections:
    """An SWC file's sections as NEURON's Import3d makes them: plain data, parents before children.

    `excitable.model.morphology.Morphology.from_swc` builds the `Morphology` from it (and checks each
    section's geometry); this module builds nothing of the model. Section k is called ``names[k]``, lies
    in region ``regions[k]``, hangs from section ``parents[k]`` (None for the root) at ``parent_x[k]``
    (0..1 along the parent) and has the points ``points[offsets[k]:offsets[k + 1]]`` (`points_of`).

    Attributes:
        source: the file's name, for messages.
        names, regions: per section, Import3d's names ("soma", "dend[3]", ...) and our regions.
        parents, parent_x: per section, the parent's index (None for the root) and where on it.
        points: (total points, 4) float, read-only: x, y, z (um, from the file) and diameter (um) of
            every section's points, one section after the other. The table made them finite and
            bounded with diameters > 0; a section's length may still be 0.
        offsets: (sections + 1,) int: where each section's points start in ``points``.
        lines: per section, the file line of its last point, for messages about the section.
    """

    source: str
    names: tuple[str, ...]
    regions: tuple[str, ...]
    parents: tuple[int | None, ...]
    parent_x: tuple[float, ...]
    points: np.ndarray
    offsets: np.ndarray
    lines: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.names)

    def points_of(self, k: int) -> np.ndarray:
        """(n, 4) x, y, z, diameter (um) of section k: a read-only view into ``points``."""
        return self.points[self.offsets[k]:self.offsets[k + 1]]


def _section_names(secs) -> tuple[list[str], list[str]]:
    """Import3d's section names ("soma", "axon[i]", "dend[i]", "apic[i]", "dend_t[i]", "minus_t[i]"; a
    lone soma section is "soma") and our regions, per section, numbered per SWC type in order."""
    counts: dict[int, int] = {}
    index = []
    for s in secs:
        index.append(counts.get(s["type"], 0))
        counts[s["type"]] = index[-1] + 1
    names, regions = [], []
    for s, i in zip(secs, index):
        ty = s["type"]
        base = _BASE.get(ty, f"dend_{ty}" if ty >= 0 else f"minus_{-ty}")
        names.append(base if (ty == 1 and counts[1] == 1) else f"{base}[{i}]")
        regions.append(_REGION.get(ty, base))
    return names, regions


def _lone_point_as_cylinder(point: np.ndarray) -> np.ndarray:
    """A section of one point (a one-point soma) is a sphere: Import3d's 3-point cylinder along x of
    length = diameter, which has the sphere's area."""
    x, y, z, dd = point
    # NEURON moves the centre already stored in single precision (Pt3d is float): float32(x) -+ d/2,
    # rounded again when stored, not float32(x -+ d/2): the two differ on some files (Allen's
    # Nr5a1_471087815_m.swc, x = 414.8144: the soma's area 2.4e-6 off)
    x = float(np.float32(x))
    return np.array([[x - dd / 2, y, z, dd], [x, y, z, dd], [x + dd / 2, y, z, dd]])


def read_swc_sections(path) -> SwcSections:
    """Read an SWC file into the sections NEURON's Import3d would build from it (see module doc).

    Validates the file as `read_swc_table` does (same errors); returns plain data, no `Morphology`
    (``Morphology.from_swc`` builds one, and is what most callers want).

    Example:
        >>> secs = read_swc_sections("cell.swc")                         # doctest: +SKIP
        >>> secs.names[:2], secs.points_of(0).shape                      # doctest: +SKIP
        (('soma', 'dend[0]'), (3, 4))
    """
    table = read_swc_table(path)
    index_of = {int(i): k for k, i in enumerate(table["id"].tolist())}
    pix = [index_of[int(p)] if p >= 0 else -1 for p in table["parent"].tolist()]
    typ, xyz, d = table["type"].tolist(), table["xyz"], (2.0 * table["radius"]).tolist()
    secs = _import3d_sections(typ, xyz, d, pix)
    names, regions = _section_names(secs)
    # Every section's points in one array (x, y, z from the file, its diameters): thousands of
    # sections are then checked and built at array speed (Morphology.from_swc).
    take = [s["idx"][s["wire"]:] for s in secs]
    sizes = np.fromiter(map(len, take), dtype=np.int64, count=len(secs))
    points = np.empty((int(sizes.sum()), 4))
    points[:, :3] = xyz[np.fromiter(itertools.chain.from_iterable(take), dtype=np.int64,
                                    count=len(points))]
    points[:, 3] = np.fromiter(itertools.chain.from_iterable(s["diam"][s["wire"]:] for s in secs),
                               dtype=float, count=len(points))
    if sizes[0] == 1:  # only the root can be a lone point (Import3d removed shorter child sections)
        points = np.concatenate([_lone_point_as_cylinder(points[0]), points[1:]])
        sizes[0] = 3
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    pos = {id(s): k for k, s in enumerate(secs)}
    line_of_point = table["line"].tolist()
    parents = tuple(None if s["parent"] is None else pos[id(s["parent"])] for s in secs)
    points.setflags(write=False)
    offsets.setflags(write=False)
    return SwcSections(source=table["source"], names=tuple(names), regions=tuple(regions),
                       parents=parents, parent_x=tuple(float(s["parentx"]) for s in secs),
                       points=points, offsets=offsets,
                       lines=tuple(line_of_point[s["idx"][-1]] for s in secs))
