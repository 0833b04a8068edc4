"""NeuroML 2 channel densities whose current depends on the ion concentrations: ``channelDensityNernst``
(the reversal potential from the Nernst equation), ``channelDensityGHK`` (the GHK current of a
permeability) and ``channelDensityGHK2`` (Jaffe et al. 1994's GHK-like current of a conductance),
their non-uniform forms ``channelDensityNonUniformNernst`` and ``channelDensityNonUniformGHK`` (the
conductance or permeability per compartment from the path length: ``nonuniform``), and the cell's
``species`` that give them the concentrations.

NeuroML defines the three for Ca2+ only (zCa = 2 in their LEMS definitions, with its constants R and
F: ``rates.R_NEUROML``, ``rates.F_NEUROML``); another ion is refused. The concentrations are the
species' ``initialConcentration`` and ``initialExtConcentration`` (mM), per segment group; the
temperature is the simulation's. The species' concentration model makes [Ca]i follow the current:
NeuroML's ``decayingPoolConcentrationModel`` and ``fixedFactorConcentrationModel`` are imported as
pools (``pools``) on the sections of the species, which the densities read, and so are models defined
as LEMS ComponentTypes extending ``concentrationModel`` (``lems_pools``); the caller may ask for the
concentrations to be held at their initial values instead (``read(path, concentrations="fixed")``,
which skips the pools).
"""

from __future__ import annotations

from excitable.errors import ModelError
import excitable.io.neuroml.units as units
from excitable.io.neuroml.lems_pools import LEMS_KIND, lems_pool_class
from excitable.io.neuroml.pools import KINDS, parameters, pool_class
from excitable.io.neuroml.rates import with_law
from excitable.physics.channel import channel

#: libNeuroML's list on MembraneProperties -> (NeuroML element, our law).
DENSITIES = {"channel_density_nernsts": ("channelDensityNernst", "nernst"),
             "channel_density_ghks": ("channelDensityGHK", "ghk"),
             "channel_density_ghk2s": ("channelDensityGHK2", "ghk2"),
             "channel_density_non_uniform_nernsts": ("channelDensityNonUniformNernst", "nernst"),
             "channel_density_non_uniform_ghks": ("channelDensityNonUniformGHK", "ghk")}
#: What ``concentrations=`` may say: None (refuse concentration dynamics) or "fixed".
POLICIES = (None, "fixed")
#: The concentration models run as pools: NeuroML's standard two and those defined in LEMS.
RUN = (*KINDS, LEMS_KIND)
_NOT_RUN = (f"which is not one of NeuroML's standard models ({', '.join(KINDS)}) nor a concentrationModel "
            f"ComponentType defined in the files read")


def species_by_section(bio, sections, where: str, models: dict) -> dict[str, dict[str, tuple]]:
    """ion -> section name -> (ci, co in mM, the species id, its concentration model's kind or None
    when the files do not define it), from the cell's ``species``."""
    ip = bio.intracellular_properties
    out: dict[str, dict[str, tuple]] = {}
    for sp in (ip.species or []) if ip is not None else []:
        field = f"NeuroML: {_at(where, sp)} species {sp.id!r}"
        ci = units.quantity(sp.initial_concentration, "concentration", f"{field} initialConcentration")
        co = units.quantity(sp.initial_ext_concentration, "concentration", f"{field} initialExtConcentration")
        # [Ca]i may start at 0 (ACnet2's pyramidal cell: its pool fills it; NEURON takes cai0 = 0): only
        # a Nernst potential, ln([Ca]o/[Ca]i), cannot (``_insert_one``); [Ca]o > 0 for the GHK laws
        if not (ci >= 0 and co > 0):
            raise ModelError(f"{field}: concentrations must be >= 0 mM inside and > 0 mM outside, got "
                             f"initialConcentration {ci:g}, initialExtConcentration {co:g}")
        for name in sections(sp.segment_groups or "all"):
            if name in out.setdefault(sp.ion, {}):
                raise ModelError(f"{field}: section {name!r} has two species of ion {sp.ion!r}")
            out[sp.ion][name] = (ci, co, sp.id, sp.concentration_model, models.get(sp.concentration_model, (None,))[0])
    return out


def insert_pools(mp, cell, channels: dict, sections, where: str, section_of, species: dict, policy,
                 models: dict) -> None:
    """Before any channel: the pools of the Ca2+ species that the cell's Nernst/GHK/GHK2 densities,
    the gates reading [Ca2+]i (``lems``) and the Ca2+ channelDensities (fixed erev, writing ica) use,
    on those sections. First because NEURON runs the
    mechanisms that write a concentration before the others (``nrn_writes_conc``), so every reader's
    state update sees the pool's new [Ca2+]i, as our engine gives it to the mechanisms inserted after
    the writer. Sections without a standard model are left to ``insert``'s one-line refusals."""
    if policy == "fixed" or "ca" not in species:
        return
    read: set[str] = set()
    for attr in DENSITIES:
        for cd in getattr(mp, attr, None) or []:
            read |= set(density_sections(cd, sections, section_of, f"NeuroML: {_at(where, cd)} {cd.id!r}"))
    for cd in [*(mp.channel_densities or []), *(mp.channel_density_non_uniforms or [])]:
        # gates reading [Ca2+]i, and Ca2+ currents the pool integrates
        cls = channels.get(cd.ion_channel)
        _same_ion(cd, cls, sections, section_of, species["ca"], where)
        if getattr(cls, "neuroml_calcium", None) == "cai" or getattr(cls, "neuroml_species", None) == "ca":
            read |= set(density_sections(cd, sections, section_of, f"NeuroML: {_at(where, cd)} {cd.id!r}"))
    names = sorted(n for n in read if n in species["ca"] and species["ca"][n][4] in RUN)
    if names:
        _insert_pools(cell, species["ca"], names, models, where)


def _same_ion(cd, cls, sections, section_of, calcium: dict, where) -> None:
    """Refuse a channelDensity(NonUniform) whose ``ion`` and whose channel's species disagree on
    Ca2+ on sections where a Ca2+ pool runs: NeuroML's LEMS definitions feed the pool from the
    densities of ion 'ca' (Cells.xml: ``channelDensities[ion='ca']/iDensity``), jNeuroML's NEURON
    export from the channels of species 'ca' (``USEION <species>``; NEURON's ion names are
    case-sensitive, Channelpedia's species="Ca" is an ion of its own there), so the two runs differ.
    Elsewhere nothing reads the Ca2+ current and the density runs as the channel says."""
    species = getattr(cls, "neuroml_species", None)
    if cls is None or (cd.ion == "ca") == (species == "ca"):
        return
    element = "channelDensity" if hasattr(cd, "segment_groups") else "channelDensityNonUniform"
    field = f"NeuroML: {_at(where, cd)} {element} {cd.id!r}"
    pooled = [n for n in density_sections(cd, sections, section_of, field) if calcium.get(n, (0,) * 5)[4] in RUN]
    if pooled:
        _ci, _co, sid, model_id, _kind = calcium[pooled[0]]
        raise ModelError(f"{field}: ion {cd.ion!r} but ionChannel {cd.ion_channel!r} has species "
                         f"{species or 'non_specific'!r}, on section {pooled[0]!r} beside the Ca2+ pool {model_id!r} "
                         f"of species {sid!r}: NeuroML's LEMS feeds the pool from the density's ion, jNeuroML's "
                         f"NEURON export from the channel's species (case-sensitive), so they differ; give both "
                         f"ion=\"ca\" on the density and species=\"ca\" on the ionChannel, or neither")


def insert(mp, cell, channels: dict, sections, where: str, section_of, species: dict, policy,
           laws: dict[str, str], gate_readers: set[str] = frozenset(), groups: dict | None = None) -> None:
    """Insert every Nernst/GHK/GHK2 density of MembraneProperties ``mp`` into ``cell``, uniform or
    not (the pools are in already: ``insert_pools``) and refuse what the pools cannot serve; ``laws``
    (channel id -> law) records which law each channel runs under on this cell; ``gate_readers``:
    the sections where a channel's gates read [Ca2+]i; ``groups``: segment group id -> element,
    for the non-uniform densities (``nonuniform.read``)."""
    read: set[str] = set(gate_readers)  # the sections whose Ca2+ species a density or a gate reads
    for name in sorted(gate_readers):
        ci, _co, sid, model_id, kind = species["ca"][name]
        if policy != "fixed" and kind not in RUN:
            raise ModelError(f"NeuroML: {where}: species {sid!r} changes [Ca]i, which gates read, by concentration "
                             f"model {model_id!r}, {_NOT_RUN}; read(..., concentrations='fixed') holds [Ca]i at {ci:g} mM")
    for attr, (element, law) in DENSITIES.items():
        for cd in getattr(mp, attr, None) or []:
            read |= _insert_one(cd, element, law, cell, channels, sections, where, section_of, species,
                                policy, laws, groups)


def fixed_erev(cls):
    """``cls`` (an imported Ca2+ channel under ``channelDensity``) with its erev held where a pool
    moves [Ca2+]i: NeuroML's channelDensity erev is a fixed parameter (LEMS, jNeuroML; Traub's eca =
    80 mV in the NeuroML2 example pyr_4_sym), while our engine, as NEURON's ion style, gives every
    mechanism reading eca the pool's Nernst potential. This class reads no eca (its erev is its own)
    and still writes ica, which the pool integrates: what NEURON runs for a .mod channel with its own
    erev PARAMETER and ``USEION ca WRITE ica`` (tests/io/neuroml/test_fixed_erev_pool.py). One class
    per channel, so one cell's densities share it."""
    if "erev" not in cls.ion_fields:
        return cls
    held = cls.__dict__.get("_neuroml_fixed_erev")
    if held is None:
        namespace = {"ion_fields": {k: v for k, v in cls.ion_fields.items() if k != "erev"},
                     "__module__": cls.__module__, "__doc__": cls.__doc__}
        held = channel(type(cls.__name__, (cls,), namespace))
        setattr(cls, "_neuroml_fixed_erev", held)
    return held


def _insert_pools(cell, by_section: dict, names: list[str], models: dict, where: str) -> None:
    """One pool class per concentration model, on the sections whose species names it."""
    classes = {}
    for name in names:
        ci, co, _, model_id, kind = by_section[name]
        field = f"NeuroML: {where} {kind} {model_id!r}"
        if model_id not in classes:
            classes[model_id] = (lems_pool_class(model_id, models[model_id][1], ci, co, where) if kind == LEMS_KIND
                                 else pool_class(model_id, kind, ci, co, where))
        values = dict({} if kind == LEMS_KIND else parameters(models[model_id][1], kind, field), cai0=ci, cao=co)
        cell.insert(classes[model_id](**values), where=[name])


# long because each check names the element, the field and the value in its own one-line message
def _insert_one(cd, element, law, cell, channels, sections, where, section_of, species, policy, laws,
                groups) -> set[str]:
    from excitable.io.neuroml.nonuniform import ELEMENTS, apply, read

    field = f"NeuroML: {_at(where, cd)} {element} {cd.id!r}"
    variation = read(cd, element, groups or {}, where) if element in ELEMENTS.values() else None
    if variation is None and getattr(cd, "variable_parameters", None):
        raise ModelError(f"{field}: variableParameter is not supported here (NeuroML 2 writes a varying density "
                         f"as {element.replace('channelDensity', 'channelDensityNonUniform')})")
    if cd.ion != "ca":
        raise ModelError(f"{field}: ion {cd.ion!r}: NeuroML defines {element} for Ca2+ only (zCa = 2), "
                         f"give ion=\"ca\"")
    if cd.ion_channel not in channels:
        raise ModelError(f"{field}: no ionChannel {cd.ion_channel!r}; known: {', '.join(channels) or 'none'}")
    base = channels[cd.ion_channel]
    if getattr(base, "neuroml_kinetic", False):
        raise ModelError(f"{field}: ionChannelKS {cd.ion_channel!r} under {element} is not supported "
                         f"(kinetic schemes: channelDensity only)")
    if base.neuroml_species not in (None, "ca"):
        raise ModelError(f"{field}: ionChannel {cd.ion_channel!r} passes {base.neuroml_species!r}, not ca")
    if laws.setdefault(cd.ion_channel, law) != law:
        raise ModelError(f"{field}: ionChannel {cd.ion_channel!r} is also used with another kind of density "
                         f"on this cell; one law per channel and cell")
    cls = with_law(channels[cd.ion_channel], law, where)
    if variation is not None:  # a placeholder, set per compartment below
        strength = {variation.field: 0.0}
    elif law == "ghk":
        strength = {"permeability": units.quantity(cd.permeability, "permeability", f"{field} permeability")}
    else:
        strength = {"gbar": units.quantity(cd.cond_density if cd.cond_density is not None else "0 S_per_m2",
                                           "conductanceDensity", f"{field} condDensity")}
    names = density_sections(cd, sections, section_of, field)
    by_values: dict[tuple, list[str]] = {}
    for name in names:
        found = species.get("ca", {}).get(name)
        if found is None:
            raise ModelError(f"{field}: section {name!r} has no species of ion 'ca' to give its concentrations")
        ci, co, sid, model_id, kind = found
        if law == "nernst" and not ci > 0:  # E = RT/zF ln(co/ci): infinite at 0 (LEMS's and NEURON's)
            raise ModelError(f"{field}: species {sid!r} starts [Ca]i at {ci:g} mM, where the Nernst potential "
                             f"RT/(zF) ln([Ca]o/[Ca]i) is infinite; give initialConcentration > 0")
        if policy != "fixed" and kind not in RUN:
            raise ModelError(f"{field}: species {sid!r} changes [Ca]i by concentration model {model_id!r}, {_NOT_RUN}; "
                             f"read(..., concentrations='fixed') holds [Ca] at {ci:g} mM inside, {co:g} mM outside")
        by_values.setdefault((ci, co), []).append(name)
    for (ci, co), where_ in by_values.items():
        cell.insert(cls(**strength, ci=ci, co=co), where=where_)
    if variation is not None:
        apply(cell, cls.__name__, variation, names)
    return set(names)


def _at(where, element) -> str:
    """``where`` (``files.Where``, or a plain string) at ``element``'s line."""
    return where.at(element) if hasattr(where, "at") else str(where)


def density_sections(cd, sections, section_of, field) -> list[str]:
    """The sections a channel density covers: its one segment (a whole section here) or its segment
    group (a non-uniform density's: its variableParameter's); ``field`` starts the one-line error."""
    if not hasattr(cd, "segment_groups"):  # channelDensityNonUniform*, checked by nonuniform.read
        from excitable.io.neuroml.nonuniform import group_of

        group = group_of(cd)
        return [] if group is None else sections(group)
    if cd.segments is not None:
        name, count = section_of.get(int(cd.segments), (None, 0))
        if name is None:
            raise ModelError(f"{field}: no segment {cd.segments}")
        if count > 1:
            raise ModelError(f"{field}: segment {cd.segments} is part of section {name!r} ({count} segments); "
                             f"densities are per section here")
        return [name]
    return sections(cd.segment_groups or "all")


#: The attributes NeuroML 2 requires of each standard concentration model that the pool reads.
_REQUIRED = {"decayingPoolConcentrationModel": {"restingConc": "resting_conc", "decayConstant": "decay_constant",
                                                "shellThickness": "shell_thickness"},
             "fixedFactorConcentrationModel": {"restingConc": "resting_conc", "decayConstant": "decay_constant",
                                               "rho": "rho"}}


def concentration_models(docs) -> dict[str, tuple[str, object]]:
    """Concentration model id -> (its kind, its element), over every document read: the standard
    models and the instances of concentrationModel ComponentTypes (``lems_pools``)."""
    from excitable.io.neuroml.lems import component_types
    from excitable.io.neuroml.lems_pools import instances

    out = instances(docs, component_types(docs))
    for p, doc in docs:
        for attr, kind in (("decaying_pool_concentration_models", "decayingPoolConcentrationModel"),
                           ("fixed_factor_concentration_models", "fixedFactorConcentrationModel")):
            for m in getattr(doc, attr, None) or []:
                if m.id in out:
                    line = getattr(getattr(m, "gds_elementtree_node_", None), "sourceline", "?")
                    raise ModelError(f"NeuroML: {p.name}:{line}: concentration model {m.id!r} is defined twice")
                for name, attr in _REQUIRED[kind].items():  # refused at the pool's own line, not a cell's
                    if getattr(m, attr, None) is None:
                        line = getattr(getattr(m, "gds_elementtree_node_", None), "sourceline", "?")
                        raise ModelError(f"NeuroML: {p.name}:{line}: {kind} {m.id!r}: {name} is missing (NeuroML 2 "
                                         f"requires it)")
                out[m.id] = (kind, m)
    return out
