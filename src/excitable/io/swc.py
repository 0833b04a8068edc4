"""SWC files -> `Morphology`, with NEURON's Import3d conventions.

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

Why not MorphIO: MorphIO merges all soma points into one list and forgets which soma point each neurite
hangs from (and the soma's own branching, e.g. turner-ca1-n120.swc), which is what decides the
connection points above; so the (small) parser is our own and every malformed line is reported as
``"<file> line <n>: <what>"``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from excitable.errors import ModelError
from excitable.model.morphology import Morphology, Section

__all__ = ["read_swc", "read_swc_table"]

_BASE = {1: "soma", 2: "axon", 3: "dend", 4: "apic"}
_REGION = {1: "soma", 2: "axon", 3: "basal", 4: "apical"}
_FIELDS = ("id", "type", "x", "y", "z", "radius", "parent")


def read_swc_table(path) -> dict:
    """Parse and validate an SWC file.

    Returns a dict of arrays sorted by id: ``id``, ``type``, ``xyz`` (n, 3) um, ``radius`` um,
    ``parent`` (id, -1 for the root), ``line`` (1-based line numbers). Raises ModelError naming the
    file and line for bad syntax, non-numeric or non-finite fields, radius <= 0, duplicate ids, a
    missing parent, a cycle, a parent listed with a larger id, more than one root, or no points.
    """
    path = Path(path)
    fname = path.name
    try:
        text = path.read_text(encoding="utf-8", errors="strict")
    except FileNotFoundError:
        raise ModelError(f"{path}: no such SWC file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ModelError(f"{path}: cannot read SWC file ({type(e).__name__})") from None
    rows, lines = [], []
    for lineno, raw in enumerate(text.splitlines(), 1):
        s = raw.split("#", 1)[0].strip()
        if not s:
            continue
        f = s.split()
        if len(f) != 7:
            raise ModelError(f"{fname} line {lineno}: expected 7 fields (id type x y z radius parent), "
                             f"got {len(f)}: {s[:60]!r}")
        vals = []
        for field, tok in zip(_FIELDS, f):
            try:
                v = float(tok)
            except ValueError:
                raise ModelError(f"{fname} line {lineno}: {field} must be a number, got {tok!r}") from None
            if not math.isfinite(v):
                raise ModelError(f"{fname} line {lineno}: {field} must be finite, got {tok!r}")
            if field in ("id", "type", "parent") and not v.is_integer():
                raise ModelError(f"{fname} line {lineno}: {field} must be an integer, got {tok!r}")
            vals.append(v)
        if vals[5] <= 0:
            raise ModelError(f"{fname} line {lineno}: radius must be > 0, got {vals[5]}")
        if vals[0] < 0:
            raise ModelError(f"{fname} line {lineno}: id must be >= 0, got {f[0]!r}")
        if vals[6] < 0 and vals[6] != -1:
            raise ModelError(f"{fname} line {lineno}: parent must be -1 (root) or an id, got {f[6]!r}")
        rows.append(vals)
        lines.append(lineno)
    if not rows:
        raise ModelError(f"{fname}: no SWC points (empty file)")
    a = np.array(rows)
    ids, pids, line = a[:, 0].astype(np.int64), a[:, 6].astype(np.int64), np.array(lines)
    first_line = {}
    for k, i in enumerate(ids.tolist()):
        if i in first_line:
            raise ModelError(f"{fname} line {line[k]}: duplicate id {i} (first on line {first_line[i]})")
        first_line[i] = line[k]
    roots = np.flatnonzero(pids == -1)
    if roots.size == 0:
        raise ModelError(f"{fname} line {line[0]}: no root point (parent -1); the parents form a cycle")
    if roots.size > 1:
        raise ModelError(f"{fname} line {line[roots[1]]}: second root (parent -1); "
                         f"the first is on line {line[roots[0]]}; one tree per file")
    for k in np.flatnonzero((pids != -1) & ~np.isin(pids, ids)):
        raise ModelError(f"{fname} line {line[k]}: parent {pids[k]} of point {ids[k]} does not exist")
    order = np.argsort(ids, kind="stable")
    ids, pids, line, a = ids[order], pids[order], line[order], a[order]
    bad = np.flatnonzero(pids >= ids)
    if bad.size:
        k = int(bad[0])
        parent_of = dict(zip(ids.tolist(), pids.tolist()))
        seen, j = [], int(ids[k])
        while j != -1 and j not in seen:
            seen.append(j)
            j = parent_of[j]
        if j != -1:
            cyc = seen[seen.index(j):] + [j]
            raise ModelError(f"{fname} line {line[k]}: parents form a cycle "
                             f"({' -> '.join(map(str, cyc[:6]))}{' ...' if len(cyc) > 6 else ''})")
        raise ModelError(f"{fname} line {line[k]}: parent {pids[k]} must have a smaller id than "
                         f"point {ids[k]} (NEURON's Import3d requires it)")
    return {"id": ids, "type": a[:, 1].astype(int), "xyz": a[:, 2:5], "radius": a[:, 5],
            "parent": pids, "line": line}


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
    for k in range(len(secs) - 1, 0, -1):
        s = secs[k]
        npt = len(s["idx"]) - s["wire"]
        if npt <= 1 or (npt <= 2 and np.array_equal(xyz[s["idx"][s["wire"]]], xyz[s["idx"][s["wire"] + 1]])):
            del secs[k]
            for c in secs[k:]:
                if c["parent"] is s:
                    c["parent"], c["parentx"] = s["parent"], s["parentx"]
    return secs


def read_swc(path) -> Morphology:
    """Read an SWC file into a `Morphology` as NEURON's Import3d would build it (see module doc).

    Example:
        >>> m = read_swc("cell.swc")                                    # doctest: +SKIP
        >>> m.sections[0].name, sorted(m.regions)                       # doctest: +SKIP
        ('soma', ['apical', 'axon', 'basal', 'soma'])
    """
    t = read_swc_table(path)
    fname = Path(path).name
    index_of = {int(i): k for k, i in enumerate(t["id"].tolist())}
    pix = [index_of[int(p)] if p >= 0 else -1 for p in t["parent"].tolist()]
    typ, xyz, d = t["type"].tolist(), t["xyz"], (2.0 * t["radius"]).tolist()
    secs = _import3d_sections(typ, xyz, d, pix)
    counts: dict[int, int] = {}
    for s in secs:
        s["nameindex"] = counts.get(s["type"], 0)
        counts[s["type"]] = s["nameindex"] + 1
    out = []
    for k, s in enumerate(secs):
        ty = s["type"]
        base = _BASE.get(ty, f"dend_{ty}" if ty >= 0 else f"minus_{-ty}")
        name = base if (ty == 1 and counts[1] == 1) else f"{base}[{s['nameindex']}]"
        idx, w = s["idx"][s["wire"]:], s["wire"]
        pts = np.column_stack([xyz[idx], s["diam"][w:]])
        if len(pts) == 1:  # a lone point is a sphere: 3-point cylinder along x, length = diameter
            x, y, z, dd = pts[0]
            pts = np.array([[x - dd / 2, y, z, dd], [x, y, z, dd], [x + dd / 2, y, z, dd]])
        parent = None if s["parent"] is None else secs.index(s["parent"])
        try:
            out.append(Section(name, _REGION.get(ty, base), pts, parent, s["parentx"]))
        except ModelError as e:
            raise ModelError(f"{fname} line {t['line'][s['idx'][-1]]}: {e}") from None
    return Morphology(tuple(out))
