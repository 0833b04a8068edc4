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


def _per_section(name: str, value, n: int, *, integer: bool = False, positive: bool = True) -> np.ndarray:
    if np.ndim(value) == 0:
        vals = [value] * n
    else:
        vals = list(value)
        if len(vals) != n:
            raise ModelError(f"{name} must be a number or one value per section ({n}), got {len(vals)}")
    out = []
    for i, v in enumerate(vals):
        field = name if np.ndim(value) == 0 else f"{name}[{i}]"
        if integer:
            if isinstance(v, bool) or not float(check_number(field, v)).is_integer() or int(v) < 1:
                raise ModelError(f"{field} must be an integer >= 1, got {v!r}")
            out.append(int(v))
        else:
            out.append(check_number(field, v, positive=positive, nonnegative=not positive))
    return np.array(out, dtype=int if integer else float)


def _geometry(points: np.ndarray, float32: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arc length (um, float64) and diameters of the points, rounded as NEURON's Pt3d if float32."""
    if float32:
        p = points.astype(np.float32)
        t = np.diff(p[:, :3], axis=0).astype(np.float64)  # float - float is float in C, as in NEURON
        xyz = p[:, :3].astype(np.float64)
        d = p[:, 3].astype(np.float64)
    else:
        t = np.diff(points[:, :3], axis=0)
        xyz, d = points[:, :3], points[:, 3]
    step = np.sqrt(t[:, 0] * t[:, 0] + t[:, 1] * t[:, 1] + t[:, 2] * t[:, 2])
    return np.concatenate([[0.0], np.cumsum(step)]), d, xyz


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


def _integrate(arc: np.ndarray, d: np.ndarray, nseg: int, ra: float):
    """Per segment: area (um2), mean diameter, left and right half resistances (MOhm).

    Replays NEURON's diam_from_list: the half-segment ends are inserted among the points (after any
    point at the same arc position), the diameter is interpolated there, and each piece adds
    (y1 + y2) * sqrt(dl^2 + ((y2 - y1)/2)^2) to the area and dl / (y1 y2) to the resistance.
    """
    m = len(arc)
    ds = arc[-1] / nseg
    k = np.arange(nseg, dtype=float)
    mid = k * ds + ds / 2.0
    ends = np.empty(2 * nseg)
    ends[0::2], ends[1::2] = mid, mid + ds / 2.0
    j = np.clip(np.searchsorted(arc, ends, side="right") - 1, 0, m - 2)
    gap = arc[j + 1] - arc[j]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(np.abs(gap) < 1e-10, 1.0, (ends - arc[j]) / gap)
    y_end = (1.0 - frac) * d[j] + frac * d[j + 1]
    pos = np.insert(arc, j + 1, ends)
    dia = np.insert(d, j + 1, y_end)
    is_end = np.insert(np.zeros(m, dtype=bool), j + 1, True)
    last = int(np.flatnonzero(is_end)[-1])
    pos, dia, is_end = pos[: last + 1], dia[: last + 1], is_end[: last + 1]
    half = np.cumsum(is_end)[:-1]  # piece i (entry i -> i+1) lies in half-segment `half[i]`
    x1, x2, y1, y2 = pos[:-1], pos[1:], dia[:-1], dia[1:]
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
    r = np.bincount(half, rpiece, minlength=2 * nseg) * ra / math.pi * (4.0 * 0.01)
    return area, diam, r[0::2], r[1::2]


def discretize(morph: Morphology, *, nseg: int | Sequence[int] | None = None,
               dx_um: float | None = None, d_lambda: float | None = None,
               ra_ohm_cm: float | Sequence[float] = 35.4, cm_uF_cm2: float | Sequence[float] = 1.0,
               frequency_hz: float = 100.0, float32_points: bool = True) -> Compartments:
    """Split each section into segments and compute NEURON's node areas and axial conductances.

    Give at most one of ``nseg`` (int or one per section; default 1), ``dx_um`` (the smallest odd nseg
    with segments <= dx_um: `nseg_dx`) or ``d_lambda`` (NEURON's rule `nseg_d_lambda` with the
    AC length constant `lambda_f_um` at ``frequency_hz``, using ``cm_uF_cm2``). ``ra_ohm_cm`` and
    ``cm_uF_cm2`` may be one value or one per section.

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
    geo = [_geometry(s.points, bool(float32_points)) for s in secs]
    if dx_um is not None:
        dx = check_number("dx_um", dx_um, positive=True)
        counts = np.array([nseg_dx(g[0][-1], dx) for g in geo], dtype=int)
    elif d_lambda is not None:
        dl = check_number("d_lambda", d_lambda, positive=True)
        f = check_number("frequency_hz", frequency_hz, positive=True)
        counts = np.array([nseg_d_lambda(g[0][-1], lambda_f_um(g[0], g[1], f, ra[i], cm[i]), dl)
                           for i, g in enumerate(geo)], dtype=int)
    else:
        counts = _per_section("nseg", 1 if nseg is None else nseg, ns, integer=True)

    # Every node of NEURON's node set first, then drop the leaf zero-area ends. A row is
    # (parent, area um2, resistance to parent MOhm, section, x, distance um, diameter um).
    rows: list[tuple] = []
    first = np.zeros(ns, dtype=int)
    end = np.zeros(ns, dtype=int)
    start = np.full(ns, -1, dtype=int)
    for i, s in enumerate(secs):
        arc, d, _ = geo[i]
        L, n = float(arc[-1]), int(counts[i])
        seg_area, seg_diam, rleft, rright = _integrate(arc, d, n, ra[i])
        if s.parent is None:
            start[i] = len(rows)
            rows.append((-1, 0.0, math.inf, i, 0.0, 0.5 * L, d[0]))
            dist = lambda x: abs(x - 0.5) * L  # noqa: E731
        else:  # hang from the parent's node at parent_x, as NEURON's connect
            p, px = s.parent, s.parent_x
            start[i] = end[p] if px == 1.0 else start[p] if px == 0.0 else \
                first[p] + min(int(px * counts[p]), counts[p] - 1)
            dist = lambda x, d0=rows[start[i]][5]: d0 + x * L  # noqa: E731
        first[i] = len(rows)
        for k in range(n):
            xk = (k + 0.5) / n
            rk = rleft[0] if k == 0 else rright[k - 1] + rleft[k]
            rows.append((start[i] if k == 0 else len(rows) - 1, seg_area[k], rk, i, xk, dist(xk),
                         seg_diam[k]))
        end[i] = len(rows)
        rows.append((len(rows) - 1, 0.0, rright[n - 1], i, 1.0, dist(1.0), d[-1]))

    tab = np.array(rows, dtype=float)
    par = tab[:, 0].astype(int)
    nchild = np.bincount(par[par >= 0], minlength=len(par))
    degree = nchild + (par >= 0)
    is_end = np.zeros(len(par), dtype=bool)
    is_end[end], is_end[start[0]] = True, True
    keep = ~(is_end & (degree <= 1))
    new = np.cumsum(keep) - 1
    remap = lambda a: np.where((a >= 0) & keep[np.maximum(a, 0)], new[np.maximum(a, 0)], -1)  # noqa: E731
    parent = remap(par[keep])  # the root's centre becomes the root when its 0-end is dropped
    tab = tab[keep]
    g = np.where(parent >= 0, 1e3 / tab[:, 2], 0.0)  # 1/MOhm = uS -> nS
    sec_arr, x = tab[:, 3].astype(int), tab[:, 4]
    xyz = np.empty((len(tab), 3))
    for i in range(ns):  # node positions along the points, for drawing
        arc, _, pts = geo[i]
        on = sec_arr == i
        xyz[on] = np.column_stack([np.interp(x[on] * arc[-1], arc, pts[:, q]) for q in range(3)])
    out = Compartments(
        parent=parent, area_um2=tab[:, 1], g_axial_nS=g, section=sec_arr, x=x,
        region=np.array([secs[k].region for k in sec_arr], dtype=object), distance_um=tab[:, 5],
        xyz_um=xyz, diam_um=tab[:, 6], nseg=counts, section_names=morph.names,
        first_node=remap(first), end_node=remap(end), start_node=remap(start),
        length_um=np.array([g_[0][-1] for g_ in geo]))
    for name in ("parent", "area_um2", "g_axial_nS", "section", "x", "region", "distance_um",
                 "xyz_um", "diam_um", "nseg", "first_node", "end_node", "start_node", "length_um"):
        getattr(out, name).setflags(write=False)
    return out
