"""A gateKS's children that libNeuroML does not keep: ``vHalfTransition`` read from the XML node.

libNeuroML's ``GateKS`` holds forward, reverse and tauInf transitions only and drops any other
child without a word, so a scheme written with ``<vHalfTransition>`` (pyNeuroML's test channel
k_vh, tests/analysis) would come out with no transitions. The gate's XML node (libNeuroML keeps it,
``gds_elementtree_node_``) is read here: ``vHalfTransition`` is run by NeuroML's LEMS definition
(NeuroML2CoreTypes/Channels.xml), kte = 25.3 mV, V in mV, times in ms::

    rf0 = exp(z gamma (V - vHalf) / kte) / tau        rf = 1 / (1 / rf0 + tauMin)
    rr0 = exp(-z (1 - gamma) (V - vHalf) / kte) / tau rr = 1 / (1 / rr0 + tauMin)

and any child that is not a gateKS's is refused in one line naming file:line and the element.
NeuroML 2.3.1's schema (the one libNeuroML ships and ``validate`` checks) has no vHalfTransition,
so a scheme with one is imported but not exported (``unwritable``).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from excitable.errors import ModelError
import excitable.io.neuroml.units as units

#: NeuroML's constant kte of vHalfTransition (mV).
KTE_MV = 25.3
#: The children of a gateKS read here (libNeuroML's lists, and vHalfTransition read from the node).
KNOWN = ("notes", "annotation", "q10Settings", "closedState", "openState", "forwardTransition",
         "reverseTransition", "tauInfTransition", "vHalfTransition")
_ATTRS = {"vHalf": "voltage", "z": "dimensionless", "gamma": "dimensionless", "tau": "time", "tauMin": "time"}


@dataclass(frozen=True)
class VHalfRate:
    """The forward (``reverse`` False) or reverse rate of a vHalfTransition, 1/ms, of V (mV)."""

    vhalf: float
    z: float
    gamma: float
    tau: float
    tau_min: float
    reverse: bool = False
    reads: frozenset = frozenset()
    type: str = "vHalfTransition"
    unwritable: str = "a vHalfTransition, which NeuroML 2.3.1's schema has no element for; not written"

    def __call__(self, v, cai=None, celsius=None):
        share = -(1.0 - self.gamma) if self.reverse else self.gamma
        r0 = jnp.exp(self.z * share * (jnp.asarray(v, dtype=float) - self.vhalf) / KTE_MV) / self.tau
        return 1.0 / (1.0 / r0 + self.tau_min)


def vhalf_transitions(g, index: dict[str, int], source: str | None, where: str) -> list[tuple]:
    """The vHalfTransitions of gateKS ``g`` as (i, j, rf, rr, None, None); ``index``: state id ->
    its number; refuses a child of the gate that is none of ``KNOWN``."""
    node = getattr(g, "gds_elementtree_node_", None)
    if node is None:  # built in Python, not read from a file: libNeuroML's lists are all there is
        return []
    out = []
    for child in node:
        if not isinstance(child.tag, str):  # a comment or processing instruction
            continue
        name = child.tag.rsplit("}", 1)[-1]
        at = f"{source}:{child.sourceline}" if source else f"line {child.sourceline}"
        what = where.removeprefix(f"NeuroML: {source}: " if source else "NeuroML: ")
        if name not in KNOWN:
            raise ModelError(f"NeuroML: {at}: {what}: <{name}> is not supported "
                             f"(a gateKS's children: {', '.join(KNOWN)})")
        if name != "vHalfTransition":
            continue
        field = f"NeuroML: {at}: {what} vHalfTransition"
        ends = [child.get("from"), child.get("to")]
        for end in ends:
            if end not in index:
                raise ModelError(f"{field}: no state {end!r}; states: {', '.join(index)}")
        values = {}
        for attr, kind in _ATTRS.items():
            if child.get(attr) is None:
                raise ModelError(f"{field}: needs {attr}")
            values[attr] = units.quantity(child.get(attr), kind, f"{field} {attr}")
        if values["tau"] <= 0 or values["tauMin"] < 0:
            raise ModelError(f"{field}: tau must be > 0 and tauMin >= 0 ms, got {values['tau']} and {values['tauMin']}")
        args = (values["vHalf"], values["z"], values["gamma"], values["tau"], values["tauMin"])
        out.append((index[ends[0]], index[ends[1]], VHalfRate(*args), VHalfRate(*args, reverse=True), None, None))
    return out


__all__ = ["KTE_MV", "VHalfRate", "vhalf_transitions"]
