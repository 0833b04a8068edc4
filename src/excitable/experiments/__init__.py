"""The named experiments: each answers one question (docs/phenomena.md) and returns a Result.

They live by family, one package each (``FAMILIES``): ``membrane`` (ions, permeabilities, pumps),
``excitability`` (the action potential of one patch), ``cables`` (axons, dendrites, whole cells) and
``synapses`` (synapses and networks). In a family, each experiment is one module (its protocol and
measurement: ``run(**params) -> Result``) with its figure beside it (``NAME_figure.py``), and the
family's ``declarations`` module holds every ``Experiment`` declaration (parameters with units and
ranges, interventions, signals; ``excitable.experiments.base``) with no JAX, so listing and checking
parameters are instant. What experiments share (the single-compartment models, batching, the figures'
palette) is in ``excitable.experiments.common``; experiments never import each other's private names.

Temperature is ``temperature`` (degC) in every declaration, protocol and ``Simulation``; the physics
and the engine call the same quantity ``celsius`` (a channel's ``gates(v, celsius)``, the parameter
pytree's ``"celsius"``), and ``Simulation.parameters`` is where one becomes the other.

Example:
    >>> from excitable import experiments
    >>> res = experiments.run("action-potential", amplitude=20)
    >>> res.summary["peak_mV"]
"""

from __future__ import annotations

import importlib

from excitable.errors import ModelError
from excitable.experiments.base import Experiment

#: The families, in the order of the questions, with the title of their part of the tour.
FAMILIES = {
    "membrane": "Membrane and ions",
    "excitability": "Excitability: the action potential",
    "cables": "Cables and axons",
    "synapses": "Synapses and networks",
}

#: name -> module (imported on first use, so listing and argument checks stay quick), in the order of
#: the tour (the questions of docs/phenomena.md, then the experiments the table does not list).
REGISTRY = {
    "resting-potential": "excitable.experiments.membrane.resting_potential",
    "hyper-depolarization": "excitable.experiments.membrane.hyper_depolarization",
    "graded-potential": "excitable.experiments.cables.graded_potential",
    "all-or-none": "excitable.experiments.excitability.all_or_none",
    "action-potential": "excitable.experiments.excitability.action_potential",
    "gates-overlap": "excitable.experiments.excitability.gates_overlap",
    "membrane-currents": "excitable.experiments.excitability.membrane_currents",
    "undershoot": "excitable.experiments.excitability.undershoot",
    "undershoot-recovery": "excitable.experiments.excitability.undershoot_recovery",
    "refractory-period": "excitable.experiments.excitability.refractory_period",
    "propagation": "excitable.experiments.cables.propagation",
    "one-way": "excitable.experiments.cables.one_way",
    "myelination": "excitable.experiments.cables.myelination",
    "synaptic-transmission": "excitable.experiments.synapses.synaptic_transmission",
    "calcium-release": "excitable.experiments.synapses.calcium_release",
    "electrical-synapse": "excitable.experiments.synapses.electrical_synapse",
    "excitation-inhibition": "excitable.experiments.synapses.excitation_inhibition",
    "postsynaptic-spike": "excitable.experiments.synapses.postsynaptic_spike",
    "receptor-types": "excitable.experiments.synapses.receptor_types",
    "transmitter-clearance": "excitable.experiments.synapses.transmitter_clearance",
    "pump-failure": "excitable.experiments.membrane.pump_failure",
    "permeability": "excitable.experiments.membrane.permeability",
    "epilepsy": "excitable.experiments.synapses.epilepsy",
    "synapse-speed": "excitable.experiments.synapses.synapse_speed",
    "neuron-types": "excitable.experiments.excitability.neuron_types",
    "neuron-shapes": "excitable.experiments.excitability.neuron_shapes",
    "voltage-clamp": "excitable.experiments.excitability.voltage_clamp",
    "morphology": "excitable.experiments.cables.morphology",
    "model": "excitable.experiments.cables.model",
}


def names() -> list[str]:
    return list(REGISTRY)


def canonical(name: str) -> str:
    """``name`` as the registry spells it: ``action_potential`` (a Python identifier, as in the module's
    name) and ``action-potential`` are the same experiment; refused with the known names otherwise."""
    spelled = name.replace("_", "-") if isinstance(name, str) else name
    if spelled not in REGISTRY:
        raise ModelError(f"unknown experiment {name!r}; known: {', '.join(REGISTRY)}")
    return spelled


def _known(name: str) -> str:
    return REGISTRY[canonical(name)]


def get(name: str):
    """The experiment module called ``name`` (has ``EXPERIMENT`` and ``run``)."""
    return importlib.import_module(_known(name))


def find_declaration(name: str) -> Experiment | None:
    """The declaration of ``name`` from its family's ``declarations`` module, without importing the
    protocol (no JAX); None when that family declares none (an experiment added to ``REGISTRY`` from
    outside the package)."""
    name = canonical(name)
    module = REGISTRY[name]
    package = module.rpartition(".")[0]
    if not package.startswith(f"{__name__}."):
        return None
    try:
        declared = importlib.import_module(f"{package}.declarations")
    except ModuleNotFoundError as e:
        if e.name != f"{package}.declarations":
            raise  # the declarations exist but import something missing: a bug to see
        return None
    return next((v for v in vars(declared).values() if isinstance(v, Experiment) and v.name == name), None)


def declaration(name: str) -> Experiment:
    """The ``Experiment`` (name, question, parameters ...) of ``name``, without importing its protocol
    where its family declares it; else its module's ``EXPERIMENT``."""
    found = find_declaration(name)
    return found if found is not None else get(name).EXPERIMENT


def declarations() -> dict[str, Experiment]:
    """Every registered experiment's declaration, in the registry's order: what a page listing the
    experiments by ``family`` is generated from."""
    return {name: declaration(name) for name in REGISTRY}


def run(name: str, **params):
    """Run experiment ``name`` with ``params`` (see ``describe(name)``); returns a Result."""
    return get(name).run(**params)


def describe(name: str) -> str:
    return declaration(name).describe()
