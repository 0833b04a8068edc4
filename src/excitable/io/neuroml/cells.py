"""NeuroML 2 ``<cell>`` -> excitable ``Cell``: morphology, segment groups, channel densities,
capacitance, resistivity and the initial potential.

Supported: ``channelDensity`` on a segment group (or one segment), ``channelDensityNernst``/``GHK``/
``GHK2`` with the cell's Ca2+ ``species`` (``densities``), ``channelDensityNonUniform`` and its
``Nernst``/``GHK`` forms, whose conductance (permeability) is an expression of the path length from
the root over a segment group that declares the ``inhomogeneousParameter`` (``nonuniform``: NEURON's
SubsetDomainIterator, per compartment), ``specificCapacitance`` and ``resistivity`` per group,
``initMembPotential``, ``spikeThresh`` (reported). Refused with one line: ``channelDensityVShift``,
``channelPopulation``, a ``variableParameter`` inside a plain ``channelDensity`` (NeuroML v2beta's
form), a species' concentration model defined in LEMS outside ``lems_pools``' subset, groups defined
by ``path``/``subTree``, a group that covers only part of a section where a density, capacitance or
resistivity uses it (an unused one is left out of ``ImportedCell.groups``), and two densities of one
ion channel on one section (``overlaps``). A Ca2+ ``channelDensity`` keeps its erev fixed beside a
calcium pool (``densities.fixed_erev``). Errors name file:line of the element (``files.Where``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from excitable import limits
from excitable.errors import ModelError
import excitable.io.neuroml.units as units
from excitable.io.neuroml.files import Where, line_of
from excitable.io.neuroml.morphology import STANDARD_REGIONS, sections_of
from excitable.model.cell import Cell
from excitable.model.morphology import Morphology, Section, region_of

_REFUSED = {"channel_density_v_shifts": "channelDensityVShift",
            "channel_populations": "channelPopulation"}


@dataclass
class ImportedCell:
    """A NeuroML cell as excitable has it.

    Attributes:
        cell: the Cell (mechanisms inserted, cm and ra set).
        v_init_mV: the cell's initMembPotential (None if it gives none): ``Simulation(v_init=...)``.
        spike_threshold_mV: its spikeThresh (None if none).
        groups: segment group id -> the names of the sections it covers (``cell.insert(.., where=)``);
            a group covering part of a section is left out (refused only where a density uses it).
    """

    cell: Cell
    v_init_mV: float | None = None
    spike_threshold_mV: float | None = None
    groups: dict[str, list[str]] = field(default_factory=dict)


def build_cell(nml_cell, channels: dict[str, type], where: str, morphologies: dict, biophysics: dict,
               **policy) -> ImportedCell:
    """The ImportedCell of a libNeuroML ``Cell``; ``channels``: ion channel id -> class; ``policy``:
    nseg / dx_um / d_lambda (default: each section's numberInternalDivisions, else 1), and
    ``concentrations`` (None, or "fixed": hold the species' concentrations, ``densities``) with
    ``concentration_models`` (id -> element, of the files read)."""
    where = Where(where, nml_cell.id, line_of(nml_cell))
    conc = (policy.pop("concentrations", None), policy.pop("concentration_models", None) or {})
    morph = nml_cell.morphology or morphologies.get(nml_cell.morphology_attr)
    bio = nml_cell.biophysical_properties or biophysics.get(nml_cell.biophysical_properties_attr)
    if morph is None:
        raise ModelError(f"NeuroML: {where} has no morphology")
    limits.check("compartments", 2.0 * len(morph.segments), f"NeuroML {where} ({len(morph.segments)} segments)")
    secs = sections_of(morph, where)
    groups = _group_segments(morph, where)
    section_of = {i: (s.name, len(s.segments)) for s in secs for i in s.segments}
    standard = _standard_members(groups, secs, where)
    for s in secs:
        s.region = s.region or standard.get(s.segments[0]) or region_of(s.name)
    morphology = Morphology(tuple(Section(s.name, s.region, s.points, s.parent, s.parent_x) for s in secs))
    if not any(policy.get(k) is not None for k in ("nseg", "dx_um", "d_lambda")):
        policy["nseg"] = [s.nseg or 1 for s in secs]
    cell = Cell(morphology, name=nml_cell.id, **policy)
    out = ImportedCell(cell)
    covered = {}

    def sections(group_id: str) -> list[str]:
        if group_id not in covered:
            covered[group_id] = _sections_in(group_id, groups, secs, where)
        return covered[group_id]

    # a group that covers part of a section is refused only where something uses it (``sections``):
    # olm.cell.nml's connection-target groups list one segment of two-segment sections
    out.groups = {g: names for g in groups if g in _plain(groups)
                  if (names := _sections_in(g, groups, secs, where, strict=False)) is not None}
    if bio is not None:
        _biophysics(bio, out, channels, sections, where, section_of, conc, groups)
    return out


def abstract_cells(docs) -> list[tuple[str, str]]:
    """("<tag> 'id'", "file:line") of every abstract cell of the documents read (izhikevichCell,
    iafCell, adExIaFCell, fitzHughNagumoCell, PyNN's IF_cond_exp ...: each class of libNeuroML's
    document that is a BaseCell but not a <cell>), which are not imported: a cell here is a
    morphology with channel densities, while these are point models with equations of their own."""
    from neuroml.nml import nml

    found = []
    for item in nml.NeuroMLDocument.member_data_items_:
        kind = getattr(nml, item.data_type, None)
        if not (isinstance(kind, type) and issubclass(kind, nml.BaseCell)) or issubclass(kind, nml.Cell):
            continue  # <cell> (and cell2CaPools, refused by read) are not abstract
        for k, (p, doc) in enumerate(docs):
            for el in getattr(doc, item.name, None) or []:
                node = getattr(el, "gds_elementtree_node_", None)
                tag = node.tag.rsplit("}", 1)[-1] if node is not None else item.data_type
                line = line_of(el)
                found.append((k, int(line) if line.isdigit() else 0, f"{tag} {el.id!r}", f"{p.name}:{line}"))
    return [(what, where) for _, _, what, where in sorted(found)]  # the files' order, then the lines


def _group_segments(morph, where) -> dict[str, object]:
    """Segment group id -> its element; "all" is every segment when the file does not define it."""
    groups = {g.id: g for g in morph.segment_groups or []}
    groups.setdefault("all", None)
    return groups


def _plain(groups) -> set[str]:
    return {g for g, el in groups.items() if el is None or not (el.paths or el.sub_trees)}


def _members(group_id, groups, morph_segments, where, stack=()) -> set[int]:
    if group_id not in groups:
        raise ModelError(f"NeuroML: {where}: no segment group {group_id!r}; it has {', '.join(groups)}")
    el = groups[group_id]
    if el is None:
        return set(morph_segments)
    # an inhomogeneousParameter declares a metric for a channelDensityNonUniform (``nonuniform``): it
    # changes no membership
    if el.paths or el.sub_trees:
        raise ModelError(f"NeuroML: {where.at(el)}: segment group {group_id!r} uses path/subTree, which is not "
                         f"supported (list its members)")
    if group_id in stack:
        raise ModelError(f"NeuroML: {where.at(el)}: segment group {group_id!r} includes itself")
    out = {int(m.segments) for m in el.members or []}
    for inc in el.includes or []:
        out |= _members(inc.segment_groups, groups, morph_segments, where, (*stack, group_id))
    return out


def _sections_in(group_id, groups, secs, where, strict: bool = True) -> list[str] | None:
    """The sections group ``group_id`` covers whole; one covering part of a section is refused
    (``strict``) or gives None."""
    all_segments = [i for s in secs for i in s.segments]
    members = _members(group_id, groups, all_segments, where)
    names = []
    for s in secs:
        inside = [i in members for i in s.segments]
        if all(inside):
            names.append(s.name)
        elif any(inside):
            if not strict:
                return None
            raise ModelError(f"NeuroML: {where.at(groups[group_id])}: segment group {group_id!r} covers part of section {s.name!r} "
                             f"(segments {sum(inside)} of {len(inside)}); densities are per section here")
    return names


def _standard_members(groups, secs, where) -> dict[int, str]:
    """Segment id -> region, from NeuroML's conventional groups (soma_group, axon_group, dendrite_group)."""
    all_segments = [i for s in secs for i in s.segments]
    out = {}
    for gid, region in STANDARD_REGIONS.items():
        if groups.get(gid) is not None and gid in _plain(groups):
            for i in _members(gid, groups, all_segments, where):
                out.setdefault(i, region)
    return out


def _biophysics(bio, out: ImportedCell, channels, sections, where, section_of, conc, groups) -> None:
    import excitable.io.neuroml.densities as densities
    import excitable.io.neuroml.nonuniform as nonuniform
    from excitable.io.neuroml.overlaps import check_overlaps

    policy, models = conc
    species = densities.species_by_section(bio, sections, where, models)
    laws: dict[str, str] = {}  # channel id -> the law it runs under on this cell
    mp = bio.membrane_properties
    if mp is not None:
        for attr, name in _REFUSED.items():
            for el in getattr(mp, attr, None) or []:
                raise ModelError(f"NeuroML: {where.at(el)}: {name} {el.id!r} is not supported")
        nonuniform.check_all(mp, groups, where)  # each refused with its own line before anything is inserted
        check_overlaps(mp, sections, section_of, where)  # one density per channel and section: none wins silently
        for c in mp.specific_capacitances or []:
            out.cell.set("cm", units.quantity(c.value, "specificCapacitance", f"NeuroML: {where.at(c)} specificCapacitance"),
                         where=sections(c.segment_groups or "all"))
        for v in mp.init_memb_potentials or []:
            out.v_init_mV = units.quantity(v.value, "voltage", f"NeuroML: {where.at(v)} initMembPotential")
        for t in mp.spike_threshes or []:
            out.spike_threshold_mV = units.quantity(t.value, "voltage", f"NeuroML: {where.at(t)} spikeThresh")
        densities.insert_pools(mp, out.cell, channels, sections, where, section_of, species, policy, models)
        ca_readers: set[str] = set()  # sections where a channel's gates read [Ca2+]i
        ohmic = [(cd, "channelDensity", None) for cd in mp.channel_densities or []]
        ohmic += [(cd, "channelDensityNonUniform", nonuniform.read(cd, "channelDensityNonUniform", groups, where))
                  for cd in mp.channel_density_non_uniforms or []]
        for cd, element, variation in ohmic:
            if laws.setdefault(cd.ion_channel, "ohmic") != "ohmic":
                raise ModelError(f"NeuroML: {where.at(cd)} {element} {cd.id!r}: ionChannel {cd.ion_channel!r} is "
                                 f"also used with another kind of density on this cell; one law per channel and cell")
            ca_readers |= _density(cd, out.cell, channels, sections, where, section_of, species.get("ca", {}),
                                   variation)
        densities.insert(mp, out.cell, channels, sections, where, section_of, species, policy, laws, ca_readers,
                         groups)
        if mp.init_memb_potentials:  # a gate that is 0/0 where the cell starts: named now, not as "unstable"
            from excitable.io.neuroml.singular import warn_removable

            warn_removable(out.cell, out.v_init_mV, where.at(mp.init_memb_potentials[-1]))
    ep = bio.extracellular_properties
    for sp in (ep.species or []) if ep is not None else []:  # libNeuroML keeps it; [Ca]o is the species' own
        raise ModelError(f"NeuroML: {where.at(sp)}: extracellularProperties species {sp.id!r} is not supported "
                         f"(give initialExtConcentration on the intracellular species)")
    ip = bio.intracellular_properties
    for r in (ip.resistivities or []) if ip is not None else []:
        out.cell.set("ra", units.quantity(r.value, "resistivity", f"NeuroML: {where.at(r)} resistivity"),
                     where=sections(r.segment_groups or "all"))


def _density(cd, cell: Cell, channels, sections, where, section_of, calcium: dict, variation=None) -> set[str]:
    """One channelDensity, or a channelDensityNonUniform (``variation``: ``nonuniform.Variation``,
    its gbar set per compartment after the insertion); a channel whose gates read [Ca2+]i gets the
    species' initial level per section (``calcium``: section -> (ci, ...)), which a pool then
    moves: the names of those sections are returned (none for other channels)."""
    element = "channelDensity" if variation is None else "channelDensityNonUniform"
    field = f"{where.at(cd)} {element} {cd.id!r}"
    if variation is None and cd.variable_parameters:
        raise ModelError(f"NeuroML: {field}: variableParameter is not supported here (NeuroML 2 writes a "
                         f"varying density as channelDensityNonUniform)")
    if cd.ion_channel not in channels:
        raise ModelError(f"NeuroML: {field}: no ionChannel {cd.ion_channel!r}; known: {', '.join(channels) or 'none'}")
    from excitable.io.neuroml.densities import density_sections, fixed_erev
    from excitable.io.neuroml.nonuniform import apply

    cls = channels[cd.ion_channel]
    if getattr(cls, "neuroml_species", None) == "ca":
        cls = fixed_erev(cls)  # a Ca2+ pool beside it moves [Ca]i, never this erev (NeuroML's meaning)
    gbar = 0.0 if variation is not None else \
        units.quantity(cd.cond_density, "conductanceDensity", f"NeuroML: {field} condDensity")
    if cd.erev is None:
        raise ModelError(f"NeuroML: {field}: erev is missing (a {element} gives its reversal potential, e.g. "
                         f"erev=\"-65mV\")")
    erev = units.quantity(cd.erev, "voltage", f"NeuroML: {field} erev")
    names = density_sections(cd, sections, section_of, f"NeuroML: {field}")
    readers: set[str] = set()
    if getattr(cls, "neuroml_calcium", None) == "cai":
        by_level: dict[float, list[str]] = {}
        for name in names:
            if name not in calcium:
                raise ModelError(f"NeuroML: {field}: ionChannel {cd.ion_channel!r} has gates that read caConc, and "
                                 f"section {name!r} has no species of ion 'ca' to give it")
            by_level.setdefault(calcium[name][0], []).append(name)
        for cai, where_ in by_level.items():
            cell.insert(cls(gbar=gbar, erev=erev, cai=cai), where=where_)
        readers = set(names)
    elif names:
        cell.insert(cls(gbar=gbar, erev=erev), where=names)
    if variation is not None:
        apply(cell, cls.__name__, variation, names)
    return readers
