"""The single-compartment models the experiments share: ``hh`` and ``textbook``.

- ``hh``: Hodgkin & Huxley 1952 squid axon (NEURON's hh), a 20 x 20 um cylinder, 6.3 degC, rest -65 mV.
- ``textbook``: a mammalian regular-spiking cell (Pospischil et al. 2008), tuned so that rest is near
  -70 mV, threshold near -55 mV and the peak near +40 mV, at 36 degC.
"""

from __future__ import annotations

from dataclasses import dataclass

from excitable.errors import ModelError
from excitable.model.cell import Cell
from excitable.physics.channels.hh import HH

MODELS = ("hh", "textbook")


@dataclass
class SingleCompartment:
    """A ready cell plus the conditions it is meant for."""

    cell: Cell
    temperature: float
    v_init: float | str
    description: str


def single_compartment(model: str = "hh", **hh_params) -> SingleCompartment:
    """Build one of the named single-compartment models (``hh_params`` override HH's defaults)."""
    if model == "hh":
        cell = Cell.cylinder(length=20.0, diameter=20.0, ra=35.4).insert(HH(**hh_params))
        return SingleCompartment(cell, 6.3, "rest", "HH 1952 squid axon (20 x 20 um, NEURON's hh)")
    if model == "textbook":
        from excitable.physics.channels import pospischil

        preset = pospischil.textbook()
        cell = Cell.cylinder(length=preset.length, diameter=preset.diameter, cm=preset.cm)
        for ch in preset.channels:
            cell.insert(ch)
        return SingleCompartment(cell, preset.celsius, "rest",
                                 "textbook mammalian cell (Pospischil et al. 2008 regular spiking, tuned)")
    raise ModelError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
