"""The single-compartment models the experiments share (``hh`` and ``textbook``), and the one-pulse
protocol several of them run on it.

- ``hh``: Hodgkin & Huxley 1952 squid axon (NEURON's hh), a 20 x 20 um cylinder, 6.3 degC, rest -65 mV.
- ``textbook``: a mammalian regular-spiking cell (Pospischil et al. 2008), tuned so that rest is near
  -70 mV, threshold near -55 mV and the peak near +40 mV, at 37 degC.

``prepared`` applies the drug parameters (``gNa_scale``, ``gK_scale``) and the temperature of the
resolved values; ``pulse_simulation`` adds one current pulse, ``stim_density`` is that pulse as the
recorded trace; ``gate_labels`` names the Na+ and K+ gates of a model.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from excitable.errors import ModelError
from excitable.experiments.base import Values
from excitable.experiments.common.params import MODELS
from excitable.model.cell import Cell
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp
from excitable.physics.channel import channel
from excitable.physics.channels.hh import HH
from excitable.physics.channels.pospischil import NaTraub


@dataclass
class SingleCompartment:
    """A ready cell plus the conditions it is meant for."""

    cell: Cell
    temperature: float
    v_init: float | str
    description: str


@channel
class HHPronase(HH):
    """HH with the Na+ channels' inactivation removed, as pronase does (Armstrong, Bezanilla & Rojas
    1973): h is held at 1 (its steady state 1 at every V, so it starts and stays there). Named "HH", so
    that every recording and parameter path is the intact model's."""

    @property
    def name(self) -> str:
        return "HH"

    def gates(self, v, celsius):
        gates = super().gates(v, celsius)
        gates["h"] = (jnp.ones_like(gates["h"][0]), gates["h"][1])
        return gates


@channel
class NaTraubPronase(NaTraub):
    """The textbook cell's Na+ channel without inactivation (h held at 1), named "NaTraub"."""

    @property
    def name(self) -> str:
        return "NaTraub"

    def gates(self, v, celsius):
        gates = super().gates(v, celsius)
        gates["h"] = (jnp.ones_like(gates["h"][0]), gates["h"][1])
        return gates


def single_compartment(model: str = "hh", *, no_inactivation: bool = False, **hh_params) -> SingleCompartment:
    """Build one of the named single-compartment models (``hh_params`` override HH's defaults);
    ``no_inactivation``: the Na+ channels do not inactivate (pronase)."""
    if model == "hh":
        hh = (HHPronase if no_inactivation else HH)(**hh_params)
        cell = Cell.cylinder(length=20.0, diameter=20.0, ra=35.4).insert(hh)
        return SingleCompartment(cell, 6.3, "rest", "HH 1952 squid axon (20 x 20 um, NEURON's hh)")
    if model == "textbook":
        from excitable.physics.channels import pospischil

        preset = pospischil.textbook()
        cell = Cell.cylinder(length=preset.length, diameter=preset.diameter, cm=preset.cm)
        for ch in preset.channels:
            if no_inactivation and isinstance(ch, NaTraub):
                ch = NaTraubPronase(**{f: getattr(ch, f) for f in ch.parameters()})
            cell.insert(ch)
        return SingleCompartment(cell, preset.celsius, "rest",
                                 "textbook mammalian cell (Pospischil et al. 2008 regular spiking, tuned)")
    raise ModelError(f"model must be one of {', '.join(MODELS)}, got {model!r}")


def prepared(p: Values) -> tuple[SingleCompartment, float]:
    """The model named by ``p.model`` with the drug scalings of ``p`` applied, and the temperature
    to run at (``p.temperature`` or the model's own)."""
    model = single_compartment(p.model, no_inactivation=bool(p.get("no_inactivation", False)))
    scale_conductances(model.cell, p.get("gNa_scale", 1.0), p.get("gK_scale", 1.0))
    temperature = model.temperature if p.get("temperature") is None else p.temperature
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


#: Default amplitudes, uA/cm2: about twice the 1-ms pulse threshold of each model.
DEFAULT_AMPLITUDE = {"hh": 14.0, "textbook": 14.0}


def pulse_simulation(p: Values):
    """The model of ``p`` (drugs applied) with one current pulse (amplitude uA/cm2, delay, pulse ms).

    Returns (simulation, model, temperature degC, amplitude uA/cm2).
    """
    model, temperature = prepared(p)
    cell = model.cell
    amplitude = DEFAULT_AMPLITUDE[p.model] if p.amplitude is None else p.amplitude
    sim = Simulation(cell, dt=p.dt, temperature=temperature, v_init=model.v_init)
    sim.stimulate(IClamp(cell.soma, amplitude=cell.density_to_nA(amplitude, cell.soma),
                         delay=p.delay, duration=p.pulse))
    return sim, model, temperature, amplitude


def stim_density(t, p, amplitude: float, dt: float) -> np.ndarray:
    """The pulse of ``p`` (delay, pulse ms) as recorded: ``amplitude`` uA/cm2 while on, else 0."""
    # The clamp is on during the steps whose mid-point lies in [delay, delay + pulse).
    t_mid = t - dt / 2
    return np.where((t_mid >= p.delay) & (t_mid < p.delay + p.pulse) & (t > 0), amplitude, 0.0)


def gate_labels(model: str) -> dict[str, str]:
    """Recording labels of the Na+ activation/inactivation and K+ activation gates of a model."""
    return {"m": "NaTraub.m", "h": "NaTraub.h", "n": "KdTraub.n"} if model == "textbook" else \
        {"m": "HH.m", "h": "HH.h", "n": "HH.n"}


def reversals(cell: Cell) -> dict[str, float]:
    """The Na+ and K+ reversal potentials (mV) of a model's channels: {"e_na": ..., "e_k": ...}, for the
    reference lines of its figures (HH: +50 and -77; textbook: +50 and -90)."""
    out: dict[str, float] = {}
    for mech in cell.mechanisms.values():
        for field in mech.parameters():
            low = field.lower()
            if low in ("ena", "ek") and f"e_{low[1:]}" not in out:
                out[f"e_{low[1:]}"] = float(getattr(mech, field))
    return out
