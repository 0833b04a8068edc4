"""Calcium concentration models that a NeuroML file defines itself, as LEMS ``ComponentType``s
extending ``concentrationModel`` (Hay et al. 2011's CaDynamics_E2 in the OSB L5PC model, the Golgi
and granule cell models ...), run as pools that write [Ca2+]i::

    <ComponentType name="hayCa" extends="concentrationModel">
        <Parameter name="gamma" dimension="none"/> ... <Constant name="F" .../>
        <Requirement name="iCa" dimension="current"/>
        <Dynamics>
            <StateVariable name="concentration" exposure="concentration" dimension="concentration"/>
            <ConditionalDerivedVariable name="drive" ...> <Case condition="iCa .gt. 0" .../> ...
            <TimeDerivative variable="concentration" value="drive - (concentration - minCai) / decay"/>
            <OnStart> <StateAssignment variable="concentration" value="initialConcentration"/> </OnStart>
            <OnCondition test="concentration .lt. minCai"> <StateAssignment .../> </OnCondition>
        </Dynamics>
    </ComponentType>
    <concentrationModel id="caHay" type="hayCa" ion="ca" gamma="0.05" decay="80 ms" .../>

(the instance may also be written ``<hayCa id=.../>``; libNeuroML keeps neither form in its object
model, so the instance's attributes are read from the XML node it parsed, never evaluated).

Semantics, as jNeuroML's NEURON export runs them (what NEURON users of these models run): the
requirements are ``iCa`` (the compartment's Ca2+ current into the cell, A: jNeuroML's
``iCa = -0.01 * ica * area`` in nA), ``surfaceArea`` (the compartment's membrane area, NEURON's
``area``), ``initialConcentration``/``initialExtConcentration`` (the species' values: NEURON's cai
and cao at INITIAL) and ``temperature``; every expression is evaluated in SI units, as LEMS does.
jNeuroML writes ``concentration' = rate_concentration`` with the rate computed in a PROCEDURE, which
nocmodl's ``cnexp`` turns into forward Euler (the rate does not name the state: ``concentration =
concentration - dt*(-(rate_concentration))`` in the generated C), from the step's starting
concentration and current; [Ca]i (``cai = concentration``) is set in the DERIVATIVE block, and the
OnConditions run after it in BREAKPOINT (a mechanism without a current runs BREAKPOINT's statements
in ``nrn_state``), so a clip by an OnCondition changes the state but not the [Ca]i the other
mechanisms read until the next step: that [Ca]i is kept as a second state ``ci`` here, exactly so.
[Ca]o stays at the species' value (jNeuroML's pools write cai only).

Refused with one line naming the file, line and element: another base than ``concentrationModel``,
DerivedParameters, Properties, InstanceRequirements, other Requirements, StateVariables other than
``concentration``/``extConcentration``, a TimeDerivative of another variable, OnEvent, Regime,
EventOut, expressions outside ``lems``' subset, a parameter missing or given in a unit of another
dimension; and whatever else the type's XML holds that libNeuroML may drop without a word (``GRAMMAR``,
checked by ``lems_kept``): a ``<Child>``, a ``valueCondition``, a ``<DerivedVariable>`` inside an
``<OnCondition>`` (not LEMS: jLEMS drops it too; Bahl et al. 2012's cad.nml clips its drive so, and
is told to write a ConditionalDerivedVariable).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax.numpy as jnp

from excitable.errors import ModelError
from excitable.io.neuroml.lems import SI, _at, _derived, _order, compile_expression
from excitable.io.neuroml.lems_kept import Grammar, check
from excitable.io.neuroml.lems import _constant as _si_constant
from excitable.io.neuroml.units import _QUANTITY
from excitable.physics.channel import AbstractChannel, channel

#: The kind ``densities`` records for a species whose model is a LEMS ComponentType.
LEMS_KIND = "concentrationModel"
REQUIREMENTS = ("iCa", "surfaceArea", "initialConcentration", "initialExtConcentration", "temperature")
#: LEMS dimension -> {NeuroML unit: factor to SI}: the units a Parameter's value may carry.
DIMENSIONS = {
    "none": {"": 1.0}, "time": {"s": 1.0, "ms": 1e-3, "us": 1e-6},
    "concentration": {"mM": 1.0, "mol_per_m3": 1.0, "uM": 1e-3, "nM": 1e-6, "M": 1e3, "mol_per_cm3": 1e6},
    "length": {"m": 1.0, "cm": 1e-2, "mm": 1e-3, "um": 1e-6, "nm": 1e-9}, "voltage": {"V": 1.0, "mV": 1e-3},
    "per_time": {"per_s": 1.0, "per_ms": 1e3, "Hz": 1.0}, "temperature": {"K": 1.0},
    "area": {"m2": 1.0, "cm2": 1e-4, "um2": 1e-12}, "current": {"A": 1.0, "uA": 1e-6, "nA": 1e-9, "pA": 1e-12},
    "currentDensity": {"A_per_m2": 1.0, "mA_per_cm2": 10.0, "uA_per_cm2": 1e-2},
    "charge_per_mole": {"C_per_mol": 1.0}, "rho_factor": {"mol_per_m_per_A_per_s": 1.0},
}
#: The SI unit a parameter field is kept in (the class's ``units``), by dimension.
SI_UNIT = {"none": "", "time": "s", "concentration": "mM", "length": "m", "voltage": "V", "per_time": "1/s",
           "temperature": "K", "area": "m2", "current": "A", "currentDensity": "A/m2", "charge_per_mole": "C/mol",
           "rho_factor": "mol/(m A s)"}
#: An instance's attributes that are not Parameters: NeuroML's own, and the Text ``ion``.
_ATTRIBUTES = {"id", "type", "ion", "metaid", "neuroLexId"}
#: The fields every pool has (a Parameter may not take these names).
_FIELDS = {"cai0": "mM", "cao": "mM", "ica": "mA/cm2", "area_um2": "um2"}
_NS = "{http://www.neuroml.org/schema/neuroml2}"
_NAMED = ("name", "dimension", "description")
#: What a concentration model's ComponentType may hold: every element and attribute read here (or
#: that changes no number: descriptions, Exposures, the Text ``ion``); the rest, which libNeuroML
#: may drop without a word, is refused by ``lems_kept.check`` at its line.
GRAMMAR = Grammar(
    children={"ComponentType": {"Parameter", "Constant", "Requirement", "Text", "Exposure", "Dynamics"},
              "Dynamics": {"StateVariable", "DerivedVariable", "ConditionalDerivedVariable", "TimeDerivative",
                           "OnStart", "OnCondition"},
              "ConditionalDerivedVariable": {"Case"}, "OnStart": {"StateAssignment"},
              "OnCondition": {"StateAssignment"}},
    attributes={"ComponentType": ("name", "extends", "description"), "Parameter": _NAMED, "Requirement": _NAMED,
                "Exposure": _NAMED, "Text": ("name", "description"), "Constant": (*_NAMED, "value", "symbol"),
                "StateVariable": (*_NAMED, "exposure"), "DerivedVariable": (*_NAMED, "exposure", "value"),
                "ConditionalDerivedVariable": (*_NAMED, "exposure"), "Case": ("condition", "value"),
                "TimeDerivative": ("variable", "value"), "OnCondition": ("test",),
                "StateAssignment": ("variable", "value")},
    what="a concentration model")


@dataclass(frozen=True)
class LemsPool:
    """One instance of a concentrationModel ComponentType: ``type`` its name, ``element`` the
    libNeuroML ComponentType, ``source`` its file, ``attrs`` the instance's XML attributes,
    ``where`` 'file:line' of the instance."""

    type: str
    element: object
    source: str
    attrs: dict
    where: str


def instances(docs, types: dict) -> dict[str, tuple[str, LemsPool]]:
    """Concentration model id -> (LEMS_KIND, LemsPool) of every ``<concentrationModel type=T>`` or
    ``<T>`` (T a ComponentType of the files read extending concentrationModel) at a document's top."""
    out = {}
    pools = {name for name, (ct, _) in types.items() if ct.extends == "concentrationModel"}
    for p, doc in docs:
        root = getattr(doc, "gds_elementtree_node_", None)
        for node in (root if root is not None else ()):
            tag = node.tag.replace(_NS, "") if isinstance(node.tag, str) else ""
            if tag not in pools and not (tag == "concentrationModel" and node.get("type") in pools):
                continue
            where = f"{p.name}:{node.sourceline}"
            attrs = {k: v for k, v in node.attrib.items() if isinstance(k, str) and "}" not in k}
            model_id, type_name = attrs.get("id"), node.get("type") if tag == "concentrationModel" else tag
            if not model_id:
                raise ModelError(f"NeuroML: {where}: a {type_name} concentration model needs an id")
            if model_id in out:
                raise ModelError(f"NeuroML: {where}: concentration model {model_id!r} is defined twice")
            ct, source = types[type_name]
            out[model_id] = (LEMS_KIND, LemsPool(type_name, ct, source, attrs, where))
    return out


def _parameter(spec: LemsPool, par) -> float:
    where = f"NeuroML: {spec.where}: concentration model {spec.attrs.get('id')!r} parameter {par.name!r}"
    if par.name in _FIELDS or not par.name.isidentifier():
        raise ModelError(f"{where}: the name is taken by the pool's own fields ({', '.join(_FIELDS)}) or is not "
                         f"an identifier")
    if par.name not in spec.attrs:
        raise ModelError(f"{where}: missing (ComponentType {spec.type!r} declares it)")
    text, dim = spec.attrs[par.name], par.dimension or "none"
    if dim not in DIMENSIONS:
        raise ModelError(f"{where}: dimension {dim!r} is not read here ({', '.join(DIMENSIONS)})")
    m = _QUANTITY.match(text)
    if m is None or (m.group(2) or "") not in DIMENSIONS[dim] or not math.isfinite(float(m.group(1))):
        raise ModelError(f"{where}: {text!r} is not a {dim} quantity; give a number with one of "
                         f"{', '.join(u or '(no unit)' for u in DIMENSIONS[dim])}")
    return float(m.group(1)) * DIMENSIONS[dim][m.group(2) or ""]


# long because each construct the subset leaves out is refused here in its own one-line message
def compile_pool(spec: LemsPool):
    """(parameters in SI, constants in SI, derived-variable closures in order, the TimeDerivative, the
    OnStart (value, whether plainly initialConcentration), the OnConditions [(test, value)]) of a
    concentration model instance."""
    ct, src = spec.element, spec.source
    name = f"ComponentType {ct.name!r}"
    declared = {p.name for p in getattr(ct, "Parameter", None) or []}
    for key, value in spec.attrs.items():
        if key not in declared | _ATTRIBUTES:
            raise ModelError(f"NeuroML: {spec.where}: concentration model {spec.attrs.get('id')!r}: {key}={value!r} "
                             f"is not a Parameter of {name} ({', '.join(sorted(declared)) or 'none'})")
    if spec.attrs.get("ion", "ca") != "ca":
        raise ModelError(f"NeuroML: {spec.where}: concentration model {spec.attrs.get('id')!r}: ion "
                         f"{spec.attrs['ion']!r}; the pools here write Ca2+ (ion=\"ca\")")
    for attr in ("DerivedParameter", "Property", "InstanceRequirement"):
        for el in getattr(ct, attr, None) or []:
            raise ModelError(f"NeuroML: {_at(src, el)}: {name} {attr} {el.name!r} is not supported in a "
                             f"concentration model (Parameters, Constants, Requirements {', '.join(REQUIREMENTS)})")
    for req in getattr(ct, "Requirement", None) or []:
        if req.name not in REQUIREMENTS:
            raise ModelError(f"NeuroML: {_at(src, req)}: {name} Requirement {req.name!r} is not supported "
                             f"({', '.join(REQUIREMENTS)})")
    constants = {c.name: _constant(c, src, ct.name) for c in getattr(ct, "Constant", None) or []}
    params = {p.name: (_parameter(spec, p), SI_UNIT[p.dimension or "none"]) for p in getattr(ct, "Parameter", None) or []}
    values = {**constants, **params}
    if len(ct.Dynamics or []) != 1:
        raise ModelError(f"NeuroML: {_at(src, ct)}: {name}: needs one <Dynamics>, got {len(ct.Dynamics or [])}")
    dyn = ct.Dynamics[0]
    for attr in ("OnEvent", "Regime"):
        if getattr(dyn, attr, None):
            raise ModelError(f"NeuroML: {_at(src, getattr(dyn, attr)[0])}: {name} {attr} is not supported in a "
                             f"concentration model")
    states = [sv.name for sv in dyn.StateVariable or []]
    for sv in dyn.StateVariable or []:
        if sv.name not in ("concentration", "extConcentration"):
            raise ModelError(f"NeuroML: {_at(src, sv)}: {name} StateVariable {sv.name!r} is not supported "
                             f"(concentration, extConcentration)")
    if "concentration" not in states:
        raise ModelError(f"NeuroML: {_at(src, ct)}: {name}: needs a StateVariable 'concentration'")
    known = set(values) | set(REQUIREMENTS) | {"concentration"}
    derived = {dv.name: (dv, f"NeuroML: {_at(src, dv)}: {name} DerivedVariable {dv.name!r}", dv.value)
               for dv in dyn.DerivedVariable or []}
    for dv, where, text in derived.values():
        if getattr(dv, "select", None) or text is None:
            raise ModelError(f"{where}: needs a value expression (select/reduce is not supported)")
    derived.update({c.name: (c, f"NeuroML: {_at(src, c)}: {name} ConditionalDerivedVariable {c.name!r}", None)
                    for c in getattr(dyn, "ConditionalDerivedVariable", None) or []})
    known |= set(derived)
    compiled = {n: _derived(el, where, text, known) for n, (el, where, text) in derived.items()}
    order = [(n, compiled[n][0]) for n in _order(compiled, f"NeuroML: {_at(src, ct)}: {name}")]
    rates = [td for td in dyn.TimeDerivative or []]
    for td in rates:
        if td.variable != "concentration":
            raise ModelError(f"NeuroML: {_at(src, td)}: {name} TimeDerivative of {td.variable!r} is not supported "
                             f"(concentration only: extConcentration stays at its start)")
    if len(rates) != 1:
        raise ModelError(f"NeuroML: {_at(src, dyn)}: {name}: needs one TimeDerivative of 'concentration'")
    rate = compile_expression(rates[0].value, known, f"NeuroML: {_at(src, rates[0])}: {name} TimeDerivative")[0]
    start = _on_start(dyn, src, name, set(values) | set(REQUIREMENTS))
    conditions = []
    for oc in dyn.OnCondition or []:
        where = f"NeuroML: {_at(src, oc)}: {name} OnCondition"
        if oc.EventOut or getattr(oc, "Transition", None):
            raise ModelError(f"{where}: EventOut/Transition is not supported (StateAssignments only)")
        test = compile_expression(oc.test, known, f"{where} test", condition=True)[0]
        for sa in oc.StateAssignment or []:
            if sa.variable != "concentration":
                raise ModelError(f"{where}: assigns {sa.variable!r}; only 'concentration' is supported")
            conditions.append((test, compile_expression(sa.value, known, f"{where} StateAssignment")[0]))
    check(ct, src, GRAMMAR)  # last: the refusals above keep their own words
    return params, constants, order, rate, start, conditions


def _constant(c, source, type_name) -> float:
    """A Constant's value in SI: the units of ``lems.SI`` and of the dimensions above (areas ...)."""
    factors = {**SI, **{u: f for table in DIMENSIONS.values() for u, f in table.items()}}
    return _si_constant(c, source, type_name, factors)


def _on_start(dyn, src, name, known):
    """(the OnStart value of the concentration, a closure of parameters and requirements; whether it
    is plainly initialConcentration, NeuroML's own models' start and the default without an OnStart)."""
    found, plain = None, True
    for os_ in ([dyn.OnStart] if dyn.OnStart is not None and not isinstance(dyn.OnStart, list) else dyn.OnStart or []):
        for sa in os_.StateAssignment or []:
            if sa.variable == "concentration":
                found = compile_expression(sa.value, known, f"NeuroML: {_at(src, sa)}: {name} OnStart")[0]
                plain = sa.value.strip() == "initialConcentration"
            elif sa.variable != "extConcentration":
                raise ModelError(f"NeuroML: {_at(src, sa)}: {name} OnStart assigns {sa.variable!r} "
                                 f"(concentration, extConcentration)")
    return found or (lambda env: env["initialConcentration"]), plain


def lems_pool_class(model_id: str, spec: LemsPool, ci: float, co: float, where: str):
    """The mechanism class of a LEMS concentration model: states ``concentration`` (mM) and, when the
    type has OnConditions or an OnStart other than initialConcentration, ``ci`` (the [Ca]i written:
    the species' level until the first step, then each update before the OnConditions); fields
    ``cai0``/``cao`` (mM, the species'), ``ica`` (mA/cm2, filled by the engine) and ``area_um2``
    (filled from the compartment), and one per Parameter, in SI (``units``), the instance's value by
    default (a field: set per section, differentiable)."""
    if not model_id.isidentifier():
        raise ModelError(f"NeuroML concentration model id {model_id!r} must be an identifier")
    params, constants, order, rate, start, conditions = compile_pool(spec)
    fields = {**_FIELDS, **{k: unit for k, (_, unit) in params.items()}}
    # NEURON's cai is what the DERIVATIVE block last wrote: the species' value until the first step,
    # the update before the OnConditions after it; a state of its own where that differs
    written = "ci" if conditions or not start[1] else "concentration"
    start = start[0]

    def env_of(self, celsius):
        area = self.area_um2 * 1e-12  # m2
        return {**constants, **{k: getattr(self, k) for k in params}, "surfaceArea": area,
                "iCa": -self.ica * 10.0 * area,  # mA/cm2 outward -> A inward (jNeuroML: -0.01 ica area, nA)
                "initialConcentration": self.cai0, "initialExtConcentration": self.cao,
                "temperature": celsius + 273.15}

    def gates(self, v, celsius):
        c0 = jnp.zeros_like(jnp.asarray(v, dtype=float)) + start(env_of(self, celsius))
        out = {"concentration": (c0, jnp.full_like(c0, float("inf")))}
        if written == "ci":
            out["ci"] = (jnp.zeros_like(c0) + self.cai0, out["concentration"][1])
        return out

    def advance(self, v, s, celsius, dt, drive):
        env = {**env_of(self, celsius), "concentration": s["concentration"]}
        for n, fn in order:
            env[n] = fn(env)
        c = s["concentration"] + dt * 1e-3 * rate(env)  # forward Euler: mol/m3/s = mM/s, dt in ms
        out = {written: c}
        for test, value in conditions:  # BREAKPOINT after SOLVE: the step's derived values, the new state
            env["concentration"] = c
            c = jnp.where(test(env), value(env), c)
        return {**out, "concentration": c}

    namespace = {
        "__annotations__": {k: float for k in fields}, **{k: 0.0 for k in fields},
        **{k: value for k, (value, _) in params.items()}, "cai0": float(ci),
        "cao": float(co), "__doc__": f"{model_id}: a NeuroML concentration model of ComponentType {spec.type!r} "
                                     f"(LEMS) imported from {where} ([Ca]i, mM).",
        "states": tuple(dict.fromkeys(("concentration", written))), "units": dict(fields), "ions": {},
        "ion_fields": {"ica": ("ca", "current")}, "conc_writes": {written: ("ca", "ci")},
        "ion_constants": {"ca": {"z": 2, "ci": float(ci), "co": float(co)}},
        "gates": gates, "advance": advance, "currents": lambda self, v, s: {}, "neuroml_pool": LEMS_KIND,
        "neuroml_lems_type": spec.type, "neuroml_lems_element": spec.element, "__module__": "excitable_imported.neuroml",
        "geometry_fields": {"area_um2": "area_um2"},
    }
    return channel(type(model_id, (AbstractChannel,), namespace))
