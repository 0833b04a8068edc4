"""Allen's all-active models as the Allen SDK builds them, and Allen's segment rule.

An Allen Cell Types fit file says nothing of the cell's axon when the model is all-active, yet the
Allen SDK's loader (``allensdk.model.biophysical.utils.AllActiveUtils``, the "truncated" axon that
its ``run_simulate`` uses by default, the one the all-active fits were made on) replaces it. Its
steps, which ``truncated_stub`` and ``prepare`` reproduce on an ``excitable.Cell`` (reached through
the objects given, so that this reading layer imports nothing of the model):

1. every section gets nseg = 1 + 2*int(L/40) (``nseg``), L in µm;
2. the stub's first diameter is ``axon[0]``'s at its middle (NEURON's ``sec.diam``: the mean
   diameter of the middle segment, with that nseg); the second is that of the first section
   ``axon[i]`` (lowest i) whose middle lies more than 60 µm from ``soma[0](0)`` along the tree
   (NEURON's ``h.distance``, which runs through the nodes the sections hang from), else the first;
3. every section named axon is deleted; ``axon[0]`` and ``axon[1]`` are created, L = 30 µm each,
   with those diameters, nseg 1; ``axon[0]``'s 0-end hangs from ``soma[0](1)``, ``axon[1]``'s from
   ``axon[0](1)``;
4. Ra = the "passive" part's ra and pas (NEURON's defaults g = 0.001 S/cm², e = -70 mV) on every
   section, then the genome entry by entry (its cm, Ra, e_pas per section), then ena / ek where the
   section has the ion. The "passive" part's cm and e_pas are not read (they are in the perisomatic
   loader).

bmtk (1.0.8, ``aibs_allactive`` / ``fix_axon_allactive``) differs: the second diameter is the last
axon section's, read before any nseg is set (one segment: the whole section's mean), and its
``set_params_allactive`` does apply the passive cm and e_pas. excitable follows the Allen SDK, the
Institute's own runner, and refuses a file where the two loaders' parameters would differ.

Which files are all-active: the SDK takes the model type from the model's manifest, not from the fit
file. The published all-active fits set cm and Ra per section in the genome and give "passive" only
``ra``; the perisomatic ones give cm and e_pas in "passive" and (bmtk's copies) their stub in
``"axon_morph"``. ``kind`` reads that; a file with genome cm or Ra and the passive cm or e_pas too is
refused in one line.

Both Allen loaders (the SDK's two, and bmtk's with its default dL = 20 µm: 1 + 2*int(L/(2 dL)))
discretize the cell with ``nseg``, so an Allen model's cell is discretized so on both sides of
``mod compare --cell`` and in ``run model`` (``prepare``).
"""

from __future__ import annotations

import re

from excitable.errors import ModelError
from excitable.io import allen_axon

#: Allen's segment rule's length (µm): nseg = 1 + 2*int(L/40), segments of 40/3 to 40 µm.
SEGMENT_UM = 40.0
#: The all-active stub: two sections of 30 µm (the SDK's), and the distance (µm from soma[0](0))
#: beyond which an axon section's diameter is the second section's.
STUB_UM, FAR_UM = 30.0, 60.0
#: pas as NEURON's ``insert pas`` leaves it (pas.mod's defaults), set on every section first.
PAS_DEFAULTS = {"g": 0.001, "e": -70.0}
#: The rule's description, for run model's summary and mod compare's note.
RULE = "Allen's nseg = 1 + 2*int(L/40) per section (the Allen SDK's and bmtk's)"


def nseg(length_um: float) -> int:
    """Allen's number of segments for a section of ``length_um`` (µm): 1 + 2*int(L/40)."""
    return 1 + 2 * int(length_um / SEGMENT_UM)


def kind(data: dict, source: str) -> str:
    """"perisomatic" (the file has ``axon_morph``), "all-active" (its genome sets cm or Ra per
    section), or "" (neither: not recognized as an Allen model; run as written)."""
    genome = data.get("genome")
    passive = data.get("passive")
    passive = passive[0] if isinstance(passive, list) and passive else passive
    per_section = isinstance(genome, list) and any(
        isinstance(g, dict) and not g.get("mechanism") and g.get("name") in ("cm", "Ra") for g in genome)
    if "axon_morph" in data:
        return "perisomatic"
    if not per_section:
        return ""
    given = sorted(k for k in ("cm", "e_pas") if isinstance(passive, dict) and k in passive)
    if given:
        raise ModelError(f"{source}: passive[0].{given[0]}: an all-active fit (the genome sets cm and Ra per "
                         f"section) with passive {' and '.join(given)} is ambiguous: the Allen SDK's all-active "
                         f"loader ignores them, bmtk's applies them; remove them, or give the file axon_morph "
                         f"if it is perisomatic")
    return "all-active"


def _index(name: str) -> int | None:
    """i of a section named axon[i] ("axon": 0); None for any other name."""
    m = re.fullmatch(r"axon(?:\[(\d+)\])?", name)
    return None if m is None else int(m.group(1) or 0)


def counts(cell_type, morphology) -> list[int]:
    """``nseg`` of each section of ``morphology`` (its L as NEURON computes it from the points)."""
    lengths = cell_type(morphology, nseg=1).compartments.length_um
    return [nseg(float(L)) for L in lengths]


def truncated_stub(cell, source: str = "fit") -> allen_axon.Stub:
    """The Allen SDK's all-active stub for ``cell``'s reconstruction (module docstring, steps 1-2)."""
    morph = cell.morphology
    secs = morph.sections
    axons = sorted((i for i, s in enumerate(secs) if _index(s.name) is not None), key=lambda i: _index(secs[i].name))
    if not axons or _index(secs[axons[0]].name) != 0:
        raise ModelError(f"{source}: an all-active fit needs the reconstruction's axon (section axon[0]): the "
                         f"Allen SDK reads its stub's diameters from it; this cell has none")
    c = type(cell)(morph, nseg=counts(type(cell), morph)).compartments
    soma = next((i for i, s in enumerate(secs) if s.name in ("soma", "soma[0]")), None)
    if soma is None or secs[soma].parent is not None:
        raise ModelError(f"{source}: an all-active fit needs soma[0] as the cell's root (the Allen SDK measures "
                         f"the axon's distance from soma[0](0))")
    soma_length = float(c.length_um[soma])

    centre = [n for n in range(len(c.x)) if c.x[n] == 0.5]  # each section's middle node (nseg is odd)
    middles = dict(zip((int(c.section[n]) for n in centre), centre))

    def middle(i: int) -> int:
        return middles[i]

    def from_soma_start(n: int) -> float:
        # distance_um runs from soma(0.5); from soma(0) it differs by where the path leaves the soma
        k = n
        while c.section[k] != soma:
            k = int(c.parent[k])
        xs = float(c.x[k])
        return float(c.distance_um[n]) - abs(xs - 0.5) * soma_length + xs * soma_length

    first = float(c.diam_um[middle(axons[0])])
    second = next((float(c.diam_um[m]) for i in axons if from_soma_start(m := middle(i)) > FAR_UM), first)
    return allen_axon.Stub((STUB_UM, STUB_UM), (first, second), 1.0)


def prepare(cell, params, allen_nseg: bool | None = None):
    """``cell`` (no mechanisms yet) as the Allen loaders build it for ``params``: a perisomatic file's
    stub (``axon_morph``) or an all-active file's truncated axon, then (``allen_nseg`` None: for an
    Allen model; True / False: always / never) Allen's nseg per section. Returns a new cell, or
    ``cell`` itself where nothing changes."""
    kind_ = getattr(params, "allen", "")
    stub = params.axon_stub if kind_ == "perisomatic" else None
    if kind_ == "all-active":
        stub = truncated_stub(cell, params.source)
    if stub is not None:
        cell = allen_axon.replace_in_cell(cell, stub, params.source)
    if allen_nseg or (allen_nseg is None and kind_):
        cell = type(cell)(cell.morphology, nseg=counts(type(cell), cell.morphology), ra=cell._ra, cm=cell._cm0,
                          name=cell.name)
    return cell


def describe(params, cell, allen_nseg: bool | None = None) -> str:
    """One line on what ``prepare`` did to ``cell`` (the prepared one) for ``params``: its axon and
    its segments ("" for a file that is no Allen model, with the cell's own segments)."""
    kind_ = getattr(params, "allen", "")
    parts = []
    if kind_:
        stub = [s for s in cell.morphology.sections if s.name in ("axon[0]", "axon[1]")]
        shape = ", ".join(f"{s.name} {s.length_um:g} x {s.points[0, 3]:.4g} um" for s in stub)
        where = "the Allen SDK's truncated axon" if kind_ == "all-active" else "Allen's stub axon (axon_morph)"
        parts.append(f"an Allen {kind_} fit: {where} ({shape}, at soma[0]({stub[0].parent_x:g}))")
    if allen_nseg or (allen_nseg is None and kind_):
        parts.append(RULE)
    return "; ".join(parts)
