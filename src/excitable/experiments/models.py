"""The single-compartment models the experiments share: ``hh`` and ``textbook``.

- ``hh``: Hodgkin & Huxley 1952 squid axon (NEURON's hh), a 20 x 20 um cylinder, 6.3 degC, rest -65 mV.
- ``textbook``: a mammalian regular-spiking cell (Pospischil et al. 2008), tuned so that rest is near
  -70 mV, threshold near -55 mV and the peak near +40 mV, at 36 degC.
"""

from __future__ import annotations

from dataclasses import dataclass

from excitable.errors import ModelError
# MODELS and the shared parameters are declared beside the experiments' declarations (no JAX there).
from excitable.experiments.declarations.single_cell import DRUG_PARAMS, MODEL_PARAMS, MODELS  # noqa: F401
from excitable.model.cell import Cell
from excitable.physics.channels.hh import HH


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


def prepared(p: dict) -> tuple[SingleCompartment, float]:
    """The model named by ``p["model"]`` with the drug scalings of ``p`` applied, and the temperature
    to run at (``p["temperature"]`` or the model's own)."""
    model = single_compartment(p["model"])
    scale_conductances(model.cell, p.get("gNa_scale", 1.0), p.get("gK_scale", 1.0))
    temperature = model.temperature if p.get("temperature") is None else p["temperature"]
    return model, temperature


def scale_conductances(cell: Cell, na: float, k: float) -> None:
    """Multiply every Na+ conductance by ``na`` (TTX: 0) and every K+ one by ``k`` (TEA)."""
    for name, mech in cell.mechanisms.items():
        for field in mech.parameters():
            low = field.lower()
            if low.startswith("g") and "na" in low and na != 1.0:
                cell.set(f"{name}.{field}", getattr(mech, field) * na)
            elif low.startswith("g") and low[1:] in ("k", "kd", "m") and k != 1.0:
                cell.set(f"{name}.{field}", getattr(mech, field) * k)
