"""SWC files -> a validated table of points (`read_swc_table`); `excitable.io.import3d` makes sections.

An SWC file is one line per point: ``id type x y z radius parent`` (um; parent -1 for the root), ``#``
comments. Every malformed line is reported as ``"<file> line <n>: <what>"`` (one line, the first bad
line of the file), and so are the tree's faults: duplicate ids, a missing parent, a cycle, a parent
listed with a larger id (NEURON's Import3d requires the order), more than one root.

Bounded input: the file's size and its number of points are checked against the compartment limit
(``excitable.limits``) before and while it is read; coordinates and radii beyond `MAX_UM` and ids
beyond `MAX_ID` are refused with the file, line and field, like every other malformed line.

Why not MorphIO: MorphIO merges all soma points into one list and forgets which soma point each neurite
hangs from (and the soma's own branching, e.g. turner-ca1-n120.swc), which is what decides the
connection points (``excitable.io.import3d``); so the (small) parser is our own.
"""

from __future__ import annotations

import math
import os
from array import array
from pathlib import Path

import numpy as np

from excitable import limits
from excitable.errors import ModelError

__all__ = ["read_swc_table", "MAX_UM", "MAX_ID"]

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
    ``parent`` (id, -1 for the root), ``line`` (1-based line numbers), and ``source``: the file's
    name as messages show it. Raises ModelError naming the
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
            "parent": pids, "line": line, "source": fname}
