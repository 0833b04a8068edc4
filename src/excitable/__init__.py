"""excitable: how neurons signal, simulated.

The public API (imported lazily, so ``excitable --help`` starts fast)::

    import excitable as ex
    cell = ex.Cell.cylinder(length=20, diameter=20).insert(ex.HH())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.1, delay=5, duration=1))
    sim.record("v")
    result = sim.run(tstop=30)

Units are NEURON's (see ``excitable.units``): mV, ms, um, uF/cm2, mS/cm2, uA/cm2, nA, ohm*cm, mM, degC.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "Cell": "excitable.model.cell",
    "Morphology": "excitable.model.morphology",
    "Simulation": "excitable.model.simulation",
    "IClamp": "excitable.model.stimuli",
    "PulseTrain": "excitable.model.stimuli",
    "Ramp": "excitable.model.stimuli",
    "VClamp": "excitable.model.stimuli",
    "Location": "excitable.model.stimuli",
    "AbstractChannel": "excitable.physics.channel",
    "channel": "excitable.physics.channel",
    "inf_tau": "excitable.physics.channel",
    "vtrap": "excitable.physics.channel",
    "HH": "excitable.physics.channels.hh",
    "Leak": "excitable.physics.channels.hh",
    "Result": "excitable.results",
    "ModelError": "excitable.errors",
    "SimulationError": "excitable.errors",
    "nernst": "excitable.physics.ions",
    "ghk_voltage": "excitable.physics.ions",
    "ghk_current": "excitable.physics.ions",
}
_EXPORTS.update({"Features": "excitable.fit",
                 "Network": "excitable.model.network", "Site": "excitable.model.network"})
_SUBMODULES = {"experiments", "analysis", "physics", "model", "engine", "io", "units", "errors", "fit", "sweep"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"excitable.{name}")
    raise AttributeError(f"module 'excitable' has no attribute {name!r}")


def __dir__():
    return sorted(set(__all__) | _SUBMODULES)
