"""Morphology -> compartments (NEURON's nodes): areas and axial conductances from the 3-D points.

NEURON's discretization, reproduced exactly (src/nrnoc/treeset.cpp, ``nrn_area_ri``/``diam_from_list``):

- A section of ``nseg`` segments has one node at each segment centre, x = (k + 0.5)/nseg, and a
  zero-area node at its 1-end; the root section also has a zero-area node at its 0-end.
- A child attaches to the parent's node at ``parent_x``: parent(1) is the parent's 1-end node,
  parent(0) the parent's 0-end node (for a non-root parent: the node that parent hangs from), and
  0 < x < 1 the centre of segment ``floor(x * nseg)`` (NEURON's ``sec(x)``).
- Each segment's area, mean diameter and half-segment resistances come from its 3-D points
  (``segment_geometry``: frusta, NEURON's single-precision points with ``float32_points=True``).
  The resistance between a node and its parent node is: the left half of the first segment for a
  node hanging from its parent section, the right half of the previous segment plus the left half
  of this one inside a section, and the right half of the last segment for the 1-end node.
- How many segments each section gets (``nseg``, ``dx_um`` or ``d_lambda``), and the check of their
  number against ``excitable.limits`` before anything is allocated: ``segment_counts``.

Zero-area nodes that carry no current (leaves: a 1-end with nothing attached, a root 0-end with nothing
attached) are dropped, so a single cylinder with nseg = 1 is exactly one compartment. Zero-area nodes
that join sections are kept (area 0; the engine must give them no capacitance).

Units: um, um^2, ohm*cm, uF/cm2, Hz; axial conductances in nS (1/GOhm).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from excitable.errors import ModelError, check_number
from excitable.model.morphology import Morphology
from excitable.model.segment_counts import per_section, segment_counts
from excitable.model.segment_geometry import SectionPoints, integrate_segments, section_points

__all__ = ["Compartments", "discretize"]

#: Compartments' arrays, made read-only once built
_FIELDS = ("parent", "area_um2", "g_axial_nS", "section", "x", "region", "distance_um", "xyz_um", "diam_um",
           "nseg", "first_node", "end_node", "start_node", "length_um")


@dataclass(frozen=True, eq=False)  # holds arrays: compare by identity
class Compartments:
    """The nodes of a discretized morphology, in topological (Hines) order: parent[i] < i.

    Attributes:
        parent: (N,) int, parent node, -1 for the root.
        area_um2: (N,) membrane area; 0 at the zero-area nodes that join sections.
        g_axial_nS: (N,) conductance between node i and parent[i] (nS = 1/GOhm); 0 at the root.
        section: (N,) int section index of each node.
        x: (N,) position on the section: (k + 0.5)/nseg at segment centres, 1.0 (0.0) at an end node.
        region: (N,) object array of region names.
        distance_um: (N,) path distance from the root section's middle (x = 0.5) along the node tree,
            as NEURON's ``h.distance(root(0.5), seg)`` for odd root nseg.
        xyz_um: (N, 3) node positions. diam_um: (N,) mean diameter of the segment (NEURON's
            ``seg.diam``), or the end diameter at an end node.
        nseg: (n_sections,) segments per section. section_names: (n_sections,) names.
        first_node, end_node, start_node: (n_sections,) node of the first segment, of the 1-end
            (-1 if dropped), and of x = 0 (the node the section hangs from; the root's 0-end or -1).
        length_um: (n_sections,) section lengths.
    """

    parent: np.ndarray
    area_um2: np.ndarray
    g_axial_nS: np.ndarray
    section: np.ndarray
    x: np.ndarray
    region: np.ndarray
    distance_um: np.ndarray
    xyz_um: np.ndarray
    diam_um: np.ndarray
    nseg: np.ndarray
    section_names: tuple[str, ...]
    first_node: np.ndarray
    end_node: np.ndarray
    start_node: np.ndarray
    length_um: np.ndarray

    @property
    def n(self) -> int:
        """Number of nodes N."""
        return int(self.parent.shape[0])

    @property
    def segment_length_um(self) -> np.ndarray:
        """(N,) the length of each node's segment, its section's length / nseg (NEURON's dx of the
        section's nodes, ldifus.cpp's ``section_length(sec) / (nnode - 1)``), um."""
        return (self.length_um / self.nseg)[self.section]

    def section_index(self, section: int | str) -> int:
        if isinstance(section, str):
            try:
                return self.section_names.index(section)
            except ValueError:
                raise ModelError(f"section {section!r} not found; known: "
                                 f"{', '.join(self.section_names[:8])}") from None
        s = int(section)
        if not 0 <= s < len(self.section_names):
            raise ModelError(f"section index must be in [0, {len(self.section_names)}), got {section!r}")
        return s

    def index(self, section: int | str, x: float = 0.5) -> int:
        """Node of ``section(x)``, as NEURON's ``sec(x)``.

        0 < x < 1: the centre of segment floor(x * nseg). x = 1: the 1-end node if it exists, else the
        last segment. x = 0: the node the section hangs from (for a child: its parent's node, as in
        NEURON), for the root its 0-end node if it exists, else the first segment.
        """
        s = self.section_index(section)
        xv = check_number("x", x)
        if not 0.0 <= xv <= 1.0:
            raise ModelError(f"x must be in [0, 1], got {x!r}")
        n = int(self.nseg[s])
        if xv == 1.0 and self.end_node[s] >= 0:
            return int(self.end_node[s])
        if xv == 0.0 and self.start_node[s] >= 0:
            return int(self.start_node[s])
        return int(self.first_node[s] + min(int(xv * n), n - 1))

    @property
    def total_area_um2(self) -> float:
        return float(np.sum(self.area_um2))

    def __repr__(self):
        nz = int(np.sum(self.area_um2 == 0))
        return (f"Compartments(N={self.n} ({nz} zero-area junctions), "
                f"{len(self.section_names)} sections, total area {self.total_area_um2:.6g} um2)")


def discretize(morph: Morphology, *, nseg: int | Sequence[int] | None = None,
               dx_um: float | None = None, d_lambda: float | None = None,
               ra_ohm_cm: float | Sequence[float] = 35.4, cm_uF_cm2: float | Sequence[float] = 1.0,
               frequency_hz: float = 100.0, float32_points: bool = True) -> Compartments:
    """Split each section into segments and compute NEURON's node areas and axial conductances.

    Give at most one of ``nseg`` (int or one per section; default 1), ``dx_um`` (the smallest odd nseg
    with segments <= dx_um: `nseg_dx`) or ``d_lambda`` (NEURON's rule `nseg_d_lambda` with the
    AC length constant `lambda_f_um` at ``frequency_hz``, using ``cm_uF_cm2``). ``ra_ohm_cm`` and
    ``cm_uF_cm2`` may be one value or one per section. The number of compartments is checked against
    ``excitable.limits`` ("compartments") before any per-compartment array exists. Time and memory
    are linear in points + compartments.

    Example:
        >>> c = discretize(Morphology.cylinder(length=20, diameter=20))
        >>> c.n, round(float(c.area_um2[0]), 6) == round(math.pi * 20 * 20, 6)
        (1, True)
    """
    if not isinstance(morph, Morphology):
        raise ModelError(f"morph must be a Morphology, got {type(morph).__name__}")
    ns = len(morph.sections)
    given = [k for k, v in (("nseg", nseg), ("dx_um", dx_um), ("d_lambda", d_lambda)) if v is not None]
    if len(given) > 1:
        raise ModelError(f"give only one of nseg, dx_um, d_lambda, got {' and '.join(given)}")
    ra = per_section("ra_ohm_cm", ra_ohm_cm, ns)
    cm = per_section("cm_uF_cm2", cm_uF_cm2, ns, positive=False)
    points = _checked_points(morph, bool(float32_points))
    counts = segment_counts(morph, points, ra, cm, nseg=nseg, dx_um=dx_um, d_lambda=d_lambda,
                            frequency_hz=frequency_hz)
    segments = _segments(morph, points, counts, ra)
    nodes = _all_nodes(morph, points, counts, segments)
    return _without_leaf_ends(morph, points, counts, nodes)


def _source(morph: Morphology) -> str:
    return f"{morph.source}: " if morph.source else ""


def _checked_points(morph: Morphology, float32: bool) -> SectionPoints:
    """The sections' points (``section_points``), refused with one line if a section's length or a
    diameter is 0 or not finite once rounded to single precision."""
    secs = morph.sections
    points = section_points(secs, float32)
    off, d, lengths = points.offsets, points.diam_um, points.lengths_um
    d_ok = np.logical_and.reduceat(np.isfinite(d) & (d > 0), off[:-1])
    bad = np.flatnonzero(~(np.isfinite(lengths) & (lengths > 0)) | ~d_ok)
    if bad.size:  # points 1e-8 um apart at 1000 um, beyond 3.4e38 um or d < 1e-45 um, in float32
        i = int(bad[0])
        raise ModelError(f"{_source(morph)}{secs[i].name} has length {lengths[i]:g} um"
                         f"{'' if d_ok[i] else ' and a diameter of 0 or inf'} with its points in single "
                         f"precision as NEURON stores them; give float32_points=False, or points further "
                         f"apart and within 3.4e38 um")
    return points


def _segments(morph: Morphology, points: SectionPoints, counts: np.ndarray, ra: np.ndarray):
    """Per segment: area (um2), mean diameter (um), left and right half resistances (MOhm); an area
    that overflows a double is refused with one line."""
    with np.errstate(over="ignore"):  # checked below
        seg_area, seg_diam, rleft, rright = integrate_segments(points.offsets, points.arc_um, points.diam_um,
                                                               counts, ra)
    if not np.isfinite(seg_area).all():  # diameters of 1e300 um
        i = int(np.repeat(np.arange(len(counts)), counts)[np.flatnonzero(~np.isfinite(seg_area))[0]])
        raise ModelError(f"{_source(morph)}{morph.sections[i].name}: its membrane area "
                         f"overflows a double; diameters and lengths must be far below 1e150 um")
    return seg_area, seg_diam, rleft, rright


def _attachments(morph: Morphology, lengths: np.ndarray, counts: np.ndarray, first: np.ndarray,
                 end: np.ndarray):
    """Where each section hangs (the row of its parent's node; the root: row 0, its 0-end) and that
    node's path distance from the root's middle (um), parents first (NEURON's connect, h.distance)."""
    secs, ns = morph.sections, len(morph.sections)
    L, cnt, first_, end_ = lengths.tolist(), counts.tolist(), first.tolist(), end.tolist()
    start_ = [0] + [-1] * (ns - 1)
    d0 = [0.0] * ns  # distance of the node each child section hangs from
    for i in range(1, ns):
        s = secs[i]
        p, px = s.parent, s.parent_x
        if px == 1.0:
            start_[i], x = end_[p], 1.0
        elif px == 0.0:
            start_[i], x = start_[p], None
        else:
            k = min(int(px * cnt[p]), cnt[p] - 1)
            start_[i], x = first_[p] + k, (k + 0.5) / cnt[p]
        if x is None:
            d0[i] = 0.5 * L[0] if p == 0 else d0[p]
        else:
            d0[i] = abs(x - 0.5) * L[0] if p == 0 else d0[p] + x * L[p]
    return np.array(start_, dtype=np.int64), d0


@dataclass(frozen=True, eq=False)
class _Nodes:
    """Every node of NEURON's node set, one row each: per section the segment centres and the 1-end
    node, after row 0 (the root's 0-end). Arrays (total,) unless said; r in MOhm to the parent."""

    parent: np.ndarray
    r: np.ndarray
    area: np.ndarray
    x: np.ndarray
    diam: np.ndarray
    dist: np.ndarray
    sec_of: np.ndarray
    first: np.ndarray  # (ns,) row of each section's first segment
    end: np.ndarray  # (ns,) row of each section's 1-end node
    start: np.ndarray  # (ns,) row each section hangs from


def _all_nodes(morph: Morphology, points: SectionPoints, counts: np.ndarray, segments) -> _Nodes:
    """The rows of every node (zero-area ends included), their parents, resistances, areas,
    positions on their sections, diameters and path distances."""
    seg_area, seg_diam, rleft, rright = segments
    ns, lengths, d = len(counts), points.lengths_um, points.diam_um
    total = int(counts.sum()) + ns + 1
    first = np.cumsum(counts + 1) - counts  # each section's first row; row 0: the root's 0-end
    end = first + counts
    start, d0 = _attachments(morph, lengths, counts, first, end)
    parent = np.arange(-1, total - 1)
    parent[first] = start
    seg_sec = np.repeat(np.arange(ns), counts)
    seg_k = np.arange(len(seg_sec)) - (np.cumsum(counts) - counts)[seg_sec]  # segment within section
    rows = np.arange(len(seg_sec)) + seg_sec + 1  # row of each segment centre
    r = np.full(total, math.inf)  # MOhm to the parent: left half; + the previous right half inside
    r[rows] = rleft
    inner = seg_k > 0
    r[rows[inner]] = rright[np.flatnonzero(inner) - 1] + rleft[inner]
    r[end] = rright[np.cumsum(counts) - 1]
    area, x, diam = np.zeros(total), np.zeros(total), np.empty(total)
    area[rows] = seg_area
    x[rows] = (seg_k + 0.5) / counts[seg_sec]
    x[end] = 1.0
    diam[0], diam[rows], diam[end] = d[0], seg_diam, d[points.offsets[1:] - 1]
    sec_of = np.concatenate([[0], np.repeat(np.arange(ns), counts + 1)])
    dist = np.asarray(d0)[sec_of] + x * lengths[sec_of]
    root = sec_of == 0
    dist[root] = np.abs(x[root] - 0.5) * lengths[0]
    return _Nodes(parent, r, area, x, diam, dist, sec_of, first, end, start)


def _without_leaf_ends(morph: Morphology, points: SectionPoints, counts: np.ndarray,
                       nodes: _Nodes) -> Compartments:
    """The Compartments: every node but the zero-area ends that carry no current (a 1-end with
    nothing attached, the root's 0-end with nothing attached), renumbered; read-only arrays."""
    total, parent, lengths = len(nodes.parent), nodes.parent, points.lengths_um
    degree = np.bincount(parent[parent >= 0], minlength=total) + (parent >= 0)
    is_end = np.zeros(total, dtype=bool)
    is_end[nodes.end], is_end[nodes.start[0]] = True, True
    keep = ~(is_end & (degree <= 1))
    new = np.cumsum(keep) - 1
    remap = lambda a: np.where((a >= 0) & keep[np.maximum(a, 0)], new[np.maximum(a, 0)], -1)  # noqa: E731
    parent = remap(parent[keep])  # the root's centre becomes the root when its 0-end is dropped
    g = np.where(parent >= 0, 1e3 / nodes.r[keep], 0.0)  # 1/MOhm = uS -> nS
    sec_arr, x = nodes.sec_of[keep], nodes.x[keep]
    regions = np.array([s.region for s in morph.sections], dtype=object)
    out = Compartments(
        parent=parent, area_um2=nodes.area[keep], g_axial_nS=g, section=sec_arr, x=x,
        region=regions[sec_arr], distance_um=nodes.dist[keep], xyz_um=_positions(points, sec_arr, x),
        diam_um=nodes.diam[keep], nseg=counts, section_names=morph.names, first_node=remap(nodes.first),
        end_node=remap(nodes.end), start_node=remap(nodes.start), length_um=lengths)
    for name in _FIELDS:
        getattr(out, name).setflags(write=False)
    return out


def _positions(points: SectionPoints, sec_arr: np.ndarray, x: np.ndarray) -> np.ndarray:
    """(N, 3) node positions along their sections' points, for drawing (np.interp: NEURON's numbers)."""
    ns, arc, pts = len(points.lengths_um), points.arc_um, points.xyz_um
    xyz = np.empty((len(sec_arr), 3))
    bounds = np.searchsorted(sec_arr, np.arange(ns + 1)).tolist()  # a section's nodes are contiguous
    offs, along = points.offsets.tolist(), x * points.lengths_um[sec_arr]
    for i in range(ns):
        a, b, p0, p1 = bounds[i], bounds[i + 1], offs[i], offs[i + 1]
        for q in range(3):
            xyz[a:b, q] = np.interp(along[a:b], arc[p0:p1], pts[p0:p1, q])
    return xyz
