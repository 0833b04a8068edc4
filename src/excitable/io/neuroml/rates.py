"""NeuroML's standard HH rate forms as JAX functions, and channel classes made from them.

The forms (NeuroML2 CoreTypes, Channels.xml), x = (V - midpoint) / scale, V in mV:

    HHExpRate / HHExpVariable              r = rate exp(x)
    HHSigmoidRate / HHSigmoidVariable      r = rate / (1 + exp(-x))
    HHExpLinearRate / HHExpLinearVariable  r = rate x / (1 - exp(-x))      (rate at x = 0)
    fixedTimeCourse                        tau = tau

The linear form is ``rate / scale * vtrap(-(V - midpoint), scale)``, the same removable singularity
handled the same way as our HH (``excitable.vtrap``), so HH written in these forms gives HH's numbers.

A gate is one of NeuroML's HH gates: ``gateHHrates`` (inf = a / (a + b), tau = 1 / (a + b)),
``gateHHratesInf`` (tau from the rates, inf given), ``gateHHratesTau`` (inf from the rates, tau given),
``gateHHtauInf`` (both given) and ``gateHHInstantaneous`` (x = inf(V) at every instant). A q10 setting
(``q10ExpTemp``: q10 ** ((T - T_exp) / 10); ``q10Fixed``) divides tau, as in NeuroML.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from excitable.errors import ModelError
from excitable.physics.channel import AbstractChannel, channel, vtrap

RATE_FORMS = ("HHExpRate", "HHSigmoidRate", "HHExpLinearRate")
VARIABLE_FORMS = ("HHExpVariable", "HHSigmoidVariable", "HHExpLinearVariable")
TIME_FORMS = ("fixedTimeCourse",)
GATE_KINDS = ("gateHHrates", "gateHHratesInf", "gateHHratesTau", "gateHHtauInf", "gateHHInstantaneous")


@dataclass(frozen=True)
class Form:
    """One standard form: its NeuroML type and parameters (rate in 1/ms, or 1 for a variable;
    midpoint and scale in mV; tau in ms for a time course)."""

    type: str
    rate: float = 1.0
    midpoint: float = 0.0
    scale: float = 1.0
    tau: float = 0.0

    def __call__(self, v):
        kind = self.type.replace("Variable", "Rate")
        if self.type == "fixedTimeCourse":
            return self.tau + 0.0 * v
        if kind == "HHExpRate":
            return self.rate * jnp.exp((v - self.midpoint) / self.scale)
        if kind == "HHSigmoidRate":
            return self.rate / (1.0 + jnp.exp(-(v - self.midpoint) / self.scale))
        return self.rate / self.scale * vtrap(-(v - self.midpoint), self.scale)


@dataclass(frozen=True)
class Gate:
    """A gate: its kind (``GATE_KINDS``), exponent (``instances``), the forms it uses and its q10
    (``q10``, ``q10_celsius``: factor q10 ** ((T - q10_celsius) / 10); ``fixed``: a constant factor)."""

    name: str
    kind: str
    instances: int
    forward: Form | None = None
    reverse: Form | None = None
    steady: Form | None = None
    time: Form | None = None
    q10: float = 1.0
    q10_celsius: float = 0.0
    fixed: float | None = None

    def factor(self, celsius):
        return self.fixed if self.fixed is not None else self.q10 ** ((celsius - self.q10_celsius) / 10.0)

    def inf_tau(self, v, celsius):
        """Steady state and time constant (ms) at V (mV), temperature ``celsius``."""
        if self.kind == "gateHHtauInf":
            return self.steady(v), self.time(v) / self.factor(celsius)
        a, b = self.forward(v), self.reverse(v)
        inf = self.steady(v) if self.kind == "gateHHratesInf" else a / (a + b)
        tau = self.time(v) if self.kind == "gateHHratesTau" else 1.0 / (a + b)
        return inf, tau / self.factor(celsius)


#: NeuroML's ion species -> our current's name (``ions``: which ion carries it).
CURRENT_OF = {"na": "ina", "k": "ik", "ca": "ica", "cl": "icl"}


def channel_class(name: str, gates: tuple[Gate, ...], species: str | None, *, gbar: float = 0.0,
                  erev: float = 0.0, source: str = "NeuroML"):
    """A channel class (``AbstractChannel``) named ``name``: i = gbar prod(x ** instances) (V - erev),
    gbar in mS/cm2 and erev in mV its two parameters (defaults given), one state per gate that is not
    instantaneous. ``species`` ("na", "k", "ca", "cl" or None: non-specific) names the current
    ("ina", ..., "i") and the ion it carries."""
    current = CURRENT_OF.get(species or "", "i")
    slow = tuple(g for g in gates if g.kind != "gateHHInstantaneous")
    fast = tuple(g for g in gates if g.kind == "gateHHInstantaneous")

    def gate_rates(self, v, celsius):
        return {g.name: g.inf_tau(v, celsius) for g in slow}

    def open_fraction(s, v):
        out = 1.0
        for g in slow:
            out = out * s[g.name] ** g.instances
        for g in fast:
            out = out * g.steady(v) ** g.instances
        return out

    def currents(self, v, s):
        return {current: self.gbar * open_fraction(s, v) * (v - self.erev)}

    def conductances(self, s):
        if fast:  # the open conductance needs V, which this method is not given
            return {}
        return {"g": self.gbar * open_fraction(s, None)}

    namespace = {
        "__annotations__": {"gbar": float, "erev": float}, "gbar": float(gbar), "erev": float(erev),
        "__doc__": f"{name}: imported from {source}. i = gbar "
                   + " ".join(f"{g.name}^{g.instances}" for g in gates) + " (V - erev); gbar mS/cm2, erev mV.",
        "states": tuple(g.name for g in slow), "units": {"gbar": "mS/cm2", "erev": "mV"},
        "ions": {current: species} if species in CURRENT_OF else {},
        "ion_fields": {"erev": (species, "e")} if species in CURRENT_OF else {},
        "gates": gate_rates, "currents": currents, "conductances": conductances,
        "neuroml_gates": gates, "neuroml_species": species,
        # Not "excitable.*": the compiled-program store keys only on our own classes' source, and
        # this class's numbers come from a file (engine.programs._own_types).
        "__module__": "excitable_imported.neuroml",
    }
    if not name.isidentifier():
        raise ModelError(f"NeuroML ionChannel id {name!r} must be an identifier (letters, digits, _)")
    return channel(type(name, (AbstractChannel,), namespace))
