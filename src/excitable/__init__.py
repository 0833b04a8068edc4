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
- errors: `ModelError` (a value the model cannot use), `SimulationError` (a run went unstable).

Units are NEURON's (see ``excitable.units``): mV, ms, um, uF/cm2, mS/cm2, uA/cm2, nA, ohm*cm, mM, degC.
"""

from __future__ import annotations

import importlib
import sys

_ModuleType = type(sys)  # types.ModuleType, without importing types

__version__ = "0.1.0"

# typing.TYPE_CHECKING without importing typing (~10 ms): type checkers take any name TYPE_CHECKING
# as true, so editors and static tools see every public name below; at run time they load lazily.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from excitable import analysis, channels, engine, errors, experiments, io, model, physics, receptors, units
    from excitable.engine.batch import broadcast, get_param, param_names, with_param
    from excitable.engine.grad import Bounds
    from excitable.errors import ModelError, SimulationError
    from excitable.fit import Features, FitResult, fit, loss_function
    from excitable.io import morphologies
    from excitable.model.cell import Cell
    from excitable.model.morphology import Morphology, Section
    from excitable.model.network import Network, Site
    from excitable.model.simulation import Simulation
    from excitable.model.stimuli import IClamp, Location, PulseTrain, Ramp, VClamp
    from excitable.physics.channel import AbstractChannel, channel, inf_tau, vtrap
    from excitable.physics.channels.hh import HH, Leak
    from excitable.physics.ions import ghk_current, ghk_voltage, nernst
    from excitable.results import Result
    from excitable.sweep import SweepResult, parse_axis, sweep

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
    **dict.fromkeys(["Features", "FitResult", "loss_function"], "excitable.fit"),
    **dict.fromkeys(["Bounds"], "excitable.engine.grad"),
    **dict.fromkeys(["SweepResult", "parse_axis"], "excitable.sweep"),
    **dict.fromkeys(["ModelError", "SimulationError"], "excitable.errors"),
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
#: functions named like the module that holds them: ``ex.fit`` is the function ``excitable.fit.fit``
#: (see `_Package`)
_FUNCTIONS = ("fit", "sweep")

__all__ = sorted([*_EXPORTS, *_MODULES, *_FUNCTIONS])


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


class _FunctionOverModule:
    """``ex.fit`` is the function ``fit`` of the module ``excitable.fit``, whatever was imported first.

    Importing a submodule sets it as an attribute of its package (``import excitable.fit`` would make
    ``ex.fit`` the module); this data descriptor on the package's type ignores that one assignment,
    so the function always wins. Other assignments (a test's monkeypatch) are kept until deleted. The
    module stays importable by its full name: ``from excitable.fit import fit``, ``sys.modules``.
    """

    def __init__(self, module: str):
        self.module = module
        self.name = module.rpartition(".")[2]

    def __get__(self, package, owner=None):
        if package is None:
            return self
        if self.name in package.__dict__:
            return package.__dict__[self.name]
        return getattr(importlib.import_module(self.module), self.name)

    def __set__(self, package, value):
        if isinstance(value, _ModuleType) and value.__name__ == self.module:
            return  # the import system recording the submodule
        package.__dict__[self.name] = value

    def __delete__(self, package):
        package.__dict__.pop(self.name, None)


class _Package(_ModuleType):
    """The type of the ``excitable`` module: a module's type is where it can hold descriptors."""

    fit = _FunctionOverModule("excitable.fit")
    sweep = _FunctionOverModule("excitable.sweep")


sys.modules[__name__].__class__ = _Package
