"""Morphology -> compartments (NEURON's nodes): areas and axial conductances from the 3-D points.

NEURON's discretization, reproduced exactly (src/nrnoc/treeset.cpp, ``nrn_area_ri``/``diam_from_list``):

- A section of ``nseg`` segments has one node at each segment centre, x = (k + 0.5)/nseg, and a
  zero-area node at its 1-end; the root section also has a zero-area node at its 0-end.
- A child attaches to the parent's node at ``parent_x``: parent(1) is the parent's 1-end node,
  parent(0) the parent's 0-end node (for a non-root parent: the node that parent hangs from), and
  0 < x < 1 the centre of segment ``floor(x * nseg)`` (NEURON's ``sec(x)``).
- The diameter is linear in 3-D arc length between points. A segment's area is the sum of the lateral
  areas of the frusta it covers, pi (d1 + d2)/2 sqrt(dl^2 + ((d2 - d1)/2)^2) (a zero-length diameter
  step contributes its annulus). The resistance between a node and its parent node is the integral of
  4 Ra / (pi d(l)^2) dl between them, exactly dl / (d1 d2) per frustum: the left half of the first
  segment for a node hanging from its parent section, the right half of the previous segment plus the
  left half of this one inside a section, and the right half of the last segment for the 1-end node.
- NEURON stores 3-D points and diameters in single precision (``struct Pt3d`` is float); with
  ``float32_points=True`` (default) we round them the same way before integrating, so areas and
  resistances agree with NEURON to ~1e-13 instead of ~1e-5 on sub-um segments far from the origin.

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

from excitable import limits
from excitable.errors import ModelError, check_number
from excitable.model.morphology import Morphology

__all__ = ["Compartments", "discretize", "nseg_d_lambda", "nseg_dx", "lambda_f_um"]


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


def _per_section(name: str, value, n: int, *, integer: bool = False, positive: bool = True):
    """``value`` (one number, or one per section) checked and repeated for the ``n`` sections: a float
    array, or a list of Python ints (``integer``; not an array until their sum is checked)."""
    scalar = np.ndim(value) == 0
    if scalar:
        vals = [value]  # checked once, then repeated: a tree has up to 1e5 sections
    else:
        vals = list(value)
        if len(vals) != n:
            raise ModelError(f"{name} must be a number or one value per section ({n}), got {len(vals)}")
    out = []
    for i, v in enumerate(vals):
        field = name if scalar else f"{name}[{i}]"
        if integer:
            x = check_number(field, v)
            if isinstance(v, bool) or not x.is_integer() or x < 1:
                raise ModelError(f"{field} must be an integer >= 1, got {v!r}")
            out.append(int(v) if isinstance(v, (int, np.integer)) else int(x))
        else:
            out.append(check_number(field, v, positive=positive, nonnegative=not positive))
    if scalar:
        out = out * n
    return out if integer else np.array(out, dtype=float)


def _geometry(secs, float32: bool):
    """All sections' points at once: (offsets (ns+1,), arc (P,) um, d (P,), xyz (P, 3)).

    Arc length is float64 from the 3-D steps, restarting at 0 on each section; the points are rounded
    as NEURON's Pt3d (float32) if ``float32``. Every value is the one the per-section formula gives:
    element-wise operations, and each section's cumulative sum is a left-to-right sum of its own steps.
    """
    sizes = np.fromiter((len(s.points) for s in secs), dtype=np.int64, count=len(secs))
    off = np.concatenate([[0], np.cumsum(sizes)])
    p = np.concatenate([s.points for s in secs])
    if float32:
        with np.errstate(over="ignore"):  # beyond 3.4e38 um: inf, refused by the caller
            p = p.astype(np.float32)
    t = np.diff(p[:, :3], axis=0).astype(np.float64)  # float - float is float in C, as in NEURON
    xyz, d = p[:, :3].astype(np.float64), p[:, 3].astype(np.float64)
    step = np.sqrt(t[:, 0] * t[:, 0] + t[:, 1] * t[:, 1] + t[:, 2] * t[:, 2])
    arc = np.zeros(len(p))
    # Sections of the same size m: one (count, m - 1) cumulative sum along rows, each row summed left
    # to right (an accumulate never reorders), so it equals that section's own np.cumsum.
    for m in np.unique(sizes):
        if m < 2:
            continue
        first = off[:-1][sizes == m]
        rows = first[:, None] + np.arange(m - 1)
        arc[rows + 1] = np.cumsum(step[rows], axis=1)
    return off, arc, d, xyz


def lambda_f_um(arc: np.ndarray, d: np.ndarray, frequency_hz: float, ra_ohm_cm: float,
                cm_uF_cm2: float) -> float:
    """AC length constant (um) at ``frequency_hz`` from the 3-D points, as NEURON's stdlib ``lambda_f``:
    L / sum(dl / sqrt(d1 + d2)) / (sqrt(2) 1e-5 sqrt(4 pi f Ra cm))."""
    if cm_uF_cm2 == 0:
        return 1e10
    lam = 0.0
    for k in range(1, len(arc)):  # sequential, in NEURON's order, so nseg matches at the rounding edge
        lam += (arc[k] - arc[k - 1]) / math.sqrt(d[k - 1] + d[k])
    lam *= math.sqrt(2) * 1e-5 * math.sqrt(4 * math.pi * frequency_hz * ra_ohm_cm * cm_uF_cm2)
    return float(arc[-1]) / lam


def nseg_d_lambda(length_um: float, lambda_um: float, d_lambda: float) -> int:
    """NEURON's d_lambda rule: int((L / (d_lambda * lambda_f) + 0.9) / 2) * 2 + 1 (odd)."""
    return int((length_um / (d_lambda * lambda_um) + 0.9) / 2) * 2 + 1


def nseg_dx(length_um: float, dx_um: float) -> int:
    """Smallest odd nseg whose segments are at most ``dx_um`` long: n = ceil(L/dx), +1 if even."""
    n = max(1, math.ceil(length_um / dx_um - 1e-9))
    return n + 1 if n % 2 == 0 else n


def _integrate(off: np.ndarray, arc: np.ndarray, d: np.ndarray, counts: np.ndarray, ra: np.ndarray):
    """Per segment of every section (in section order): area (um2), mean diameter, left and right
    half resistances (MOhm).

    Replays NEURON's diam_from_list on each section: the half-segment ends are inserted among the
    points (after any point at the same arc position), the diameter is interpolated there, and each
    piece adds (y1 + y2) * sqrt(dl^2 + ((y2 - y1)/2)^2) to the area and dl / (y1 y2) to the
    resistance. All sections at once (sorts and bincounts over every point and segment end), each
    number computed by the same operations, in the same order, as one section alone would be.
    """
    ns, npts = len(counts), len(arc)
    nseg = int(counts.sum())
    sec_of_pt = np.repeat(np.arange(ns), np.diff(off))
    seg_sec = np.repeat(np.arange(ns), counts)
    seg_off = np.concatenate([[0], np.cumsum(counts)])
    ds = (arc[off[1:] - 1] / counts)[seg_sec]
    mid = (np.arange(nseg) - seg_off[seg_sec]).astype(float) * ds + ds / 2.0
    ends = np.empty(2 * nseg)
    ends[0::2], ends[1::2] = mid, mid + ds / 2.0
    end_sec = np.repeat(seg_sec, 2)
    # j = searchsorted(section's arc, end, "right") - 1, clipped to [0, m - 2]: points of the same
    # section at or before the end, counted in one sort (points before ends at equal positions).
    kind = np.concatenate([np.zeros(npts, np.int8), np.ones(2 * nseg, np.int8)])
    order = np.lexsort((kind, np.concatenate([arc, ends]), np.concatenate([sec_of_pt, end_sec])))
    before = np.cumsum(kind[order] == 0)
    at_end = order >= npts
    j = np.empty(2 * nseg, dtype=np.int64)
    j[order[at_end] - npts] = before[at_end] - off[end_sec] - 1
    j = np.clip(j, 0, np.diff(off)[end_sec] - 2) + off[end_sec]  # global index of the point
    gap = arc[j + 1] - arc[j]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(np.abs(gap) < 1e-10, 1.0, (ends - arc[j]) / gap)
    y_end = (1.0 - frac) * d[j] + frac * d[j + 1]
    # np.insert(arc, j + 1, ends) of every section: each end right after its point j, ends in order.
    slot = np.concatenate([np.arange(npts) - off[sec_of_pt], j + 1 - off[end_sec]])
    merged = np.lexsort((1 - kind, slot, np.concatenate([sec_of_pt, end_sec])))
    pos = np.concatenate([arc, ends])[merged]
    dia = np.concatenate([d, y_end])[merged]
    is_end = merged >= npts
    sec = np.concatenate([sec_of_pt, end_sec])[merged]
    # drop what follows each section's last end (the section's last point)
    where_end = np.flatnonzero(is_end)
    last = where_end[np.searchsorted(sec[where_end], np.arange(ns), side="right") - 1]
    keep = np.arange(len(merged)) <= last[sec]
    pos, dia, is_end, sec = pos[keep], dia[keep], is_end[keep], sec[keep]
    # piece i (entry i -> i + 1, same section) lies in half-segment `half[i]`: ends so far, counted
    # over all sections, is the section's half-segment offset plus its own count
    half = np.cumsum(is_end)[:-1]
    piece = sec[:-1] == sec[1:]
    half = half[piece]
    x1, x2, y1, y2 = pos[:-1][piece], pos[1:][piece], dia[:-1][piece], dia[1:][piece]
    delta = x2 - x1
    dsum = (y2 + y1) * delta
    delta = np.where(delta < 1e-15, 1e-15, delta)
    temp = y2 * y1 / delta
    temp = np.where(temp == 0, 1e-15, temp)
    rpiece = 1.0 / temp
    apiece = (y2 + y1) * np.sqrt(delta * delta + (0.5 * (y2 - y1)) ** 2)
    seg = half // 2
    area = np.bincount(seg, apiece, minlength=nseg) * 0.5 * math.pi
    diam = np.bincount(seg, dsum, minlength=nseg) * (0.5 / ds)
    r = np.bincount(half, rpiece, minlength=2 * nseg) * ra[end_sec] / math.pi * (4.0 * 0.01)
    return area, diam, r[0::2], r[1::2]


def _counts(morph: Morphology, lengths: np.ndarray, lambdas, nseg, dx_um, d_lambda) -> np.ndarray:
    """nseg of every section by the chosen rule, refused (`excitable.limits`, "compartments") before
    anything per compartment is allocated if the nodes they make would be too many."""
    ns = len(morph.sections)
    if dx_um is not None:
        rule, estimate = f"dx_um={dx_um:g}", float(np.sum(lengths / dx_um))
    elif d_lambda is not None:
        rule, estimate = f"d_lambda={d_lambda:g}", float(np.sum(lengths / (d_lambda * np.array(lambdas))))
    else:
        given = _per_section("nseg", 1 if nseg is None else nseg, ns, integer=True)
        rule = f"nseg={given[0]}" if np.ndim(nseg) == 0 else "nseg per section"
        estimate = float(sum(given))
    what = f"{morph.source or 'the morphology'} ({ns} sections) discretized with {rule}"
    # nodes: nseg per section (within 2 of the estimate), a 1-end node each and the root's 0-end
    limits.check("compartments", estimate + 3 * ns + 1, what)
    if not estimate < 2.0**62:  # limits off: still no machine could hold it, nor an int64 count it
        raise ModelError(f"{what} needs {estimate:.3g} compartments, more than any machine holds")
    if dx_um is not None:
        counts = [nseg_dx(L, dx_um) for L in lengths.tolist()]
    elif d_lambda is not None:
        counts = [nseg_d_lambda(L, lam, d_lambda) for L, lam in zip(lengths, lambdas)]
    else:
        counts = given
    limits.check("compartments", float(sum(counts)) + ns + 1, what)
    return np.array(counts, dtype=np.int64)


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
    secs = morph.sections
    ns = len(secs)
    given = [k for k, v in (("nseg", nseg), ("dx_um", dx_um), ("d_lambda", d_lambda)) if v is not None]
    if len(given) > 1:
        raise ModelError(f"give only one of nseg, dx_um, d_lambda, got {' and '.join(given)}")
    ra = _per_section("ra_ohm_cm", ra_ohm_cm, ns)
    cm = _per_section("cm_uF_cm2", cm_uF_cm2, ns, positive=False)
    off, arc, d, pts = _geometry(secs, bool(float32_points))
    lengths, src = arc[off[1:] - 1], (f"{morph.source}: " if morph.source else "")
    d_ok = np.logical_and.reduceat(np.isfinite(d) & (d > 0), off[:-1])
    bad = np.flatnonzero(~(np.isfinite(lengths) & (lengths > 0)) | ~d_ok)
    if bad.size:  # points 1e-8 um apart at 1000 um, beyond 3.4e38 um or d < 1e-45 um, in float32
        i = int(bad[0])
        raise ModelError(f"{src}{secs[i].name} has length {lengths[i]:g} um"
                         f"{'' if d_ok[i] else ' and a diameter of 0 or inf'} with its points in single "
                         f"precision as NEURON stores them; give float32_points=False, or points further "
                         f"apart and within 3.4e38 um")
    lambdas = None
    if dx_um is not None:
        dx_um = check_number("dx_um", dx_um, positive=True)
    elif d_lambda is not None:
        d_lambda = check_number("d_lambda", d_lambda, positive=True)
        f = check_number("frequency_hz", frequency_hz, positive=True)
        lambdas = [lambda_f_um(arc[off[i]:off[i + 1]], d[off[i]:off[i + 1]], f, ra[i], cm[i])
                   for i in range(ns)]
    counts = _counts(morph, lengths, lambdas, nseg, dx_um, d_lambda)
    with np.errstate(over="ignore"):  # checked below
        seg_area, seg_diam, rleft, rright = _integrate(off, arc, d, counts, ra)
    if not np.isfinite(seg_area).all():  # diameters of 1e300 um
        i = int(np.repeat(np.arange(ns), counts)[np.flatnonzero(~np.isfinite(seg_area))[0]])
        raise ModelError(f"{src}{secs[i].name}: its membrane area "
                         f"overflows a double; diameters and lengths must be far below 1e150 um")

    # Every node of NEURON's node set first (per section: the root's 0-end, the segment centres, the
    # 1-end), then drop the leaf zero-area ends.
    total = int(counts.sum()) + ns + 1
    first = np.cumsum(counts + 1) - counts  # each section's first row; row 0: the root's 0-end
    end = first + counts
    # where each section hangs, and its distance, parents first (NEURON's connect and h.distance)
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
    start = np.array(start_, dtype=np.int64)
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
    diam[0], diam[rows], diam[end] = d[0], seg_diam, d[off[1:] - 1]
    sec_of = np.concatenate([[0], np.repeat(np.arange(ns), counts + 1)])
    dist = np.asarray(d0)[sec_of] + x * lengths[sec_of]
    root = sec_of == 0
    dist[root] = np.abs(x[root] - 0.5) * lengths[0]

    degree = np.bincount(parent[parent >= 0], minlength=total) + (parent >= 0)
    is_end = np.zeros(total, dtype=bool)
    is_end[end], is_end[start[0]] = True, True
    keep = ~(is_end & (degree <= 1))
    new = np.cumsum(keep) - 1
    remap = lambda a: np.where((a >= 0) & keep[np.maximum(a, 0)], new[np.maximum(a, 0)], -1)  # noqa: E731
    parent = remap(parent[keep])  # the root's centre becomes the root when its 0-end is dropped
    g = np.where(parent >= 0, 1e3 / r[keep], 0.0)  # 1/MOhm = uS -> nS
    sec_arr, x = sec_of[keep], x[keep]
    xyz = np.empty((len(sec_arr), 3))
    bounds = np.searchsorted(sec_arr, np.arange(ns + 1)).tolist()  # a section's nodes are contiguous
    offs, along = off.tolist(), x * lengths[sec_arr]
    for i in range(ns):  # node positions along the points, for drawing (np.interp: NEURON's numbers)
        a, b, p0, p1 = bounds[i], bounds[i + 1], offs[i], offs[i + 1]
        for q in range(3):
            xyz[a:b, q] = np.interp(along[a:b], arc[p0:p1], pts[p0:p1, q])
    regions = np.array([s.region for s in secs], dtype=object)
    out = Compartments(
        parent=parent, area_um2=area[keep], g_axial_nS=g, section=sec_arr, x=x,
        region=regions[sec_arr], distance_um=dist[keep], xyz_um=xyz, diam_um=diam[keep], nseg=counts,
        section_names=morph.names, first_node=remap(first), end_node=remap(end),
        start_node=remap(start), length_um=lengths)
    for name in ("parent", "area_um2", "g_axial_nS", "section", "x", "region", "distance_um",
                 "xyz_um", "diam_um", "nseg", "first_node", "end_node", "start_node", "length_um"):
        getattr(out, name).setflags(write=False)
    return out
