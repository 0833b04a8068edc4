"""NeuroML 2 channel densities that vary along the cell: ``channelDensityNonUniform`` (a conductance
with a fixed erev, ``cells``), ``channelDensityNonUniformNernst`` and ``channelDensityNonUniformGHK``
(with the cell's Ca2+ species, ``densities``). Each has one ``variableParameter`` whose
``inhomogeneousValue`` is an expression in the variable of an ``inhomogeneousParameter`` that its
segment group declares::

    <segmentGroup id="apical_dends"> ...
        <inhomogeneousParameter id="PathLengthOverApic" variable="p" metric="Path Length from root">
            <proximal translationStart="0"/>
        </inhomogeneousParameter>
    </segmentGroup>
    <channelDensityNonUniform id="Ih_apical" ionChannel="Ih" ion="hcn" erev="-45mV">
        <variableParameter parameter="condDensity" segmentGroup="apical_dends">
            <inhomogeneousValue inhomogeneousParameter="PathLengthOverApic" value="2 * (2.087 * exp(p / 359.65) - 0.8696)"/>
        </variableParameter>
    </channelDensityNonUniform>

The variable is NEURON's ``SubsetDomainIterator`` (share/lib/hoc/subiter.hoc: NeuroML's
inhomogeneousParameter is its description; neuroConstruct writes one from it, jNeuroML's NEURON
export runs one), evaluated at every compartment centre of the group's sections (NEURON's
``for (x, 0)``): p is the path length (µm) from the root section's 0 end (``root { distance() }``).
``<proximal translationStart="0"/>`` subtracts the group's most proximal path length and
``<distal normalizationEnd="1"/>`` then divides by the largest, both taken over the group's points
with its sections' ends (NEURON 9's ``for (x, 1)``: the translated p is 0 where the group begins, not
at its first compartment centre; the largest is at least 1 µm, as NEURON starts it there). NEURON has
no other translation, normalization or metric for a path, so other values are refused. Our
compartments' ``distance_um`` is measured from the root's middle, so p is computed here from the
section lengths and positions (``root_path_um``).

The value is in SI units, as LEMS evaluates it: S/m² for condDensity, m/s for permeability, converted
to mS/cm² and cm/s by the factors ``units`` uses for ``S_per_m2`` and ``m_per_s``. It is read by
``lems.compile_expression``, the whitelist of LEMS expressions (numbers, the variable, + - * / ^,
unary -, LEMS's functions), with ``H``, the Heaviside step as jNeuroML's NEURON export defines it (0
below 0, 1 above, 0.5 at 0; Hay et al.'s Ca2+ hot zone is written with it). Nothing in the file is
evaluated by Python; it computes in NumPy float64, so the values do not depend on JAX's precision
setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from excitable.errors import ModelError
from excitable.io.neuroml.lems import FUNCTIONS, compile_expression
from excitable.io.neuroml.units import UNITS

#: libNeuroML's list on MembraneProperties -> NeuroML's element.
ELEMENTS = {"channel_density_non_uniforms": "channelDensityNonUniform",
            "channel_density_non_uniform_nernsts": "channelDensityNonUniformNernst",
            "channel_density_non_uniform_ghks": "channelDensityNonUniformGHK"}
#: element -> (the parameter its variableParameter varies, our field, the factor SI -> ours).
PARAMETERS = {"channelDensityNonUniform": ("condDensity", "gbar", UNITS["conductanceDensity"][1]["S_per_m2"]),
              "channelDensityNonUniformNernst": ("condDensity", "gbar", UNITS["conductanceDensity"][1]["S_per_m2"]),
              "channelDensityNonUniformGHK": ("permeability", "permeability", UNITS["permeability"][1]["m_per_s"])}
#: The one metric NeuroML defines (and NEURON's SubsetDomainIterator runs for a path).
METRIC = "Path Length from root"


def _heaviside(x):
    return np.where(x > 0, 1.0, np.where(x < 0, 0.0, 0.5))




@dataclass(frozen=True)
class Variation:
    """One non-uniform density as read: the group it covers, how p is measured, and the value.

    Attributes:
        group: the segment group id. variable: the expression's variable (e.g. "p").
        translate / normalize: subtract the group's smallest p / then divide by its largest.
        value: p (µm, or dimensionless when normalized) -> the parameter in SI (S/m², m/s).
        field: our parameter ("gbar", "permeability"). factor: SI -> ours (mS/cm², cm/s).
        text: the expression as written. at: "NeuroML: file:line: cell 'c' <element> 'id'" for errors.
    """

    group: str
    variable: str
    translate: bool
    normalize: bool
    value: Callable[[np.ndarray], np.ndarray]
    field: str
    factor: float
    text: str
    at: str


def group_of(cd) -> str | None:
    """The segment group a non-uniform density covers (its variableParameter's), None if unread."""
    vps = getattr(cd, "variable_parameters", None) or []
    return vps[0].segment_groups if len(vps) == 1 else None


# long because each check names the element, the field and the value in its own one-line message
def read(cd, element: str, groups: dict, where) -> Variation:
    """The Variation of ``cd`` (a libNeuroML channelDensityNonUniform*, NeuroML element ``element``);
    ``groups``: segment group id -> element (None for an "all" the file does not define);
    ``where``: ``files.Where``. One-line ModelError naming file:line for anything else."""
    at = f"NeuroML: {where.at(cd)} {element} {cd.id!r}"
    expected, field, factor = PARAMETERS[element]
    vps = cd.variable_parameters or []
    if not vps:
        raise ModelError(f"NeuroML: {where.at(cd)}: {element} {cd.id!r} is not supported without a variableParameter "
                         f"(one, varying {expected}, gives its values)")
    if len(vps) > 1:
        raise ModelError(f"{at}: has {len(vps)} variableParameters; one, varying {expected}, is read")
    vp = vps[0]
    at_vp = f"NeuroML: {where.at(vp)} {element} {cd.id!r} variableParameter"
    if vp.parameter != expected:
        raise ModelError(f"{at_vp}: parameter {vp.parameter!r}: a {element} varies {expected}")
    group = groups.get(vp.segment_groups)
    if group is None:
        declared = sorted(g for g, el in groups.items() if el is not None and el.inhomogeneous_parameters)
        raise ModelError(f"{at_vp}: segmentGroup {vp.segment_groups!r} is not a segment group of this cell that "
                         f"declares an inhomogeneousParameter; those that do: {', '.join(declared) or 'none'}")
    iv = vp.inhomogeneous_value
    if iv is None or iv.value is None:
        raise ModelError(f"{at_vp}: has no inhomogeneousValue with a value")
    params = {ip.id: ip for ip in group.inhomogeneous_parameters or []}
    ip = params.get(iv.inhomogeneous_parameters)
    if ip is None:
        raise ModelError(f"NeuroML: {where.at(iv)} {element} {cd.id!r}: inhomogeneousParameter "
                         f"{iv.inhomogeneous_parameters!r} is not declared by segment group {vp.segment_groups!r}; "
                         f"it declares {', '.join(params) or 'none'}")
    at_ip = f"NeuroML: {where.at(ip)} inhomogeneousParameter {ip.id!r}"
    if ip.metric != METRIC:
        raise ModelError(f"{at_ip}: metric {ip.metric!r} is not supported (only {METRIC!r}, NEURON's path distance)")
    start = None if ip.proximal is None else ip.proximal.translation_start
    end = None if ip.distal is None else ip.distal.normalization_end
    if start is not None and float(start) != 0.0:
        raise ModelError(f"{at_ip}: proximal translationStart {start!r}: only 0 (NEURON's 0 at the most proximal "
                         f"point) is supported")
    if end is not None and float(end) != 1.0:
        raise ModelError(f"{at_ip}: distal normalizationEnd {end!r}: only 1 (NEURON's 1 at the most distal point) "
                         f"is supported")
    if not isinstance(ip.variable, str) or not ip.variable.isidentifier() or ip.variable in FUNCTIONS or ip.variable == "H":
        raise ModelError(f"{at_ip}: variable {ip.variable!r} is not a name an expression can use")
    value = compile_value(iv.value, ip.variable, f"NeuroML: {where.at(iv)} {element} {cd.id!r} inhomogeneousValue")
    return Variation(vp.segment_groups, ip.variable, start is not None, end is not None, value, field, factor,
                     iv.value, at)


def check_all(mp, groups: dict, where) -> None:
    """Read every non-uniform density of MembraneProperties ``mp`` once, before anything is
    inserted, so that a bad one is refused with its own line first."""
    for attr, element in ELEMENTS.items():
        for cd in getattr(mp, attr, None) or []:
            read(cd, element, groups, where)


def root_path_um(comp) -> np.ndarray:
    """(N,) path length (µm) from the root section's 0 end to each node of ``comp``
    (``model.discretize.Compartments``): NEURON's ``distance(x)`` after ``root { distance() }``.
    A section's nodes are at x L along it from the node it hangs from (its ``start_node``, on the
    parent, where NEURON connects it); sections come parents first."""
    out = np.empty(comp.n)
    for s, length in enumerate(comp.length_um.tolist()):
        nodes = comp.section == s
        base = 0.0 if s == 0 else out[comp.start_node[s]]
        out[nodes] = base + comp.x[nodes] * length
    return out


def path_metric(cell, variation: Variation, names: list[str]) -> np.ndarray:
    """p at the compartments of sections ``names`` (in the order of ``cell.nodes(names)``), as NEURON's
    SubsetDomainIterator gives it: the path length from the root's 0 end, less the smallest over the
    group's points (its sections' ends included) when translated, then over the largest when
    normalized (subiter.hoc's p0 and p1: p0 starts at 1e9 and p1 at 1 µm, so p1 >= 1)."""
    comp = cell.compartments
    path = root_path_um(comp)
    p = path[cell.nodes(names)]
    sections = [comp.section_names.index(n) for n in names]
    starts = np.array([0.0 if s == 0 else path[comp.start_node[s]] for s in sections])
    ends = starts + comp.length_um[sections]
    p0 = min(1e9, float(starts.min()), float(p.min()))
    p1 = max(1.0, float(ends.max()), float(p.max()))
    if variation.translate:
        p, p1 = p - p0, p1 - p0
    if variation.normalize:
        p = p / p1
    return p


def apply(cell, mechanism: str, variation: Variation, names: list[str]) -> np.ndarray:
    """Set ``mechanism.<field>`` on the compartments of sections ``names`` to the variation's value
    at each compartment's p (the mechanism is inserted there already); returns those values (ours)."""
    if not names:
        return np.zeros(0)
    mask = cell.nodes(names)
    p = path_metric(cell, variation, names)
    with np.errstate(all="ignore"):
        si = np.broadcast_to(np.asarray(variation.value(p), dtype=float), p.shape)
    bad = ~(np.isfinite(si) & (si >= 0))
    if bad.any():
        i = int(np.argmax(bad))
        section = cell.compartments.section_names[int(cell.compartments.section[np.flatnonzero(mask)[i]])]
        raise ModelError(f"{variation.at}: value {variation.text!r} is {float(si[i]):g} (SI) at "
                         f"{variation.variable} = {float(p[i]):g} in section {section!r}; a density must be finite "
                         f"and >= 0")
    values = np.zeros(cell.n)
    values[mask] = si * variation.factor

    def inhomogeneous_value(distance_um):  # the values, per compartment (named in Cell's messages)
        return values

    cell.set(f"{mechanism}.{variation.field}", inhomogeneous_value, where=names)
    return values[mask]


def compile_value(text, variable: str, where: str) -> Callable[[np.ndarray], np.ndarray]:
    """p (array) -> value (array, float64) of a LEMS expression in ``variable`` (``lems``' whitelist,
    computed with NumPy, and ``H``); ``where`` starts the one-line error for anything outside it."""
    fn, _ = compile_expression(text, {variable}, where, xp=np, functions={"H": _heaviside})
    return lambda p: fn({variable: p})
