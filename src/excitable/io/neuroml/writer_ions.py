"""Export of what depends on the Ca2+ concentrations: ``channelDensityNernst``/``GHK``/``GHK2`` of
channels imported under those laws, the cell's calcium ``species`` and their concentration models
(the pools of ``pools``), so that an imported cell is written back as it came.

Sections whose Nernst/GHK channels have no pool keep their concentrations fixed; NeuroML says that
with a ``fixedFactorConcentrationModel`` of rho = 0 whose resting level is the initial
concentration (dC/dt = -(C - C0)/decay: C stays at C0, exactly, also in our exponential step).
"""

from __future__ import annotations

import numpy as np

from excitable.errors import ModelError
import excitable.io.neuroml.units as units
from excitable.io.neuroml.morphology import nml_id

#: law -> (libNeuroML class name, MembraneProperties list, strength field, its NeuroML attribute, unit)
DENSITY = {"nernst": ("ChannelDensityNernst", "channel_density_nernsts", "gbar", "cond_density", "mS_per_cm2"),
           "ghk": ("ChannelDensityGHK", "channel_density_ghks", "permeability", "permeability", "cm_per_s"),
           "ghk2": ("ChannelDensityGHK2", "channel_density_ghk2s", "gbar", "cond_density", "mS_per_cm2")}


def write_density(N, mp, chan_id: str, law: str, per_section: dict, group_of, taken, concentrations: dict,
                  names) -> None:
    """One density element per set of sections sharing (strength, ci, co); ``concentrations``
    (section index -> (ci, co)) collects what the species must say."""
    cls_name, attr, _, field, unit = DENSITY[law]
    for (strength, ci, co), secs in per_section.items():
        for i in secs:
            if concentrations.setdefault(i, (ci, co)) != (ci, co):
                raise ModelError(f"NeuroML export: section {names[i]!r} has two Ca2+ channels with different "
                                 f"concentrations; a section has one species")
        getattr(mp, attr).append(getattr(N, cls_name)(
            id=nml_id(f"{chan_id}_density", taken), ion_channel=chan_id, ion="ca",
            segment_groups=group_of(tuple(secs)), **{field: units.write(strength, unit)}))


def check_calcium_readers(cell, comp, concentrations: dict, pools: list) -> None:
    """Channels whose gates read [Ca2+]i (``lems``) take it from the section's calcium species: the
    one the Nernst/GHK densities write (``concentrations``: section -> (ci, co)), else the one of the
    section's pool (``pools``: (name, mechanism)), added here. A reader on a section with neither, or
    starting from another level, has no NeuroML form: one line."""
    pooled = {}
    for name, _ in pools:
        at = cell.mechanism_at_sites(name)
        for j, node in enumerate(cell.mechanism_sites(name)):
            pooled[int(comp.section[node])] = (float(np.ravel(at.cai0)[j]), float(np.ravel(at.cao)[j]))
    for name, mech in cell.mechanisms.items():
        if getattr(type(mech), "neuroml_calcium", None) != "cai":
            continue
        at, sites = cell.mechanism_at_sites(name), cell.mechanism_sites(name)
        for j, node in enumerate(sites):
            i, cai = int(comp.section[node]), float(np.ravel(at.cai)[j])
            if i not in concentrations and i in pooled:
                concentrations[i] = pooled[i]
            if i not in concentrations or concentrations[i][0] != cai:
                raise ModelError(f"NeuroML export: {name}'s gates read [Ca2+]i ({cai:g} mM at the start) on section "
                                 f"{comp.section_names[i]!r}, which has no Ca2+ channelDensityNernst/GHK or pool "
                                 f"starting there to carry the calcium species; not written")


def write_species(N, doc, bio, cell, comp, concentrations: dict, pools: list, group_of, taken,
                  instances: list | None = None) -> None:
    """The calcium species of every section with a Nernst/GHK density, and its concentration model:
    the section's pool (``pools``: (name, mechanism)) or a fixed one. The instances of pools defined
    in LEMS (``writer_lems``) are appended to ``instances`` (the sibling file's elements)."""
    from excitable.io.neuroml.writer_lems import LEMS_KIND, instance, parameters

    model_of: dict[int, tuple] = {}  # section -> (kind, parameters) of its concentration model
    membrane = comp.area_um2 > 0
    for name, _ in pools:
        at = cell.mechanism_at_sites(name)
        sites = cell.mechanism_sites(name)
        kind = type(at).neuroml_pool
        keys = ("rest", "decay", "shell_um") if kind == "decayingPoolConcentrationModel" else ("rest", "decay", "rho")
        if kind == LEMS_KIND:  # one group per pool and parameter values; the pool's name kept
            keys, kind = parameters(type(at)), (LEMS_KIND, name)
        for i in sorted(set(comp.section[sites].tolist())):
            rows = {tuple(float(np.ravel(getattr(at, k))[j]) for k in (*keys, "cai0", "cao"))
                    for j, node in enumerate(sites) if comp.section[node] == i and membrane[node]}
            if len(rows) != 1:
                raise ModelError(f"NeuroML export: pool {name!r} varies within section {comp.section_names[i]!r}")
            values = rows.pop()
            model_of[i] = (kind, dict(zip(keys, values[:-2])), values[-2], values[-1])
    groups: dict[tuple, list[int]] = {}
    for i, (ci, co) in concentrations.items():
        if i in model_of:
            kind, params, ci, co = model_of[i]
        else:  # fixed: rho 0, resting at the initial level
            kind, params = "fixedFactorConcentrationModel", {"rest": ci, "decay": 1.0, "rho": 0.0}
        groups.setdefault((kind, tuple(sorted(params.items())), ci, co), []).append(i)
    for (kind, params, ci, co), secs in groups.items():
        params = dict(params)
        model_id = nml_id(kind[1] if isinstance(kind, tuple) else "caConc", taken)
        if isinstance(kind, tuple):  # defined in LEMS: the instance goes into the sibling file
            instances.append(instance(model_id, type(cell.mechanisms[kind[1]]), params))
        else:
            _standard(N, doc, kind, model_id, params)
        bio.intracellular_properties.species.append(N.Species(
            id="ca", ion="ca", concentration_model=model_id, initial_concentration=units.write(ci, "mM"),
            initial_ext_concentration=units.write(co, "mM"), segment_groups=group_of(tuple(sorted(secs)))))


def _standard(N, doc, kind: str, model_id: str, params: dict) -> None:
    """A decaying pool or a fixed-factor concentration model (``pools``) into the document."""
    common = {"id": model_id, "ion": "ca", "resting_conc": units.write(params["rest"], "mM"),
              "decay_constant": units.write(params["decay"], "ms")}
    if kind == "decayingPoolConcentrationModel":
        doc.decaying_pool_concentration_models.append(N.DecayingPoolConcentrationModel(
            shell_thickness=units.write(params["shell_um"], "um"), **common))
    else:
        doc.fixed_factor_concentration_models.append(N.FixedFactorConcentrationModel(
            rho=units.write(params["rho"], "mol_per_m_per_A_per_s"), **common))
