"""Our built-in channels in NeuroML's standard forms, for export (``excitable.io.neuroml.save``).

A mechanism becomes one NeuroML ion channel per conductance it has (HH: Na+, K+ and leak), each a
``Part``: the gates in the standard forms of ``rates`` (the same functions, so the exported channel
gives the same numbers), the ion, and which of the mechanism's fields are its density and reversal.
Parameters that shape the kinetics (NaTraub's VT, KMYamada's tau_max) are written into the rates.

Channels with no standard form (CaTHuguenard's tau_u, the GHK channels) are refused with one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from excitable.errors import ModelError
from excitable.io.neuroml.rates import Form, Gate

#: The HH family's rate-form parameters come out of the same formulas as ``physics.channels.hh``.
_EXPLIN, _EXP, _SIG, _SIGV = "HHExpLinearRate", "HHExpRate", "HHSigmoidRate", "HHSigmoidVariable"


@dataclass(frozen=True)
class Part:
    """One NeuroML ion channel of a mechanism: id suffix, species (None: non-specific), gates, and
    the mechanism's fields holding its conductance density (mS/cm2) and reversal potential (mV)."""

    suffix: str
    species: str | None
    gates: tuple[Gate, ...]
    g_field: str
    e_field: str
    #: the channel's current law (``rates.LAWS``): "ohmic", or a Ca2+ Nernst/GHK/GHK2 density
    law: str = "ohmic"
    #: whether ``gates`` are kinetic schemes (``kinetic.KSGate``): an ionChannelKS
    kinetic: bool = False
    #: the channel's q10ConductanceScaling elements, (q10Factor, experimentalTemp in degC) each
    scaling: tuple = ()


def _rates(name, instances, forward, reverse, q10=None, celsius=0.0, steady=None):
    kind = "gateHHratesInf" if steady is not None else "gateHHrates"
    return Gate(name, kind, instances, forward=Form(*forward), reverse=Form(*reverse),
                steady=None if steady is None else Form(*steady),
                q10=1.0 if q10 is None else q10, q10_celsius=celsius)


def hh_parts(m) -> list[Part]:
    q = {"q10": 3.0, "celsius": 6.3}
    return [
        Part("na", "na", (_rates("m", 3, (_EXPLIN, 1.0, -40.0, 10.0), (_EXP, 4.0, -65.0, -18.0), **q),
                          _rates("h", 1, (_EXP, 0.07, -65.0, -20.0), (_SIG, 1.0, -35.0, 10.0), **q)),
             "gNa", "eNa"),
        Part("k", "k", (_rates("n", 4, (_EXPLIN, 0.1, -55.0, 10.0), (_EXP, 0.125, -65.0, -80.0), **q),),
             "gK", "eK"),
        Part("leak", None, (), "gL", "eL"),
    ]


def traub_na_parts(m) -> list[Part]:
    vt, q = m["VT"], {"q10": 3.0, "celsius": 36.0}
    return [Part("na", "na", (
        _rates("m", 3, (_EXPLIN, 1.28, vt + 13.0, 4.0), (_EXPLIN, 1.4, vt + 40.0, -5.0), **q),
        _rates("h", 1, (_EXP, 0.128, vt + 17.0, -18.0), (_SIG, 4.0, vt + 40.0, 5.0), **q)), "gNa", "eNa")]


def traub_kd_parts(m) -> list[Part]:
    vt = m["VT"]
    return [Part("k", "k", (_rates("n", 4, (_EXPLIN, 0.16, vt + 15.0, 5.0), (_EXP, 0.5, vt + 10.0, -40.0),
                                    q10=3.0, celsius=36.0),), "gKd", "eK")]


def yamada_m_parts(m) -> list[Part]:
    tau = m["tau_max"]
    return [Part("k", "k", (_rates("p", 1, (_EXP, 3.3 / tau, -35.0, 20.0), (_EXP, 1.0 / tau, -35.0, -20.0),
                                    q10=2.3, celsius=36.0, steady=(_SIGV, 1.0, -35.0, 10.0)),), "gM", "eK")]


def reuveni_l_parts(m) -> list[Part]:
    return [Part("ca", "ca", (_rates("q", 2, (_EXPLIN, 0.055 * 3.8, -27.0, 3.8), (_EXP, 0.94, -75.0, -17.0)),
                              _rates("r", 1, (_EXP, 0.000457, -13.0, -50.0), (_SIG, 0.0065, -15.0, 28.0))),
                 "gL", "eCa")]


def leak_parts(m) -> list[Part]:
    return [Part("", None, (), "g", "e")]


#: Class name -> the function giving its parts from its kinetic parameters (a dict of floats).
PARTS = {"HH": hh_parts, "Leak": leak_parts, "NaTraub": traub_na_parts, "KdTraub": traub_kd_parts,
         "KMYamada": yamada_m_parts, "CaLReuveni": reuveni_l_parts}
#: The fields that shape a mechanism's kinetics (must be one value over the cell: they are written
#: into the channel's rates, not its density).
KINETIC = {"NaTraub": ("VT",), "KdTraub": ("VT",), "KMYamada": ("tau_max",)}


def parts_of(mechanism, kinetic: dict[str, float]) -> list[Part]:
    """The NeuroML channels of ``mechanism`` (an instance), its kinetic fields' values given."""
    cls = type(mechanism)
    gates = getattr(cls, "neuroml_gates", None)
    law = getattr(cls, "neuroml_law", "ohmic")
    if gates is not None and law != "ohmic":  # written as channelDensityNernst/GHK/GHK2 (writer_ions)
        return [Part("", "ca", tuple(gates), "permeability" if law == "ghk" else "gbar", "", law,
                     scaling=getattr(cls, "neuroml_scaling", ()))]
    if getattr(cls, "neuroml_kinetic", None):  # an imported kinetic scheme: its KSGates as "gates"
        return [Part("", getattr(cls, "neuroml_species", None), tuple(cls.neuroml_kinetic), "gbar", "erev",
                     "ohmic", kinetic=True)]
    if gates is not None:  # a channel imported from NeuroML: written back as it came
        return [Part("", getattr(cls, "neuroml_species", None), tuple(gates), "gbar", "erev",
                     scaling=getattr(cls, "neuroml_scaling", ()))]
    if cls.__module__.startswith("excitable.") and cls.__name__ in PARTS:
        return PARTS[cls.__name__](kinetic)
    raise ModelError(f"NeuroML export: {cls.__name__} has no NeuroML standard form (HH rate forms); "
                     f"exportable: {', '.join(PARTS)} and channels imported from NeuroML")
