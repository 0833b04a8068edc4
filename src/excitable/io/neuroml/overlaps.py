"""Two densities of one ion channel on one section are refused, never resolved silently.

NeuroML does not say which of two densities of the same ``ionChannel`` holds where both cover a
section: NeuroML's LEMS makes each density a population of its own and so adds the conductances,
while jNeuroML's NEURON export inserts the mechanism again and keeps the last density's values.
A cell exported by NetPyNE whose densities lost their ``segmentGroup`` (OSB HNN's
CELL_HH_reduced_L2Pyr.cell.nml: each then covers the whole cell) is read one way by one simulator
and another way by the other, so the importer refuses it at the second density's file:line, naming
the first (its id and line), the channel and the sections they share. Every kind of density takes
part: ``channelDensity`` and its ``Nernst``/``GHK``/``GHK2`` forms, and the ``NonUniform`` ones (by
their variableParameter's segment group).
"""

from __future__ import annotations

from excitable.errors import ModelError
from excitable.io.neuroml.files import line_of

#: libNeuroML's list on MembraneProperties -> NeuroML's element, for every kind of channel density.
ELEMENTS = {"channel_densities": "channelDensity",
            "channel_density_non_uniforms": "channelDensityNonUniform",
            "channel_density_nernsts": "channelDensityNernst",
            "channel_density_ghks": "channelDensityGHK",
            "channel_density_ghk2s": "channelDensityGHK2",
            "channel_density_non_uniform_nernsts": "channelDensityNonUniformNernst",
            "channel_density_non_uniform_ghks": "channelDensityNonUniformGHK"}
#: The law of each element's current: two laws of one channel on a cell are refused by the importer
#: anyway ("one law per channel and cell", ``cells``/``densities``), with that message.
_LAW = {"channelDensity": "ohmic", "channelDensityNonUniform": "ohmic", "channelDensityNernst": "nernst",
        "channelDensityNonUniformNernst": "nernst", "channelDensityGHK": "ghk", "channelDensityNonUniformGHK": "ghk",
        "channelDensityGHK2": "ghk2"}
_SHOWN = 3  # sections named in the message; the rest counted


def check_overlaps(mp, sections, section_of, where) -> None:
    """Refuse, at the later element's line, a second density of an ion channel on a section that
    another density of it already covers. ``mp``: libNeuroML MembraneProperties; ``sections``:
    segment group id -> section names; ``section_of``: segment id -> (section, segment count);
    ``where``: ``files.Where``. Densities are taken in the file's order (by line)."""
    from excitable.io.neuroml.densities import density_sections

    found = [(cd, element) for attr, element in ELEMENTS.items() for cd in getattr(mp, attr, None) or []]
    found.sort(key=lambda item: _line(item[0]))
    first: dict[str, dict[str, tuple]] = {}  # ion channel -> section -> (element, its density)
    for cd, element in found:
        field = f"NeuroML: {where.at(cd)} {element} {cd.id!r}"
        names = density_sections(cd, sections, section_of, field)
        owned = first.setdefault(cd.ion_channel, {})
        shared = [n for n in names if n in owned]
        if shared and _LAW[owned[shared[0]][0]] == _LAW[element]:
            other_element, other = owned[shared[0]]
            same = [n for n in shared if owned[n][1] is other]
            listed = ", ".join(repr(n) for n in same[:_SHOWN]) + (f" and {len(same) - _SHOWN} more"
                                                                   if len(same) > _SHOWN else "")
            raise ModelError(
                f"{field}: ionChannel {cd.ion_channel!r} already has a density on section{'s' * (len(same) > 1)} "
                f"{listed} ({other_element} {other.id!r}, line {line_of(other)}); NeuroML does not say which of "
                f"two densities of one channel on one section holds (LEMS adds them, jNeuroML's NEURON export "
                f"keeps the last): give each section one density of a channel (a segmentGroup per density)")
        for n in names:
            owned[n] = (element, cd)


def _line(element) -> int:
    line = line_of(element)
    return int(line) if line.isdigit() else 0
