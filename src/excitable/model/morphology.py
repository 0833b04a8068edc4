"""Neuron geometry as NEURON sees it: unbranched sections of 3-D points joined into a tree.

A `Section` is an unbranched cable given by 3-D points ``(x, y, z, diameter)`` in um, joined to its parent
at ``parent_x`` (0..1 along the parent), exactly like NEURON's ``child.connect(parent(parent_x))`` with
``pt3dadd`` points, or with ``sec.L`` and ``sec.diam`` for a stylized one (a length and one diameter:
straight points, kept in double precision as NEURON keeps L and diam). A `Morphology` is an immutable
tuple of sections, parents before children. It holds pure geometry: no discretization (see
`excitable.model.discretize`) and no channels.

Example:
    >>> m = Morphology.ball_and_stick(soma_diameter=20, axon_length=1000, axon_diameter=1)
    >>> [s.name for s in m.sections]
    ['soma', 'axon']
    >>> round(m.sections[1].length_um, 6)
    1000.0
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from excitable.errors import ModelError, check_number
from excitable.io.import3d import SwcSections, read_swc_sections
from excitable.io.morphologies import path as swc_path

__all__ = ["Section", "Morphology", "MorphologyBuilder", "region_of"]

# NEURON/Import3d section base names -> our region names (SWC types 1..4).
_REGION_OF_BASE = {"soma": "soma", "axon": "axon", "dend": "basal", "apic": "apical"}


def region_of(name: str) -> str:
    """Region implied by a section name: "soma", "axon", "dend[3]" -> "basal", "apic[0]" -> "apical".

    Any other name gives its base name (the part before "["), e.g. "spine[2]" -> "spine".
    """
    base = name.split("[", 1)[0]
    return _REGION_OF_BASE.get(base, base)


@dataclass(frozen=True, eq=False)  # holds arrays: compare by identity
class Section:
    """An unbranched cable: 3-D points with diameters, joined to a parent section.

    Attributes:
        name: unique name, e.g. "soma", "axon[0]", "dend[3]", "apic[2]".
        region: "soma", "axon", "basal", "apical" (SWC types 1-4) or any custom name.
        points: (n, 4) float array of x, y, z, diameter in um, n >= 2; finite, diameters > 0,
            total 3-D length > 0. The array is copied and made read-only.
        parent: index of the parent in `Morphology.sections`; None for the root.
        parent_x: location 0..1 on the parent where this section's 0-end attaches (NEURON's connect).
        stylized: True for a section given by a length and one diameter (``MorphologyBuilder.add``),
            which is NEURON's stylized section (``sec.L``, ``sec.diam``: doubles, no 3-D points);
            False for 3-D points (NEURON's ``pt3dadd``, stored as float32). Discretization rounds only
            the points of a section that is not stylized, as NEURON does (docs/differences-to-neuron.md).
    """

    name: str
    region: str
    points: np.ndarray
    parent: int | None = None
    parent_x: float = 1.0
    stylized: bool = False

    def __post_init__(self):
        if not isinstance(self.name, str) or self.name.split() != [self.name]:  # empty, or a space
            raise ModelError(f"section name must be a non-empty string without spaces, got {self.name!r}")
        if not isinstance(self.region, str) or not self.region:
            raise ModelError(f"{self.name}.region must be a non-empty string, got {self.region!r}")
        try:
            pts = np.array(self.points, dtype=float)
        except (TypeError, ValueError):
            raise ModelError(f"{self.name}.points must be numbers, got {self.points!r:.60}") from None
        if pts.ndim != 2 or pts.shape[1] != 4 or pts.shape[0] < 2:
            raise ModelError(f"{self.name}.points must have shape (n >= 2, 4) (x, y, z, diameter), "
                             f"got shape {pts.shape}")
        finite = np.isfinite(pts)
        if not finite.all():  # the cheap test first: an SWC file makes thousands of sections
            i, j = np.argwhere(~finite)[0]
            raise ModelError(f"{self.name}.points[{i}] {'xyzd'[j]} must be finite, got {pts[i, j]}")
        if not (pts[:, 3] > 0).all():
            i = int(np.flatnonzero(pts[:, 3] <= 0)[0])
            raise ModelError(f"{self.name}.points[{i}] diameter must be > 0, got {pts[i, 3]}")
        with np.errstate(over="ignore", invalid="ignore"):  # overflow: the finite check says it
            length = self.length_um_of(pts)
        if not length > 0:
            raise ModelError(f"{self.name} length must be > 0 um, got 0 (all points coincide)")
        if not math.isfinite(length):  # finite points 1e300 apart: lengths and areas would overflow
            raise ModelError(f"{self.name} length must be finite, got {length} um (points too far apart)")
        pts.setflags(write=False)
        object.__setattr__(self, "points", pts)
        if self.parent is not None:
            if isinstance(self.parent, bool) or not isinstance(self.parent, (int, np.integer)) \
                    or self.parent < 0:
                raise ModelError(f"{self.name}.parent must be a section index >= 0 or None, "
                                 f"got {self.parent!r}")
            object.__setattr__(self, "parent", int(self.parent))
        px = check_number(f"{self.name}.parent_x", self.parent_x)
        if not 0.0 <= px <= 1.0:
            raise ModelError(f"{self.name}.parent_x must be in [0, 1], got {self.parent_x!r}")
        object.__setattr__(self, "parent_x", px)
        object.__setattr__(self, "stylized", bool(self.stylized))

    @staticmethod
    def length_um_of(points: np.ndarray) -> float:
        """Sum of the 3-D steps, um: np.linalg.norm(np.diff(...), axis=1) summed, spelled out (the same
        operations, so the same number) because an SWC file makes 1e4-1e5 sections."""
        t = points[1:, :3] - points[:-1, :3]
        return float(np.sqrt(np.add.reduce(t * t, axis=1)).sum())

    @classmethod
    def _prechecked(cls, name: str, region: str, points: np.ndarray, parent: int | None,
                    parent_x: float) -> Section:
        """A Section from fields its caller has already checked in bulk (``Morphology.from_swc``:
        thousands of sections at array speed): ``points`` a read-only float (n >= 2, 4) array, finite, diameters
        > 0, length > 0 and finite; a valid name and region; parent an int >= 0 or None; parent_x a
        float in [0, 1]. Anything else must go through the constructor."""
        s = object.__new__(cls)
        s.__dict__.update(name=name, region=region, points=points, parent=parent, parent_x=parent_x,
                          stylized=False)
        return s

    @property
    def length_um(self) -> float:
        """Section length in um: the sum of 3-D distances between consecutive points."""
        return self.length_um_of(self.points)

    @property
    def arc_um(self) -> np.ndarray:
        """(n,) cumulative 3-D path length of each point from the 0-end, um."""
        return np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(self.points[:, :3], axis=0),
                                                                axis=1))])

    def position(self, x: float) -> np.ndarray:
        """(x, y, z, diameter) interpolated at normalized arc position x in [0, 1]."""
        arc = self.arc_um
        s = float(x) * arc[-1]
        return np.array([np.interp(s, arc, self.points[:, k]) for k in range(4)])

    def __repr__(self):
        where = "root" if self.parent is None else f"parent={self.parent}@{self.parent_x:g}"
        return (f"Section({self.name!r}, region={self.region!r}, {len(self.points)} points, "
                f"L={self.length_um:.4g} um, {where})")


@dataclass(frozen=True)
class Morphology:
    """A neuron's geometry: sections in topological order (every parent before its children).

    Exactly one root (``sections[0]``, parent None); names are unique. Build one with `cylinder`,
    `ball_and_stick`, `builder` or `from_swc`.
    """

    sections: tuple[Section, ...]
    #: where the geometry came from (an SWC file's name), for messages; not part of equality
    source: str | None = field(default=None, compare=False)

    def __post_init__(self):
        secs = tuple(self.sections)
        if not secs:
            raise ModelError("Morphology.sections must not be empty")
        for i, s in enumerate(secs):
            if not isinstance(s, Section):
                raise ModelError(f"Morphology.sections[{i}] must be a Section, got {type(s).__name__}")
            if i == 0 and s.parent is not None:
                raise ModelError(f"Morphology.sections[0] ({s.name}) must be the root (parent None), "
                                 f"got parent {s.parent}")
            if i > 0 and (s.parent is None or s.parent >= i):
                raise ModelError(f"{s.name}.parent must be the index of an earlier section (< {i}), "
                                 f"got {s.parent}")
        dup = [n for n, c in Counter(s.name for s in secs).items() if c > 1]
        if dup:
            raise ModelError(f"section names must be unique, got {dup[0]!r} more than once")
        object.__setattr__(self, "sections", secs)

    # ---- constructors -------------------------------------------------------------------------
    @classmethod
    def cylinder(cls, length: float = 20.0, diameter: float = 20.0, region: str = "soma",
                 name: str | None = None) -> Morphology:
        """One straight cylinder along x from -length/2 to +length/2 (um).

        The default 20 x 20 um cylinder has the membrane area of a 20 um sphere (pi d L = pi d^2).
        """
        b = cls.builder()
        b.add(name or region, length=length, diameter=diameter, region=region)
        return b.build()

    @classmethod
    def ball_and_stick(cls, soma_diameter: float = 20.0, axon_length: float = 1000.0,
                       axon_diameter: float = 1.0, dendrite_length: float = 0.0,
                       dendrite_diameter: float = 2.0, soma_length: float | None = None) -> Morphology:
        """A soma cylinder (length = diameter unless given) with an axon at soma(1) along +x
        and, if ``dendrite_length > 0``, a dendrite "dend" at soma(0) along -x. Lengths in um."""
        b = cls.builder()
        b.add("soma", length=soma_diameter if soma_length is None else soma_length,
              diameter=soma_diameter)
        b.add("axon", length=axon_length, diameter=axon_diameter, parent="soma", x=1.0)
        if check_number("dendrite_length", dendrite_length, nonnegative=True) > 0:
            b.add("dend", length=dendrite_length, diameter=dendrite_diameter, parent="soma", x=0.0)
        return b.build()

    @staticmethod
    def builder() -> MorphologyBuilder:
        """A `MorphologyBuilder`: add sections by name, then ``build()``.

        Example:
            >>> b = Morphology.builder()
            >>> b.add("soma", length=20, diameter=20)
            'soma'
            >>> b.add("axon", length=500, diameter=1, parent="soma", x=1)
            'axon'
            >>> b.add("dend[0]", length=200, diameter=(3, 1), parent="soma", x=0)  # tapered
            'dend[0]'
            >>> b.add("dend[1]", length=100, diameter=1, parent="dend[0]")
            'dend[1]'
            >>> b.build().regions == {"soma", "axon", "basal"}
            True
        """
        return MorphologyBuilder()

    @classmethod
    def from_sections(cls, sections: Sequence[Section]) -> Morphology:
        """A Morphology from a sequence of `Section` (parents before children)."""
        return cls(tuple(sections))

    @classmethod
    def from_swc(cls, path) -> Morphology:
        """The cell of an SWC file, as NEURON's Import3d builds it (``excitable.io.import3d``).

        ``path``: the name of a shipped cell (``excitable.io.morphologies.names()``, e.g.
        "ca1-pyramidal") or the path of an SWC file, as for ``Cell.from_swc``. Raises ModelError (one
        line naming the file and line) for a malformed file or a section of length 0.
        """
        return _from_swc_sections(read_swc_sections(swc_path(path, field="path")))

    # ---- queries ------------------------------------------------------------------------------
    @property
    def regions(self) -> set[str]:
        """The set of region names used by the sections."""
        return {s.region for s in self.sections}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sections)

    def index(self, name: str) -> int:
        """Index of the section called ``name``."""
        for i, s in enumerate(self.sections):
            if s.name == name:
                return i
        raise ModelError(f"section name {name!r} not found; known: {', '.join(self.names[:8])}"
                         + (" ..." if len(self.sections) > 8 else ""))

    def children(self, i: int) -> list[int]:
        return [k for k, s in enumerate(self.sections) if s.parent == i]

    @property
    def total_length_um(self) -> float:
        return float(sum(s.length_um for s in self.sections))

    def __len__(self):
        return len(self.sections)

    def __repr__(self):
        counts = Counter(s.region for s in self.sections)
        parts = ", ".join(f"{r} {n}" for r, n in counts.items())
        return (f"Morphology({len(self.sections)} sections: {parts}; "
                f"total length {self.total_length_um:.6g} um)")


class MorphologyBuilder:
    """Collects sections by name and builds a `Morphology` (see `Morphology.builder`)."""

    def __init__(self):
        self._sections: list[Section] = []

    def add(self, name: str, *, length: float | None = None,
            diameter: float | Sequence[float] | None = None, points=None,
            parent: str | int | None = None, x: float = 1.0, region: str | None = None,
            direction: Sequence[float] | None = None) -> str:
        """Add a section and return its name.

        Args:
            name: unique section name; its base ("soma", "axon", "dend", "apic") sets the region
                unless ``region`` is given.
            length, diameter: a straight cable (um); ``diameter`` may be a pair (d0, d1) for a linear
                taper. Give these or ``points``.
            points: (n, 4) x, y, z, diameter (um), used as given.
            parent: name or index of the parent section; None for the root (the first section).
            x: where on the parent the 0-end attaches, 0..1.
            direction: 3-vector for a straight cable; default +x, or -x when attached at x = 0.
        """
        if (parent is None) != (not self._sections):
            raise ModelError(f"{name}: the first section must be the root (parent None) and every "
                             f"later one needs a parent, got parent={parent!r}")
        pidx = None
        if parent is not None:
            names = [s.name for s in self._sections]
            if isinstance(parent, str):
                if parent not in names:
                    raise ModelError(f"{name}.parent {parent!r} is not an existing section")
                pidx = names.index(parent)
            else:
                pidx = int(parent)
                if not 0 <= pidx < len(names):
                    raise ModelError(f"{name}.parent index must be in [0, {len(names)}), got {parent!r}")
        if points is None:
            points = self._straight(name, length, diameter, pidx, x, direction)
        elif length is not None or diameter is not None:
            raise ModelError(f"{name}: give either points or length/diameter, not both")
        # One diameter: NEURON's stylized L and diam, kept in double precision; a taper is only
        # possible with 3-D points in NEURON (pt3dadd, float32), so it stays 3-D points.
        stylized = length is not None and points[0, 3] == points[-1, 3]
        sec = Section(name, region or region_of(name), points, pidx, x, stylized)
        if name in (s.name for s in self._sections):
            raise ModelError(f"section name {name!r} is already used")
        self._sections.append(sec)
        return name

    def _straight(self, name, length, diameter, pidx, x, direction):
        if length is None or diameter is None:
            raise ModelError(f"{name}: give length and diameter (um) or points")
        length = check_number(f"{name}.length", length, positive=True)
        d = np.atleast_1d(np.asarray(diameter, dtype=object))
        if d.size not in (1, 2):
            raise ModelError(f"{name}.diameter must be a number or a pair (d0, d1), got {diameter!r}")
        d0, d1 = (check_number(f"{name}.diameter", v, positive=True) for v in (d[0], d[-1]))
        xval = check_number(f"{name}.x", x)
        if pidx is None:
            start = np.array([-length / 2, 0.0, 0.0])
        else:
            start = self._sections[pidx].position(min(max(xval, 0.0), 1.0))[:3]
        if direction is None:
            u = np.array([-1.0 if (pidx is not None and xval == 0) else 1.0, 0.0, 0.0])
        else:
            u = np.asarray(direction, dtype=float).reshape(-1)
            n = float(np.linalg.norm(u)) if u.size == 3 else math.nan
            if not n > 0 or not math.isfinite(n):
                raise ModelError(f"{name}.direction must be a nonzero 3-vector, got {direction!r}")
            u = u / n
        end = start + length * u
        return np.array([[*start, d0], [*end, d1]])

    def build(self) -> Morphology:
        return Morphology(tuple(self._sections))


def _from_swc_sections(swc: SwcSections) -> Morphology:
    """The Morphology of an SWC file's sections. Their points are checked at array speed: the file's
    table made them finite and bounded with diameters > 0, so what is left of Section's checks is a
    length > 0; a section that fails it (or the root, which may be a lone point) is built by the
    constructor, which says what is wrong, prefixed with the file and the section's last line."""
    pts_all, off = swc.points, swc.offsets
    sizes = np.diff(off)
    t = pts_all[1:, :3] - pts_all[:-1, :3]
    step_len = np.sqrt(np.add.reduce(t * t, axis=1))  # > 0 where Section.length_um_of adds a step > 0
    inside = np.ones(len(step_len), dtype=bool)
    inside[off[1:-1] - 1] = False  # steps from one section's last point to the next one's first
    moves = np.bincount(np.repeat(np.arange(len(swc)), sizes)[1:][inside],
                        weights=(step_len[inside] > 0), minlength=len(swc)) > 0
    fast = (moves & (sizes >= 2)).tolist()
    off = off.tolist()
    out = []
    for k, (name, region, parent, parent_x) in enumerate(zip(swc.names, swc.regions, swc.parents,
                                                              swc.parent_x)):
        pts = pts_all[off[k]:off[k + 1]]
        if k > 0 and fast[k]:
            out.append(Section._prechecked(name, region, pts, parent, parent_x))
            continue
        try:
            out.append(Section(name, region, pts, parent, parent_x))
        except ModelError as e:
            raise ModelError(f"{swc.source} line {swc.lines[k]}: {e}") from None
    return Morphology(tuple(out), source=swc.source)
