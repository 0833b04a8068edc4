"""Name -> channel class registry, used by the CLI listing and by ``insert("HH")`` style calls."""

from __future__ import annotations

from excitable.errors import ModelError
from excitable.physics.channel import AbstractChannel
from excitable.physics.channels.ghk import GHKLeak, IonLeak
from excitable.physics.channels.hh import HH, Leak
from excitable.physics.channels.pospischil import CaLReuveni, CaTHuguenard, KdTraub, KMYamada, NaTraub
from excitable.physics.pumps import CaPump, NaKPump
from excitable.physics.receptors import RECEPTORS as _RECEPTORS

CHANNELS: dict[str, type[AbstractChannel]] = {"HH": HH, "Leak": Leak}
# Pospischil et al. (2008) minimal cortical/thalamic channels.
CHANNELS.update({c.__name__: c for c in (NaTraub, KdTraub, KMYamada, CaTHuguenard, CaLReuveni)})
# Ion-specific leaks (ohmic or GHK) and pumps.
CHANNELS.update({c.__name__: c for c in (IonLeak, GHKLeak, NaKPump, CaPump)})

#: Point mechanisms placed at locations by ``Network.connect`` / ``spike_train`` (not ``insert``ed):
#: AMPA, NMDA, GABAa, GABAb, Nicotinic, MuscarinicM2, Exp2Syn.
RECEPTORS: dict[str, type[AbstractChannel]] = dict(_RECEPTORS)


def register(cls: type[AbstractChannel]) -> type[AbstractChannel]:
    """Add a channel class (or a receptor, ``kind = "point"``) to the catalogue under its class name."""
    (RECEPTORS if cls.kind == "point" else CHANNELS)[cls.__name__] = cls
    return cls


def get_channel(name: str) -> type[AbstractChannel]:
    """The channel class called ``name``, or a ModelError listing the known names."""
    try:
        return CHANNELS[name]
    except KeyError:
        raise ModelError(f"unknown channel {name!r}; known: {', '.join(sorted(CHANNELS))}") from None


def get_receptor(name: str) -> type[AbstractChannel]:
    """The receptor (point mechanism) class called ``name``, or a ModelError listing the known names."""
    try:
        return RECEPTORS[name]
    except KeyError:
        raise ModelError(f"unknown receptor {name!r}; known: {', '.join(sorted(RECEPTORS))}") from None
