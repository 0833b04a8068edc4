"""excitable: how neurons signal, simulated.

The public API, all of it reachable as ``ex.NAME`` (imported lazily, so ``import excitable`` and
``excitable --help`` start fast and load no JAX until a name needs it)::

    import excitable as ex
    cell = ex.Cell.cylinder(length=20, diameter=20).insert(ex.HH())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.1, delay=5, duration=1))
    sim.record("v")
    result = sim.run(tstop=30)

- cells: `Cell`, `Morphology`, `Section`; the shipped reconstructions `morphologies` (``names()``);
- channels: ``ex.channels`` (every mechanism ``cell.insert`` takes), the common ones `HH`, `Leak`, and
  what writing one needs (`AbstractChannel`, `channel`, `inf_tau`, `vtrap`); ions: `nernst`,
  `ghk_voltage`, `ghk_current`;
- synapses and networks: ``ex.receptors`` (AMPA, NMDA, GABAa, ...), `Network`, `Site`;
- stimuli: `IClamp`, `PulseTrain`, `Ramp`, `VClamp` at a `Location`;
- runs: `Simulation`, `Result`; batches of parameter sets: `broadcast`, `with_param`, `get_param`,
  `param_names`;
- fits and sweeps: `fit` (with `Features`, `Bounds`, `FitResult`, `loss_function`), `sweep` (with
  `parse_axis`, `SweepResult`);
- the named experiments: ``ex.experiments`` (``run``, ``names``, ``describe``);
- NEURON's mechanisms: `load_mod` (.mod files -> classes that insert like the built-in channels);
- errors: `ModelError` (a value the model cannot use), `SimulationError` (a run went unstable).

Units are NEURON's (see ``excitable.units``): mV, ms, um, uF/cm2, mS/cm2, uA/cm2, nA, ohm*cm, mM, degC.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# typing.TYPE_CHECKING without importing typing (~10 ms): type checkers take any name TYPE_CHECKING
# as true, so editors and static tools see every public name below; at run time they load lazily.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from excitable import analysis, channels, engine, errors, experiments, io, model, physics, receptors, units
    from excitable.engine.batch import broadcast, get_param, param_names, with_param
    from excitable.engine.grad import Bounds
    from excitable.errors import ModelError, SimulationError
    from excitable.io import morphologies
    from excitable.io.nmodl.loader import load_mod
    from excitable.model.cell import Cell
    from excitable.model.morphology import Morphology, Section
    from excitable.model.network import Network, Site
    from excitable.model.simulation import Simulation
    from excitable.model.stimuli import IClamp, Location, PulseTrain, Ramp, VClamp
    from excitable.physics.channel import AbstractChannel, channel, inf_tau, vtrap
    from excitable.physics.channels.hh import HH, Leak
    from excitable.physics.ions import ghk_current, ghk_voltage, nernst
    from excitable.results import Result
    from excitable.workflows.features import Features
    from excitable.workflows.fitting import FitResult, fit, loss_function
    from excitable.workflows.sweeping import SweepResult, parse_axis, sweep

#: public name -> the module that defines it
_EXPORTS = {
    **dict.fromkeys(["Cell"], "excitable.model.cell"),
    **dict.fromkeys(["Morphology", "Section"], "excitable.model.morphology"),
    **dict.fromkeys(["IClamp", "PulseTrain", "Ramp", "VClamp", "Location"], "excitable.model.stimuli"),
    **dict.fromkeys(["Network", "Site"], "excitable.model.network"),
    **dict.fromkeys(["Simulation"], "excitable.model.simulation"),
    **dict.fromkeys(["Result"], "excitable.results"),
    **dict.fromkeys(["AbstractChannel", "channel", "inf_tau", "vtrap"], "excitable.physics.channel"),
    **dict.fromkeys(["HH", "Leak"], "excitable.physics.channels.hh"),
    **dict.fromkeys(["nernst", "ghk_voltage", "ghk_current"], "excitable.physics.ions"),
    **dict.fromkeys(["broadcast", "with_param", "get_param", "param_names"], "excitable.engine.batch"),
    **dict.fromkeys(["fit", "FitResult", "loss_function"], "excitable.workflows.fitting"),
    **dict.fromkeys(["Features"], "excitable.workflows.features"),
    **dict.fromkeys(["Bounds"], "excitable.engine.grad"),
    **dict.fromkeys(["sweep", "SweepResult", "parse_axis"], "excitable.workflows.sweeping"),
    **dict.fromkeys(["ModelError", "SimulationError"], "excitable.errors"),
    **dict.fromkeys(["load_mod"], "excitable.io.nmodl.loader"),
}
#: public name -> a module reached as ``ex.NAME``
_MODULES = {
    "channels": "excitable.channels",
    "receptors": "excitable.receptors",
    "experiments": "excitable.experiments",
    "morphologies": "excitable.io.morphologies",
    "analysis": "excitable.analysis",
    "units": "excitable.units",
    "errors": "excitable.errors",
    "physics": "excitable.physics",
    "model": "excitable.model",
    "engine": "excitable.engine",
    "io": "excitable.io",
}

__all__ = sorted([*_EXPORTS, *_MODULES])


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    else:
        raise AttributeError(f"module 'excitable' has no attribute {name!r}")
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__():
    return sorted({*__all__, "__version__"})

