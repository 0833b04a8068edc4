"""A gate element's ``type`` attribute, and gates whose type is a ComponentType of the file.

LEMS takes an element's ``type`` attribute as its ComponentType, whatever the element's name, so
``<gateHHrates type="gateHHratesTau">`` is a gateHHratesTau gate (its ``<timeCourse>`` child counts)
and the Wang & Buzsaki (1996) model on OpenSourceBrain (WangBuzsaki.cell.nml) writes its
instantaneous Na+ activation as ``<gateHHrates type="gateHHratesInstantaneous">``, a ComponentType
of the same file. libNeuroML drops the attribute (its ``GateHHRates`` has none), so it is read here
from the XML node libNeuroML keeps (``gds_elementtree_node_``):

- a standard gate kind: the element is read again as the generic ``<gate>`` (libNeuroML's
  ``GateHHUndetermined``, which has every child a gate may have) and built as that kind;
- a ComponentType of the files read that defines an instantaneous gate from the gate's rates
  (no state: ``alpha``/``beta`` selected from ``forwardRate/r``/``reverseRate/r``, ``q`` a value
  expression of them and of Constants, ``fcond = q^instances``): a ``gateHHInstantaneous`` whose
  steady state is that expression (``RatesSteadyState``); for WB, m = alpha / (alpha + beta);
- a ComponentType that defines an instantaneous gate from the gate's steady state (no state: one
  DerivedVariable selecting ``steadyState/x``, ``q`` equal to it, ``fcond`` it or ``q`` to the
  ``instances``; Pospischil et al. (2008) on OpenSourceBrain, IT.channel.nml's ``IT_s_gate``, whose
  ``tau`` 0 and ``rateScale`` 1 a gate without a state never uses): a ``gateHHInstantaneous`` of
  that steady state (``steady_state_only``);
- anything else: one line naming file:line, the gate and the type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from excitable.errors import ModelError
from excitable.io.neuroml.lems import _at, _constant, _order, compile_expression
from excitable.io.neuroml.lems_kept import GATE_TYPES, check

#: What an instantaneous gate ComponentType may select from its children, and as which variable.
_SELECTS = {"alpha": "forwardRate/r", "beta": "reverseRate/r"}


def declared_type(g) -> str | None:
    """The ``type`` attribute of a gate element as written in the file (libNeuroML drops it on
    the typed gate elements), or None."""
    node = getattr(g, "gds_elementtree_node_", None)
    return node.get("type") if node is not None else None


def as_generic(g):
    """The gate element read again as a generic ``<gate>`` (all of a gate's children), from its XML node."""
    import neuroml

    out = neuroml.GateHHUndetermined.factory()
    out.build(g.gds_elementtree_node_)
    return out


@dataclass(frozen=True)
class RatesSteadyState:
    """The steady state of an instantaneous gate defined by a ComponentType over the gate's rates:
    called with V (mV), [Ca2+]i (mM) and the temperature (degC), it evaluates the type's ``q`` with
    alpha and beta (the forward and reverse rate forms, in LEMS's 1/s). ``type``: the ComponentType's
    name. NeuroML's schema has no element for such a gate, so export refuses it (``unwritable``)."""

    type: str
    forward: Callable
    reverse: Callable
    constants: dict = field(compare=False, repr=False)
    compiled: dict = field(compare=False, repr=False)
    order: tuple = field(compare=False, repr=False)

    @property
    def reads(self) -> frozenset:
        return frozenset().union(*(getattr(f, "reads", frozenset()) for f in (self.forward, self.reverse)))

    @property
    def unwritable(self) -> str:
        return (f"its type {self.type!r} is a ComponentType extending a gate, which NeuroML's schema has no "
                f"element for; not written")

    def __call__(self, v, cai=None, celsius=None):
        env = {**self.constants, "alpha": self.forward(v, cai, celsius) * 1e3,
               "beta": self.reverse(v, cai, celsius) * 1e3}  # 1/ms -> LEMS's SI 1/s
        for name in self.order:
            env[name] = self.compiled[name][0](env)
        return env["q"]


# long because each construct outside the instantaneous-gate pattern is refused in its own line
def rates_steady_state(ct, source: str, forward, reverse, where: str) -> RatesSteadyState:
    """The RatesSteadyState of gate ComponentType ``ct`` (read from file ``source``) for a gate with
    rate forms ``forward``/``reverse``; ``where`` names the gate in errors."""
    field_ = f"NeuroML: {_at(source, ct)}: ComponentType {ct.name!r} (the type of {where})"
    dyn = _stateless_dynamics(ct, source, field_, "an instantaneous gate q of alpha and beta")
    constants = {c.name: _constant(c, source, ct.name) for c in getattr(ct, "Constant", None) or []}
    texts, selected = {}, set()
    for dv in dyn.DerivedVariable or []:
        at = f"NeuroML: {_at(source, dv)}: ComponentType {ct.name!r} DerivedVariable {dv.name!r}"
        if getattr(dv, "select", None):
            if _SELECTS.get(dv.name) != dv.select or getattr(dv, "reduce", None):
                raise ModelError(f"{at}: select {dv.select!r} is not supported (alpha = forwardRate/r, "
                                 f"beta = reverseRate/r only)")
            selected.add(dv.name)
        elif dv.value is None:
            raise ModelError(f"{at}: needs a value expression")
        else:
            texts[dv.name] = (dv.value, at)
    if selected != set(_SELECTS) or "q" not in texts or "fcond" not in texts:
        raise ModelError(f"{field_}: an instantaneous gate type needs alpha (forwardRate/r), beta "
                         f"(reverseRate/r), q and fcond DerivedVariables")
    if "".join(texts["fcond"][0].split()) != "q^instances":
        raise ModelError(f"{texts['fcond'][1]}: fcond must be q^instances, got {texts['fcond'][0]!r}")
    del texts["fcond"]  # the channel raises q to the gate's instances itself
    known = set(constants) | set(texts) | selected
    compiled = {name: compile_expression(text, known, at) for name, (text, at) in texts.items()}
    order = _order(compiled, field_)
    check(ct, source, GATE_TYPES)  # last: the refusals above keep their words
    return RatesSteadyState(ct.name, forward, reverse, constants, compiled, tuple(order))


def _stateless_dynamics(ct, source: str, field_: str, runs_as: str):
    """The one <Dynamics> of gate ComponentType ``ct``, refused in one line (file:line) where the type
    declares parameters or requirements, or its dynamics hold anything but derived variables
    (``runs_as``: what such a type is run as, for the message)."""
    for attr in ("Parameter", "DerivedParameter", "Property", "Requirement", "InstanceRequirement"):
        for el in getattr(ct, attr, None) or []:
            raise ModelError(f"NeuroML: {_at(source, el)}: ComponentType {ct.name!r} {attr} {el.name!r} is not "
                             f"supported in a gate's type ({runs_as} only)")
    dynamics = ct.Dynamics or []
    if len(dynamics) != 1:
        raise ModelError(f"{field_}: needs one <Dynamics>, got {len(dynamics)}")
    for attr in ("StateVariable", "TimeDerivative", "OnStart", "OnCondition", "OnEvent", "Regime",
                 "KineticScheme", "ConditionalDerivedVariable"):
        if getattr(dynamics[0], attr, None):
            raise ModelError(f"{field_}: {attr} is not supported (a gate type is run only as {runs_as})")
    return dynamics[0]


def selects_steady_state(ct) -> bool:
    """Whether gate ComponentType ``ct`` selects its gate's steady state (``steadyState/x``)."""
    return any(getattr(dv, "select", None) == "steadyState/x"
               for dyn in ct.Dynamics or [] for dv in dyn.DerivedVariable or [])


def steady_state_only(ct, source: str, where: str) -> None:
    """Check that ``ct`` is an instantaneous gate of its steady state and nothing else (module
    docstring); otherwise one line naming file:line and what is not."""
    field_ = f"NeuroML: {_at(source, ct)}: ComponentType {ct.name!r} (the type of {where})"
    dyn = _stateless_dynamics(ct, source, field_, "an instantaneous gate of its steady state")
    values = {dv.name: "".join((dv.value or "").split()) for dv in dyn.DerivedVariable or []}
    (inf,) = [dv.name for dv in dyn.DerivedVariable if getattr(dv, "select", None) == "steadyState/x"]
    unused = set(values) - {inf, "q", "fcond", "tau", "rateScale"}  # tau, rateScale: no state reads them
    if values.get("q") != inf or values.get("fcond") not in (f"{inf}^instances", "q^instances") or unused:
        raise ModelError(f"{field_}: an instantaneous gate of its steady state needs q = {inf} and fcond = "
                         f"q^instances, and no other DerivedVariable than tau and rateScale")
    check(ct, source, GATE_TYPES)


__all__ = ["RatesSteadyState", "as_generic", "declared_type", "rates_steady_state", "selects_steady_state",
           "steady_state_only"]
