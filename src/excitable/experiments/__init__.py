"""The named experiments: each answers one question (docs/phenomena.md) and returns a Result.

Example:
    >>> from excitable import experiments
    >>> res = experiments.run("action-potential", amplitude=20)
    >>> res.summary["peak_mV"]
"""

from __future__ import annotations

import importlib

from excitable.errors import ModelError

#: name -> module (imported on first use, so listing and argument checks stay quick).
REGISTRY = {
    "action-potential": "excitable.experiments.action_potential",
    "all-or-none": "excitable.experiments.all_or_none",
    "propagation": "excitable.experiments.propagation",
    "graded-potential": "excitable.experiments.graded_potential",
    "one-way": "excitable.experiments.one_way",
    "morphology": "excitable.experiments.morphology",
    "epilepsy": "excitable.experiments.epilepsy",
    "synapse-speed": "excitable.experiments.synapse_speed",
    "refractory-period": "excitable.experiments.refractory_period",
    "gates-overlap": "excitable.experiments.gates_overlap",
    "membrane-currents": "excitable.experiments.membrane_currents",
    "undershoot": "excitable.experiments.undershoot",
    "voltage-clamp": "excitable.experiments.voltage_clamp",
    "hyper-depolarization": "excitable.experiments.hyper_depolarization",
    "neuron-types": "excitable.experiments.neuron_types",
    "myelination": "excitable.experiments.myelination",
    "synaptic-transmission": "excitable.experiments.synaptic_transmission",
    "excitation-inhibition": "excitable.experiments.excitation_inhibition",
    "receptor-types": "excitable.experiments.receptor_types",
    "transmitter-clearance": "excitable.experiments.transmitter_clearance",
    "resting-potential": "excitable.experiments.resting_potential",
    "permeability": "excitable.experiments.permeability",
    "pump-failure": "excitable.experiments.pump_failure",
}


def names() -> list[str]:
    return list(REGISTRY)


def get(name: str):
    """The experiment module called ``name`` (has ``EXPERIMENT`` and ``run``)."""
    if name not in REGISTRY:
        raise ModelError(f"unknown experiment {name!r}; known: {', '.join(REGISTRY)}")
    return importlib.import_module(REGISTRY[name])


def declaration(name: str):
    """The ``Experiment`` (name, question, parameters) of ``name``, without importing its protocol.

    Listing, ``--params`` and checking parameters need only this; it comes from
    ``excitable.experiments.declarations`` (no JAX, NumPy or matplotlib), or from the experiment's
    module when no family declares it.
    """
    if name not in REGISTRY:
        raise ModelError(f"unknown experiment {name!r}; known: {', '.join(REGISTRY)}")
    from excitable.experiments.declarations import find

    found = find(name)
    # A module registered under a declared name is still the authority (tests register fakes).
    if found is not None and REGISTRY[name].startswith(f"{__name__}."):
        return found
    return get(name).EXPERIMENT


def run(name: str, **params):
    """Run experiment ``name`` with ``params`` (see ``describe(name)``); returns a Result."""
    return get(name).run(**params)


def describe(name: str) -> str:
    return declaration(name).describe()
