"""A morphology's 3-D points, integrated per segment as NEURON does (``diam_from_list``, ``nrn_area_ri``).

- The diameter is linear in 3-D arc length between points. A segment's area is the sum of the lateral
  areas of the frusta it covers, pi (d1 + d2)/2 sqrt(dl^2 + ((d2 - d1)/2)^2) (a zero-length diameter
  step contributes its annulus). The resistance of each half segment is the integral of
  4 Ra / (pi d(l)^2) dl over it, exactly dl / (d1 d2) per frustum.
- NEURON stores 3-D points and diameters in single precision (``struct Pt3d`` is float); with
  ``float32=True`` they are rounded the same way before integrating, so areas and resistances agree
  with NEURON to ~1e-13 instead of ~1e-5 on sub-um segments far from the origin. A stylized section
  (``Section.stylized``: NEURON's ``sec.L`` and ``sec.diam``, doubles, no 3-D points) is never
  rounded: NEURON's area for L = diam = 56.4 um is pi 56.4^2 exactly, 5.4e-8 below the float32 one.

Every section at once (sorts and bincounts over all points and segment ends), each number computed by
the same operations, in the same order, as the per-section formula would compute it alone: time and
memory linear in points + segments. Units: um, um^2, ohm*cm, MOhm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)  # holds arrays: compare by identity
class SectionPoints:
    """All sections' points, concatenated in section order.

    Attributes:
        offsets: (n_sections + 1,) section i's points are ``offsets[i]:offsets[i + 1]``.
        arc_um: (P,) arc length from the section's first point (float64, restarting at 0).
        diam_um: (P,) diameters. xyz_um: (P, 3) positions.
        lengths_um: (n_sections,) section lengths (the arc length at each section's last point).
    """

    offsets: np.ndarray
    arc_um: np.ndarray
    diam_um: np.ndarray
    xyz_um: np.ndarray
    lengths_um: np.ndarray


def section_points(secs, float32: bool) -> SectionPoints:
    """All sections' points at once, with their arc lengths.

    Arc length is float64 from the 3-D steps, restarting at 0 on each section; the points of the
    sections that are not stylized are rounded as NEURON's Pt3d (float32) if ``float32``. Every value
    is the one the per-section formula gives: element-wise operations, and each section's cumulative
    sum is a left-to-right sum of its own steps.
    """
    sizes = np.fromiter((len(s.points) for s in secs), dtype=np.int64, count=len(secs))
    off = np.concatenate([[0], np.cumsum(sizes)])
    p = np.concatenate([s.points for s in secs])
    t = np.diff(p[:, :3], axis=0)
    if float32:
        with np.errstate(over="ignore"):  # beyond 3.4e38 um: inf, refused by the caller
            p32 = p.astype(np.float32)
        t32 = np.diff(p32[:, :3], axis=0).astype(np.float64)  # float - float is float in C, as in NEURON
        pt3d = np.repeat(np.fromiter((not s.stylized for s in secs), dtype=bool, count=len(secs)), sizes)
        p = np.where(pt3d[:, None], p32.astype(np.float64), p)
        t = np.where(pt3d[1:, None], t32, t)  # step k ends at point k + 1, of the section it is in
    xyz, d = p[:, :3], p[:, 3]
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
    return SectionPoints(off, arc, d, xyz, arc[off[1:] - 1])


def integrate_segments(off: np.ndarray, arc: np.ndarray, d: np.ndarray, counts: np.ndarray,
                       ra: np.ndarray):
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
