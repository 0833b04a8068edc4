"""Every receptor a synapse can carry (``Network.connect(pre, post, receptor)``), in one namespace.

>>> import excitable as ex
>>> net = ex.Network([ex.Cell.cylinder().insert(ex.HH()) for _ in range(2)])
>>> connection = net.connect(0, 1, ex.receptors.AMPA(gmax=0.005), delay=1.0)

Receptors are point mechanisms: conductance ``gmax`` in uS per synapse, current in nA (outward
positive), reversal potential ``e`` in mV, gated by the transmitter concentration in the cleft
(kinetic schemes of Destexhe, Mainen & Sejnowski 1994; see ``excitable.physics.receptors``).

- Ionotropic, two-state: `AMPA`, `NMDA` (with the Mg2+ block, `mg_block`), `GABAa`.
- Nicotinic ACh with desensitization: `Nicotinic`.
- Metabotropic (G-protein cascades opening K+ channels): `GABAb`, `MuscarinicM2`.
- NEURON's `Exp2Syn` (a double-exponential conductance, driven by events).
- Your own: subclass `AbstractReceptor` (or `AbstractTwoState`, `AbstractGProtein`) and `register`
  it (``excitable.channels.register``); by name: `RECEPTORS`, `get_receptor`.
"""

from __future__ import annotations

from excitable.physics.catalogue import RECEPTORS, get_receptor
from excitable.physics.receptors import (
    AMPA, NMDA, AbstractGProtein, AbstractReceptor, AbstractTwoState, Exp2Syn, GABAa, GABAb, MuscarinicM2,
    Nicotinic, mg_block)

__all__ = ["AMPA", "NMDA", "GABAa", "Nicotinic", "GABAb", "MuscarinicM2", "Exp2Syn", "mg_block",
           "AbstractReceptor", "AbstractTwoState", "AbstractGProtein", "RECEPTORS", "get_receptor"]
