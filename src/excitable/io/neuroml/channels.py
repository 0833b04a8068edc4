"""NeuroML 2 ion channels -> excitable channel classes.

Read: ``ionChannelHH`` (and ``ionChannel`` of type ionChannelHH) with the standard rate forms
(``excitable.io.neuroml.rates``), passive channels (``ionChannelPassive``, or an ``ionChannelHH``
without gates) and kinetic schemes (``ionChannelKS``: ``excitable.io.neuroml.kinetic``). Anything else
(fractional gates, LEMS forms outside ``lems``' subset) is refused with one line naming file:line,
the channel and the construct: never run wrongly. A ``q10ConductanceScaling`` multiplies the open
fraction by q10Factor^((T - experimentalTemp) / 10 K) at the simulation's temperature, as NeuroML's
ionChannelHH defines it (``rates.channel_class``). A gate's rate, steady state or
time course may be a LEMS ComponentType of the files read (``lems``), e.g. a rate of V and [Ca2+]i.
A gate element's ``type`` attribute, which libNeuroML drops, decides its kind as in LEMS
(``gate_types``: ``<gateHHrates type="gateHHratesTau">``, or a ComponentType of the file defining an
instantaneous gate of the rates, as Wang & Buzsaki's on OpenSourceBrain does).
"""

from __future__ import annotations

from excitable.errors import ModelError
import excitable.io.neuroml.units as units
from excitable.io.neuroml.rates import (GATE_KINDS, RATE_FORMS, TIME_FORMS, VARIABLE_FORMS, Form, Gate,
                                        channel_class)

#: libNeuroML's list of each gate kind on an ion channel -> the kind.
_GATE_LISTS = {"gate_hh_rates": "gateHHrates", "gate_h_hrates_infs": "gateHHratesInf",
               "gate_h_hrates_taus": "gateHHratesTau", "gate_hh_tau_infs": "gateHHtauInf",
               "gate_h_hrates_tau_infs": "gateHHratesTauInf",
               "gate_hh_instantaneouses": "gateHHInstantaneous"}
#: The gate kinds with a forward and a reverse rate as well as a given steady state or time course.
_WITH_RATES = ("gateHHratesInf", "gateHHratesTau", "gateHHratesTauInf")


def ion_channels(doc, where: str) -> dict[str, object]:
    """Every ion channel of a libNeuroML document: id -> its element (refusing unsupported kinds)."""
    out = {}
    for ch in getattr(doc, "ion_channel_v_shifts", None) or []:
        raise ModelError(f"NeuroML: {where}: ionChannelVShift {ch.id!r} is not supported")
    for ch in [*(doc.ion_channel or []), *(doc.ion_channel_hhs or []), *(getattr(doc, "ion_channel_kses", None) or [])]:
        out[ch.id] = ch
    return out


def make_channel(ch, where: str, types: dict | None = None):
    """An excitable channel class from a libNeuroML ion channel element read from file ``where``;
    ``types``: the LEMS ComponentTypes of the files read (``lems.component_types``), which a gate's
    forms may name. What is refused names file:line of the element at fault."""
    import neuroml

    from excitable.io.neuroml.lems import _at

    if isinstance(ch, neuroml.IonChannelKS):
        from excitable.io.neuroml.kinetic import ks_channel_class, ks_gate

        field = f"NeuroML: {where}: ionChannelKS {ch.id!r}"
        gates = tuple(ks_gate(g, field, lambda el, allowed, where: _form(el, allowed, where, types), where)
                      for g in ch.gate_kses or [])
        species = ch.species if ch.species not in (None, "", "non_specific") else None
        return ks_channel_class(ch.id, gates, species, where)
    label = f"ionChannel {ch.id!r}"
    field = f"NeuroML: {_at(where, ch)}: {label}"
    kind = ch.type or "ionChannelHH"
    if kind not in ("ionChannelHH", "ionChannelPassive", "ionChannel"):
        raise ModelError(f"{field}: type {kind!r} is not supported (ionChannelHH, ionChannelPassive)")
    for g in ch.gate_fractionals or []:
        raise ModelError(f"NeuroML: {_at(where, g)}: {label}: gateFractional is not supported")
    scaling = tuple(_conductance_scaling(s, f"NeuroML: {_at(where, s)}: {label} q10ConductanceScaling")
                    for s in ch.q10_conductance_scalings or [])
    gates = [_typed_gate(g, None, label, types or {}, where) for g in ch.gates or []]
    for attr, gkind in _GATE_LISTS.items():
        gates += [_typed_gate(g, gkind, label, types or {}, where) for g in getattr(ch, attr) or []]
    if kind == "ionChannelPassive" and (gates or scaling):
        raise ModelError(f"{field}: a passive channel has no gates nor conductance scaling, got "
                         f"{', '.join([g.name for g in gates] + ['q10ConductanceScaling'] * bool(scaling))}")
    species = ch.species if ch.species not in (None, "", "non_specific") else None
    return channel_class(ch.id, tuple(gates), species, source=where, scaling=scaling)


def _conductance_scaling(s, where: str) -> tuple[float, float]:
    """(q10Factor, experimentalTemp in degC) of a ``q10ConductanceScaling`` element."""
    return (units.quantity(s.q10_factor, "dimensionless", f"{where} q10Factor"),
            units.quantity(s.experimental_temp, "temperature", f"{where} experimentalTemp"))


def _typed_gate(g, element_kind: str | None, label: str, types: dict, source: str) -> Gate:
    """A gate element whose kind is its ``type`` attribute where it has one, as LEMS reads it
    (``gate_types``), else its element's kind (``element_kind``; None: a generic ``<gate>``).
    ``label`` names the channel, ``source`` the file."""
    from excitable.io.neuroml.gate_types import (as_generic, declared_type, rates_steady_state, selects_steady_state,
                                                 steady_state_only)
    from excitable.io.neuroml.lems import _at

    declared = declared_type(g) if element_kind is not None else g.type
    if declared is None or declared == element_kind or (element_kind is None and declared not in types):
        return _gate(g, element_kind or declared, label, types, source)  # (a generic gate of no kind we run: refused)
    if declared in GATE_KINDS:  # e.g. <gateHHrates type="gateHHratesTau">: read as that kind
        return _gate(as_generic(g) if element_kind is not None else g, declared, label, types, source)
    at = f"NeuroML: {_at(source, g)}: {label} gate {g.id!r}"
    if declared not in types:
        raise ModelError(f"{at}: type {declared!r} is neither a gate kind we run ({', '.join(GATE_KINDS)}) nor "
                         f"a ComponentType of the files read")
    generic = as_generic(g) if element_kind is not None else g
    if getattr(generic, "q10_settings", None) is not None:
        raise ModelError(f"{at}: q10Settings on a gate of type {declared!r} is not supported (it has no time course)")
    ct, ct_source = types[declared]
    if selects_steady_state(ct):  # Pospischil's IT_s_gate: m = its steady state at every instant
        steady_state_only(ct, ct_source, f"{label} gate {g.id!r}")
        return _gate(generic, "gateHHInstantaneous", label, types, source)
    # its forward and reverse rates, checked; such a gate type exposes no rateScale for them to read
    rates = _gate(generic, "gateHHrates", label, types, source, rate_scale=False)
    steady = rates_steady_state(ct, ct_source, rates.forward, rates.reverse, f"{label} gate {g.id!r}")
    return Gate(g.id, "gateHHInstantaneous", rates.instances, steady=steady)


#: The gate kinds with a state, which expose NeuroML's ``rateScale`` (their q10 factor) to their forms.
_SCALED = ("gateHHrates", "gateHHratesInf", "gateHHratesTau", "gateHHtauInf", "gateHHratesTauInf")


def _gate(g, kind: str, label: str, types: dict, source: str, rate_scale: bool = True) -> Gate:
    """The Gate of element ``g`` run as ``kind``; ``label`` names its channel, ``source`` the file;
    ``rate_scale``: whether its forms may read the gate's rateScale (where its kind has one)."""
    from excitable.io.neuroml.lems import _at

    where = f"NeuroML: {_at(source, g)}: {label} gate {g.id!r}"
    if kind not in GATE_KINDS:
        raise ModelError(f"{where}: gate type {kind!r} is not supported ({', '.join(GATE_KINDS)})")
    try:
        instances = int(g.instances)
    except (TypeError, ValueError):
        raise ModelError(f"{where}: instances must be an integer, got {g.instances!r}") from None
    if instances < 1:
        raise ModelError(f"{where}: instances must be >= 1, got {instances}")
    needs = {"gateHHrates": ("forward_rate", "reverse_rate"),
             "gateHHratesInf": ("forward_rate", "reverse_rate", "steady_state"),
             "gateHHratesTau": ("forward_rate", "reverse_rate", "time_course"),
             "gateHHtauInf": ("time_course", "steady_state"),
             "gateHHratesTauInf": ("forward_rate", "reverse_rate", "time_course", "steady_state"),
             "gateHHInstantaneous": ("steady_state",)}[kind]
    forms = {}
    for attr in needs:
        element = getattr(g, attr, None)
        if element is None:
            raise ModelError(f"{where}: a {kind} needs a {attr.replace('_', ' ')}")
        allowed = {"forward_rate": RATE_FORMS, "reverse_rate": RATE_FORMS, "steady_state": VARIABLE_FORMS,
                   "time_course": TIME_FORMS}[attr]
        at = f"NeuroML: {_at(source, element)}: {label} gate {g.id!r} {attr}"
        forms[attr] = _form(element, allowed, at, types, kind in _WITH_RATES, rate_scale and kind in _SCALED)
    q10, q10_celsius, fixed = _q10(getattr(g, "q10_settings", None), where)
    return Gate(g.id, kind, instances, forward=forms.get("forward_rate"), reverse=forms.get("reverse_rate"),
                steady=forms.get("steady_state"), time=forms.get("time_course"), q10=q10,
                q10_celsius=q10_celsius, fixed=fixed)


def _form(element, allowed: tuple[str, ...], where: str, types: dict | None = None,
          gate_rates: bool = False, rate_scale: bool = False) -> Form:
    """One form; ``gate_rates``: the gate has rates whose alpha/beta a form defined in LEMS may read;
    ``rate_scale``: the gate has a rateScale such a form may read."""
    if types and element.type in types and element.type not in allowed:  # a form defined in LEMS
        from excitable.io.neuroml.lems import lems_form

        role = "rate" if allowed == RATE_FORMS else "variable" if allowed == VARIABLE_FORMS else "time"
        return lems_form(element.type, role, types, where, gate_rates, rate_scale, element)
    if element.type not in allowed:
        raise ModelError(f"{where}: type {element.type!r} is not a standard form we run "
                         f"({', '.join(allowed)}) nor a ComponentType of the files read")
    if element.type == "fixedTimeCourse":
        return Form("fixedTimeCourse", tau=units.quantity(element.tau, "time", f"{where} tau"))
    rate = units.quantity(element.rate, "rate" if element.type in RATE_FORMS else "dimensionless",
                          f"{where} rate")
    scale = units.quantity(element.scale, "voltage", f"{where} scale")
    if scale == 0:
        raise ModelError(f"{where}: scale must not be 0 mV")
    return Form(element.type, rate, units.quantity(element.midpoint, "voltage", f"{where} midpoint"), scale)


def _q10(settings, where: str) -> tuple[float, float, float | None]:
    if settings is None:
        return 1.0, 0.0, None
    if settings.type == "q10ExpTemp":
        return (units.quantity(settings.q10_factor, "dimensionless", f"{where} q10Factor"),
                units.quantity(settings.experimental_temp, "temperature", f"{where} experimentalTemp"), None)
    if settings.type == "q10Fixed":
        return 1.0, 0.0, units.quantity(settings.fixed_q10, "dimensionless", f"{where} fixedQ10")
    raise ModelError(f"{where}: q10Settings type {settings.type!r} is not supported (q10ExpTemp, q10Fixed)")
