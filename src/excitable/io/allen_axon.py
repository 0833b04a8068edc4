"""Allen's stub axon: the Allen Cell Types perisomatic models were fitted with the reconstruction's
axon replaced by two short cylinders, and their ``fit.json`` says so in its ``"axon_morph"`` part
(hoc lines, as bmtk ships the files). The stub is part of the published model, so a cell read for
such a file gets it too.

What the Allen SDK does (``allensdk.model.biophysical.utils.Utils.generate_morphology``, the
perisomatic loader), and what the file's hoc lines say: every section whose name starts with "axon"
is deleted; ``axon[0]`` and ``axon[1]`` are created, each L = 30 µm, diam = 1 µm, nseg =
1 + 2*int(L/40) = 1; ``axon[0]``'s 0-end is connected to ``soma[0](0.5)`` and ``axon[1]``'s 0-end to
``axon[0](1)``.

The hoc text is never executed: ``read`` matches it line by line against that known form (spaces
ignored), takes the numbers (L, diam, the soma position) from it, and refuses anything else in one
line, rather than guess what other hoc would do. ``replace`` is the geometry change itself, on a
``Morphology`` (excitable.model), reached through the objects it is given so that this reading
layer imports nothing of the model.
"""

from __future__ import annotations

import dataclasses
import re

from excitable.errors import ModelError

_NUM = r"([0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)"
#: The stub's hoc as the Allen files give it, one pattern a line, spaces removed, empty lines skipped.
_SECTION = [r"L=" + _NUM, r"diam=" + _NUM, r"nseg=1\+2\*int\(L/40\)", r"all\.append\(\)",
            r"axonal\.append\(\)", r"\}"]
_FORM = ([r"forsecaxonal\{delete_section\(\)\}", r"createaxon\[2\]", r"axon\[0\]\{"] + _SECTION
         + [r"axon\[1\]\{"] + _SECTION
         + [r"nSecAxonal=2", r"connectaxon(?:\[0\])?\(0\),soma(?:\[0\])?\(" + _NUM + r"\)",
            r"connectaxon\[1\]\(0\),axon\[0\]\(1\)", r"accesssoma"])
_SETUP = "createsoma[1],dend[1],apic[1],axon[1]"
#: Segment length of Allen's nseg rule (1 + 2*int(L/40)), µm: a stub shorter than this is one segment,
#: as excitable's dx_um = 40 rule also makes it.
ALLEN_SEGMENT_UM = 40.0


@dataclasses.dataclass(frozen=True)
class Stub:
    """The stub: lengths and diameters of ``axon[0]`` and ``axon[1]`` (µm), and where on the soma
    (0..1 along ``soma[0]``) ``axon[0]``'s 0-end is connected."""

    lengths_um: tuple[float, float] = (30.0, 30.0)
    diameters_um: tuple[float, float] = (1.0, 1.0)
    soma_x: float = 0.5


def read(value, source: str) -> Stub:
    """The ``"axon_morph"`` part of a fit file (a list of one object, or the object), checked against
    the Allen stub's known hoc form; anything else is a one-line ModelError naming the line."""
    part = value[0] if isinstance(value, list) and len(value) == 1 else value
    where = f"{source}: axon_morph"
    if not isinstance(part, dict) or not isinstance(part.get("delete_axon"), list):
        raise ModelError(f"{where}: expected [{{'delete_axon': [hoc lines], 'setup_line': ...}}] (Allen's "
                         f"stub axon), got {value!r:.60}")
    extra = sorted(set(part) - {"delete_axon", "setup_line"})
    if extra:
        raise ModelError(f"{where}: unknown field {extra[0]!r}; known: delete_axon, setup_line")
    setup = part.get("setup_line", _SETUP)
    if not isinstance(setup, str) or setup.replace(" ", "") != _SETUP:
        raise ModelError(f"{where}.setup_line: {setup!r:.80} is not Allen's ('create soma[1], dend[1], "
                         f"apic[1], axon[1]'); other hoc is not run")
    lines = [(i, s) for i, s in enumerate(part["delete_axon"])
             if not isinstance(s, str) or s.strip()]
    numbers = []
    for k, pattern in enumerate(_FORM):
        if k >= len(lines):
            raise ModelError(f"{where}.delete_axon: ends before Allen's stub axon does (no line matching "
                             f"{_plain(pattern)!r}); other hoc is not run")
        i, line = lines[k]
        m = re.fullmatch(pattern, line.replace(" ", "").replace("\t", "")) if isinstance(line, str) else None
        if m is None:
            raise ModelError(f"{where}.delete_axon[{i}]: {line!r:.80} is not Allen's stub axon (expected "
                             f"{_plain(pattern)!r}); other hoc is not run")
        numbers += [(i, float(g)) for g in m.groups()]
    if len(lines) > len(_FORM):
        i, line = lines[len(_FORM)]
        raise ModelError(f"{where}.delete_axon[{i}]: {line!r:.80} follows Allen's stub axon; other hoc is not run")
    (i0, l0), (i1, d0), (i2, l1), (i3, d1), (i4, x) = numbers
    for i, v, name in ((i0, l0, "L"), (i2, l1, "L")):
        if not 0.0 < v < ALLEN_SEGMENT_UM:  # longer: Allen's nseg rule and excitable's may differ
            raise ModelError(f"{where}.delete_axon[{i}]: L = {v:g} um; a stub of 0 < L < "
                             f"{ALLEN_SEGMENT_UM:g} um (one segment) is supported")
    for i, v in ((i1, d0), (i3, d1)):
        if not v > 0.0:
            raise ModelError(f"{where}.delete_axon[{i}]: diam = {v:g} um must be > 0")
    if not 0.0 <= x <= 1.0:
        raise ModelError(f"{where}.delete_axon[{i4}]: soma({x:g}) must be in [0, 1]")
    return Stub((l0, l1), (d0, d1), x)


def _plain(pattern: str) -> str:
    """A pattern of ``_FORM`` as the hoc it stands for (for messages)."""
    text = pattern.replace(_NUM, "N").replace("(?:\\[0\\])?", "")
    return re.sub(r"\\(.)", r"\1", text)


def replace(morphology, stub: Stub, source: str = "axon_morph"):
    """``morphology`` (an ``excitable.Morphology``) with its axon replaced by ``stub``: every section
    of region "axon" removed (Import3d names them axon[i]: the Allen SDK deletes the sections whose
    name starts with "axon"), the other sections kept in their order, and ``axon[0]`` (0-end at
    ``soma[0](soma_x)``) and ``axon[1]`` (0-end at ``axon[0](1)``) added as straight stylized
    cylinders (NEURON's L and diam). A non-axon section hanging from the axon is refused: NEURON's
    delete_section would leave it unconnected, a cell the model was not fitted on."""
    secs = morphology.sections
    gone = [s.region == "axon" or s.name.startswith("axon") for s in secs]
    for i, s in enumerate(secs):
        if not gone[i] and s.parent is not None and gone[s.parent]:
            raise ModelError(f"{source}: section {s.name} hangs from the axon ({secs[s.parent].name}); "
                             f"Allen's stub axon would leave it unconnected")
    soma = next((i for i, s in enumerate(secs) if s.name in ("soma", "soma[0]")), None)
    if soma is None or gone[soma]:
        raise ModelError(f"{source}: the cell has no section soma[0] to put Allen's stub axon on")
    index, kept = {}, []
    for i, s in enumerate(secs):
        if not gone[i]:
            index[i] = len(kept)
            kept.append(s if s.parent is None else dataclasses.replace(s, parent=index[s.parent]))
    root = kept[index[soma]]
    start = root.position(stub.soma_x)[:3]
    for k in range(2):
        length, d = stub.lengths_um[k], stub.diameters_um[k]
        points = [[*start, d], [start[0] + length, start[1], start[2], d]]
        parent, x = (index[soma], stub.soma_x) if k == 0 else (len(kept) - 1, 1.0)
        kept.append(dataclasses.replace(root, name=f"axon[{k}]", region="axon", points=points,
                                        parent=parent, parent_x=x, stylized=True))
        start = points[1][:3]
    return type(morphology)(tuple(kept), source=morphology.source)


def replace_in_cell(cell, stub: Stub, source: str = "axon_morph"):
    """A new cell like ``cell`` (an ``excitable.Cell`` without mechanisms yet: same discretization
    policy, Ra, cm, name) on ``replace(cell.morphology, stub)``."""
    if cell.mechanisms or cell.point_mechanisms:
        raise ModelError(f"{source}: Allen's stub axon is put on a cell before its mechanisms (this one "
                         f"has {', '.join(cell.mechanisms) or 'point mechanisms'})")
    return type(cell)(replace(cell.morphology, stub, source), **cell._policy, ra=cell._ra, cm=cell._cm0,
                      name=cell.name)
