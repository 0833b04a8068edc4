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

Bounded input: the file's size and its number of points are checked against the compartment limit
(``excitable.limits``) before and while it is read; coordinates and radii beyond `MAX_UM` and ids
beyond `MAX_ID` are refused with the file, line and field, like every other malformed line.

Why not MorphIO: MorphIO merges all soma points into one list and forgets which soma point each neurite
hangs from (and the soma's own branching, e.g. turner-ca1-n120.swc), which is what decides the
connection points above; so the (small) parser is our own and every malformed line is reported as
``"<file> line <n>: <what>"``.
"""

from __future__ import annotations

import itertools
import math
import os
from array import array
from pathlib import Path

import numpy as np

from excitable import limits
from excitable.errors import ModelError
from excitable.model.morphology import Morphology, Section

__all__ = ["read_swc", "read_swc_table", "MAX_UM", "MAX_ID"]

_BASE = {1: "soma", 2: "axon", 3: "dend", 4: "apic"}
_REGION = {1: "soma", 2: "axon", 3: "basal", 4: "apical"}
_FIELDS = ("id", "type", "x", "y", "z", "radius", "parent")
_INTEGER = np.array([True, True, False, False, False, False, True])

#: Largest |x|, |y|, |z| and radius accepted, um: a metre, far beyond any reconstruction, where
#: NEURON's single-precision 3-D points (see ``discretize``) are still 0.06 um apart. A larger value is
#: a unit mistake or garbage, and 1e300 would overflow lengths and areas.
MAX_UM = 1e6
#: Largest id, |type| and parent: integers below it are exact in a double, with room to see a fraction.
MAX_ID = 1e15
#: Bytes per point in the size bound checked before a file is read (SWC lines are 30-80 bytes).
BYTES_PER_POINT = 100


def _point_limit() -> float:
    """At most as many points as compartments: reading costs about as much per point (a row of a few
    arrays) as discretizing does per compartment, and real reconstructions have 1e3-1e5 points."""
    return limits.limit("compartments")


def _too_many(fname: str, what: str) -> ModelError:
    spec = limits.LIMITS["compartments"]
    return ModelError(f"{fname}: {what}, over the limit of {_point_limit():.3g} points "
                      f"(set {spec.variable} to raise it, or EXCITABLE_LIMITS=off)")


def _line_error(fname: str, lineno: int, f: list[str]) -> ModelError | None:
    """The error of one line's 7 tokens, or None: the rules in the order they are reported."""
    vals = []
    for field, tok, integer in zip(_FIELDS, f, _INTEGER):
        shown = tok if len(tok) <= 40 else tok[:37] + "..."
        try:
            v = float(tok)
        except ValueError:
            return ModelError(f"{fname} line {lineno}: {field} must be a number, got {shown!r}")
        if not math.isfinite(v):
            return ModelError(f"{fname} line {lineno}: {field} must be finite, got {shown!r}")
        if integer and not v.is_integer():
            return ModelError(f"{fname} line {lineno}: {field} must be an integer, got {shown!r}")
        vals.append(v)
    if vals[5] <= 0:
        return ModelError(f"{fname} line {lineno}: radius must be > 0, got {vals[5]}")
    if vals[0] < 0:
        return ModelError(f"{fname} line {lineno}: id must be >= 0, got {f[0]!r}")
    if vals[6] < 0 and vals[6] != -1:
        return ModelError(f"{fname} line {lineno}: parent must be -1 (root) or an id, got {f[6]!r}")
    for field, tok, v, integer in zip(_FIELDS, f, vals, _INTEGER):
        bound, unit = (MAX_ID, "") if integer else (MAX_UM, " um")
        if abs(v) > bound:
            shown = tok if len(tok) <= 40 else tok[:37] + "..."
            return ModelError(f"{fname} line {lineno}: {field} must be at most {bound:.0e}{unit} in "
                              f"magnitude, got {shown!r}")
    return None


def _bad_rows(a: np.ndarray) -> np.ndarray:
    """Rows of parsed values (n, 7) that `_line_error` rejects, found at array speed."""
    with np.errstate(invalid="ignore"):
        ints = a[:, _INTEGER]
        bad = ~np.isfinite(a).all(axis=1) | (ints != np.floor(ints)).any(axis=1)
        bad |= (a[:, 5] <= 0) | (a[:, 0] < 0) | ((a[:, 6] < 0) & (a[:, 6] != -1))
        bad |= (np.abs(ints) > MAX_ID).any(axis=1) | (np.abs(a[:, ~_INTEGER]) > MAX_UM).any(axis=1)
    return bad


def _shown(path) -> str:
    """A file name for a one-line message (repr if it holds a line break or other control character)."""
    text = str(path)
    return text if text.isprintable() else repr(text)


def _read_text(path: Path) -> str:
    """The file's text, its size bounded before and while it is read; one-line errors naming the file."""
    fname = _shown(path.name)
    cap = _point_limit() * BYTES_PER_POINT
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > cap:
                raise _too_many(fname, f"{size / 2**20:.3g} MB (at most {BYTES_PER_POINT} bytes a point)")
            chunks, total = [], 0
            while total <= cap:  # in chunks: a device or pipe (size 0) or a growing file stays bounded
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
    except FileNotFoundError:
        raise ModelError(f"{_shown(path)}: no such SWC file") from None
    except OSError as e:
        raise ModelError(f"{_shown(path)}: cannot read SWC file ({type(e).__name__}: "
                         f"{e.strerror or e})") from None
    if total > cap:
        raise _too_many(fname, f"over {cap / 2**20:.3g} MB")
    data = b"".join(chunks)
    try:
        return data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ModelError(f"{fname} line {line}: cannot read SWC file: byte 0x{data[e.start]:02x} "
                         f"is not UTF-8 text (a binary file?)") from None


def _raise_first_bad(fname: str, buf, lines, text_lines) -> np.ndarray:
    """The parsed rows as an (n, 7) array; raise the error of the first line that breaks a rule."""
    a = np.frombuffer(buf, dtype=float).reshape(-1, 7).copy()
    bad = np.flatnonzero(_bad_rows(a))
    if bad.size:
        lineno = int(lines[bad[0]])
        raise _line_error(fname, lineno, text_lines[lineno - 1].split("#", 1)[0].split()) or \
            ModelError(f"{fname} line {lineno}: a value out of range")  # (the two checks agree)
    return a


def read_swc_table(path) -> dict:
    """Parse and validate an SWC file.

    Returns a dict of arrays sorted by id: ``id``, ``type``, ``xyz`` (n, 3) um, ``radius`` um,
    ``parent`` (id, -1 for the root), ``line`` (1-based line numbers). Raises ModelError naming the
    file and line for bad syntax, non-numeric or non-finite fields, radius <= 0, a coordinate or radius
    beyond `MAX_UM`, an id, type or parent beyond `MAX_ID`, duplicate ids, a missing parent, a cycle,
    a parent listed with a larger id, more than one root, no points, text that is not UTF-8, and for a
    file with more points than the compartment limit (``excitable.limits``; checked on the file size
    before reading, then on the points).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ModelError(f"SWC path must be a str or a path, got {type(path).__name__} {path!r:.60}")
    path = Path(path)
    fname = _shown(path.name)
    text = _read_text(path)
    cap = _point_limit()
    text_lines = text.splitlines()
    buf, lines = array("d"), array("q")  # 7 doubles a point: 56 bytes, not ~300 as lists of floats
    for lineno, raw in enumerate(text_lines, 1):
        s = raw.split("#", 1)[0].strip() if "#" in raw else raw.strip()
        if not s:
            continue
        f = s.split()
        if len(f) == 7:
            try:
                vals = [float(t) for t in f]
            except ValueError:
                vals = None
            if vals is not None:
                buf.extend(vals)
                lines.append(lineno)
                if len(lines) > cap:
                    raise _too_many(fname, f"more than {cap:.3g} points")
                continue
            err = _line_error(fname, lineno, f)
        else:
            err = ModelError(f"{fname} line {lineno}: expected 7 fields (id type x y z radius parent), "
                             f"got {len(f)}: {s[:60]!r}")
        _raise_first_bad(fname, buf, lines, text_lines)  # an earlier line's error is reported first
        raise err
    if not lines:
        raise ModelError(f"{fname}: no SWC points (empty file)")
    a = _raise_first_bad(fname, buf, lines, text_lines)
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
        seen, j = {}, int(ids[k])  # point -> step: the walk is linear, not quadratic, in its length
        while j != -1 and j not in seen:
            seen[j] = len(seen)
            j = parent_of[j]
        if j != -1:
            walk = list(seen)
            cyc = walk[seen[j]:] + [j]
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


def read_swc(path) -> Morphology:
    """Read an SWC file into a `Morphology` as NEURON's Import3d would build it (see module doc).

    Example:
        >>> m = read_swc("cell.swc")                                    # doctest: +SKIP
        >>> m.sections[0].name, sorted(m.regions)                       # doctest: +SKIP
        ('soma', ['apical', 'axon', 'basal', 'soma'])
    """
    table = read_swc_table(path)
    fname = _shown(Path(path).name)
    index_of = {int(i): k for k, i in enumerate(table["id"].tolist())}
    pix = [index_of[int(p)] if p >= 0 else -1 for p in table["parent"].tolist()]
    typ, xyz, d = table["type"].tolist(), table["xyz"], (2.0 * table["radius"]).tolist()
    t_line = table["line"]
    secs = _import3d_sections(typ, xyz, d, pix)
    counts: dict[int, int] = {}
    for s in secs:
        s["nameindex"] = counts.get(s["type"], 0)
        counts[s["type"]] = s["nameindex"] + 1
    # Every section's points in one array (x, y, z from the file, its diameters), checked at array
    # speed: the table made them finite and bounded with d > 0, so what is left of Section's checks
    # is a length > 0; a section that fails it (or the root, which may be a lone point) is built by
    # the constructor, which says what is wrong.
    take = [s["idx"][s["wire"]:] for s in secs]
    sizes = np.fromiter(map(len, take), dtype=np.int64, count=len(secs))
    off = np.concatenate([[0], np.cumsum(sizes)])
    pts_all = np.empty((int(off[-1]), 4))
    pts_all[:, :3] = xyz[np.fromiter(itertools.chain.from_iterable(take), dtype=np.int64, count=len(pts_all))]
    pts_all[:, 3] = np.fromiter(itertools.chain.from_iterable(s["diam"][s["wire"]:] for s in secs),
                                dtype=float, count=len(pts_all))
    pts_all.setflags(write=False)
    t = pts_all[1:, :3] - pts_all[:-1, :3]
    step_len = np.sqrt(np.add.reduce(t * t, axis=1))  # > 0 where Section.length_um_of adds a step > 0
    inside = np.ones(len(step_len), dtype=bool)
    inside[off[1:-1] - 1] = False  # steps from one section's last point to the next one's first
    moves = np.bincount(np.repeat(np.arange(len(secs)), sizes)[1:][inside],
                        weights=(step_len[inside] > 0), minlength=len(secs)) > 0
    out, pos = [], {id(s): k for k, s in enumerate(secs)}
    fast = (moves & (sizes >= 2)).tolist()
    off = off.tolist()
    for k, s in enumerate(secs):
        ty = s["type"]
        base = _BASE.get(ty, f"dend_{ty}" if ty >= 0 else f"minus_{-ty}")
        name = base if (ty == 1 and counts[1] == 1) else f"{base}[{s['nameindex']}]"
        region = _REGION.get(ty, base)
        parent = None if s["parent"] is None else pos[id(s["parent"])]
        pts = pts_all[off[k]:off[k + 1]]
        if k > 0 and fast[k]:
            out.append(Section._prechecked(name, region, pts, parent, float(s["parentx"])))
            continue
        if len(pts) == 1:  # a lone point is a sphere: 3-point cylinder along x, length = diameter
            x, y, z, dd = pts[0]
            pts = np.array([[x - dd / 2, y, z, dd], [x, y, z, dd], [x + dd / 2, y, z, dd]])
        try:
            out.append(Section(name, region, pts, parent, s["parentx"]))
        except ModelError as e:
            raise ModelError(f"{fname} line {t_line[s['idx'][-1]]}: {e}") from None
    return Morphology(tuple(out), source=fname)
