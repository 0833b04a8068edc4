"""NeuroML morphologies (segments, segment groups) <-> excitable sections.

Import: a NeuroML ``segmentGroup`` marked as a section (neuroLexId sao864921383, what NEURON's and
pyNeuroML's exports write) becomes one of our sections, its segments in order; a cell without them
gets one section per segment. A section's points are its first segment's proximal point and every
segment's distal point (and a proximal point where a segment does not start where the previous one
ended). A child hangs from its parent segment at ``fractionAlong``, i.e. at that arc position along
the parent section. A lone segment of length 0 is NeuroML's sphere: a cylinder of length = diameter
(the same area, as NEURON's import does). ``numberInternalDivisions`` on a section gives its nseg.

Export is the inverse: each section a chain of segments (one per pair of consecutive points) and a
section group carrying nseg, our section name and region as properties, so a round trip keeps them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from excitable.errors import ModelError

SECTION_LEX_ID = "sao864921383"
#: NeuroML's conventional groups -> our region names.
STANDARD_REGIONS = {"soma_group": "soma", "axon_group": "axon", "dendrite_group": "dend"}


@dataclass
class ImportedSection:
    name: str
    region: str
    points: np.ndarray
    segments: list[int]      # NeuroML segment ids, in order
    starts: np.ndarray       # arc position (um) where each segment starts / ends
    ends: np.ndarray
    parent: int | None = None
    parent_x: float = 1.0
    nseg: int | None = None


def _at(where, element) -> str:
    """``where`` (``files.Where``, or a plain string) at ``element``'s line."""
    return where.at(element) if hasattr(where, "at") else str(where)


def _point(p) -> list[float]:
    return [float(p.x), float(p.y), float(p.z), float(p.diameter)]


def sections_of(morph, where: str) -> list[ImportedSection]:
    """The sections of a libNeuroML ``Morphology``, parents before children."""
    segs = {int(s.id): s for s in morph.segments}
    if not segs:
        raise ModelError(f"NeuroML: {where}: the morphology has no segments")
    parent = {i: (None if s.parent is None else int(s.parent.segments)) for i, s in segs.items()}
    for i, p in parent.items():
        if p is not None and p not in segs:
            raise ModelError(f"NeuroML: {_at(where, segs[i])}: segment {i} has parent {p}, which is not a segment")
    groups = [g for g in morph.segment_groups or [] if g.neuro_lex_id == SECTION_LEX_ID and g.members]
    chains = [[int(m.segments) for m in g.members] for g in groups]
    covered = [i for c in chains for i in c]
    if len(set(covered)) != len(covered) or not set(covered) <= set(segs):
        raise ModelError(f"NeuroML: {where}: a segment belongs to two sections, or a section to no segment")
    rest = sorted(set(segs) - set(covered))  # segments of no section group: one section each
    groups, chains = [*groups, *[None] * len(rest)], [*chains, *[[i] for i in rest]]
    names = _names(groups, chains, segs)
    out = [_section(names[k], g, chain, segs, parent, where) for k, (g, chain) in enumerate(zip(groups, chains))]
    return _connect(out, segs, parent, where)


def _names(groups, chains, segs) -> list[str]:
    names = []
    for g, chain in zip(groups, chains):
        prop = _property(g, "excitable:name") if g is not None else None
        seg_name = segs[chain[0]].name
        names.append(prop or (g.id if g is not None else (seg_name or f"seg{chain[0]}")))
    if len(set(names)) != len(names):  # segment names need not be unique: then their ids are
        names = [f"{n}_{chain[0]}" for n, chain in zip(names, chains)]
    return names


def _property(group, tag: str):
    for p in getattr(group, "properties", None) or []:
        if p.tag == tag:
            return p.value
    return None


def _section(name, group, chain, segs, parent, where) -> ImportedSection:
    for a, b in zip(chain, chain[1:]):
        if parent[b] != a:
            raise ModelError(f"NeuroML: {_at(where, segs[b])}: section {name!r}: segment {b} does not continue "
                             f"segment {a}")
    pts, starts, ends = [], [], []
    for k, i in enumerate(chain):
        s = segs[i]
        prox = None if s.proximal is None else _point(s.proximal)
        if k == 0 or (prox is not None and prox != pts[-1]):
            pts.append(prox if prox is not None else [np.nan] * 4)  # filled in from the parent below
        starts.append(len(pts) - 1)
        pts.append(_point(s.distal))
        ends.append(len(pts) - 1)
    nseg = _property(group, "numberInternalDivisions") if group is not None else None
    region = _property(group, "excitable:region") if group is not None else None
    return ImportedSection(name, region or "", np.array(pts, float), list(chain), np.array(starts),
                           np.array(ends), nseg=None if nseg is None else int(nseg))


def _connect(sections, segs, parent, where) -> list[ImportedSection]:
    """Parents, parent_x, missing first points and spheres; sections sorted parents first."""
    owner = {i: (k, j) for k, sec in enumerate(sections) for j, i in enumerate(sec.segments)}
    roots = [k for k, sec in enumerate(sections) if parent[sec.segments[0]] is None]
    if len(roots) != 1:
        raise ModelError(f"NeuroML: {where}: the morphology must have one root segment, got {len(roots)}")
    order, seen = [], set()
    todo = roots[:]
    children = {}
    for k, sec in enumerate(sections):
        p = parent[sec.segments[0]]
        if p is not None:
            children.setdefault(owner[p][0], []).append(k)
    while todo:
        k = todo.pop(0)
        order.append(k)
        seen.add(k)
        todo.extend(children.get(k, []))
    if len(order) != len(sections):
        raise ModelError(f"NeuroML: {where}: segments form a loop or are not connected to the root")
    index = {k: n for n, k in enumerate(order)}
    for k in order:
        sec = sections[k]
        _resolve_points(sec, sections, owner, segs, parent)
        first = sec.segments[0]
        if parent[first] is not None:
            pk, pj = owner[parent[first]]
            psec = sections[pk]
            frac = 1.0 if segs[first].parent.fraction_along is None else float(segs[first].parent.fraction_along)
            arc = _arc(psec.points)
            a, b = arc[psec.starts[pj]], arc[psec.ends[pj]]
            pos = b if frac == 1.0 else a if frac == 0.0 else a + frac * (b - a)
            # exactly 1 (or 0) at the ends: x = 0.9999999999999999 would hang it on the last segment's centre
            x = 1.0 if pos == arc[-1] else float(np.clip(pos / arc[-1], 0.0, 1.0))
            sec.parent, sec.parent_x = index[pk], x
    return [sections[k] for k in order]


def _resolve_points(sec, sections, owner, segs, parent) -> None:
    if np.isnan(sec.points[0]).any():  # no proximal point: where it hangs on its parent segment
        p = parent[sec.segments[0]]
        pk, pj = owner[p]
        psec = sections[pk]
        frac = segs[sec.segments[0]].parent.fraction_along
        frac = 1.0 if frac is None else float(frac)
        a, b = psec.points[psec.starts[pj]], psec.points[psec.ends[pj]]
        start = a + frac * (b - a)
        sec.points[0] = [*start[:3], sec.points[1][3]]
    if len(sec.points) == 2 and np.allclose(sec.points[0, :3], sec.points[1, :3]):
        d = sec.points[0, 3]  # NeuroML's sphere: a cylinder of length d, the same area
        c = sec.points[0, :3]
        sec.points = np.array([[c[0] - d / 2, c[1], c[2], d], [c[0] + d / 2, c[1], c[2], d]])


def _arc(points: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points[:, :3], axis=0), axis=1))])


def nml_id(name: str, taken: set[str]) -> str:
    """A NeuroML id (letters, digits, _; not starting with a digit) for ``name``, unique in ``taken``."""
    base = re.sub(r"\W", "_", name).strip("_") or "section"
    if base[0].isdigit():
        base = "s" + base
    out, k = base, 2
    while out in taken:
        out, k = f"{base}_{k}", k + 1
    taken.add(out)
    return out
