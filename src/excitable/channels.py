"""Every membrane mechanism a cell takes with ``cell.insert(...)``, in one namespace.

>>> import excitable as ex
>>> cell = ex.Cell.cylinder(length=61.4, diameter=61.4).insert(ex.channels.NaTraub(gNa=50.0))
>>> cell = cell.insert(ex.channels.KdTraub()).insert(ex.channels.Leak(g=0.1, e=-70.0))
>>> [c.name for c in ex.channels.textbook().channels]
['Leak', 'NaTraub', 'KdTraub', 'KMYamada']

Conductance densities are in mS/cm2, reversal potentials in mV, permeabilities in cm/s; currents in
uA/cm2, outward positive (NEURON's units, ``excitable.units``).

- Hodgkin & Huxley's squid axon (6.3 degC): `HH` (Na+, K+ and leak), `Leak` (a passive leak).
- Pospischil et al. (2008) cortical and thalamic neurons (36 degC): `NaTraub`, `KdTraub`, `KMYamada`
  (M current), `CaTHuguenard` (T-type Ca2+), `CaLReuveni` (L-type Ca2+); whole cells of them as
  `CellPreset` (channels, cm, diameter, length, celsius): `regular_spiking`, `fast_spiking`,
  `intrinsically_bursting`, `low_threshold_spiking` and `textbook` (rest -70, threshold -55, peak +40).
- Ion-specific leaks: `IonLeak` (ohmic K+, Na+, Cl-), `GHKLeak` (constant-field permeabilities).
- Pumps: `NaKPump` (the electrogenic Na+/K+-ATPase, ``block`` for ouabain), `CaPump`.
- Your own (docs/how-to/write-a-channel.md): subclass `AbstractChannel` with the `channel` decorator,
  rates with `inf_tau` and `vtrap`; `register` makes it insertable by name like the ones above
  (`CHANNELS`, `get_channel`).

Receptors (point mechanisms placed by ``Network.connect``) are in ``excitable.receptors``.
"""

from __future__ import annotations

from excitable.physics.catalogue import CHANNELS, get_channel, register
from excitable.physics.channel import AbstractChannel, channel, inf_tau, vtrap
from excitable.physics.channels.ghk import GHKLeak, IonLeak
from excitable.physics.channels.hh import HH, Leak
from excitable.physics.channels.pospischil import (
    CaLReuveni, CaTHuguenard, CellPreset, KdTraub, KMYamada, NaTraub, fast_spiking, intrinsically_bursting,
    low_threshold_spiking, regular_spiking, textbook)
from excitable.physics.pumps import CaPump, NaKPump

__all__ = [
    # Hodgkin-Huxley
    "HH", "Leak",
    # Pospischil et al. (2008), and cells made of them
    "NaTraub", "KdTraub", "KMYamada", "CaTHuguenard", "CaLReuveni",
    "CellPreset", "regular_spiking", "fast_spiking", "intrinsically_bursting", "low_threshold_spiking",
    "textbook",
    # ion-specific leaks and pumps
    "IonLeak", "GHKLeak", "NaKPump", "CaPump",
    # writing and naming your own
    "AbstractChannel", "channel", "inf_tau", "vtrap", "register", "CHANNELS", "get_channel",
]
