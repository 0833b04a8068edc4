"""The experiments as the lab's pages list them: each declaration (``Experiment.as_dict``) with the
mechanism in a few paragraphs, the views its page draws and its sensitivity targets.

Nothing here imports a protocol module (or JAX): the mechanism is read from the module's source with
``ast`` (``importlib.util.find_spec`` finds the file without running it), so the home page answers in
milliseconds on a cold server.
"""

from __future__ import annotations

import ast
import importlib.util
from functools import lru_cache

from excitable import experiments

#: What each page draws besides its traces (docs/lab-api.md, "views"): the single compartment with
#: its gates (membrane), V along an axon (cable), a synapse, a network raster, a reconstructed cell,
#: the closed-form ion page. An experiment not listed draws its traces only.
VIEWS: dict[str, tuple[str, ...]] = {
    "resting-potential": ("ions",),
    "permeability": ("ions",),
    "pump-failure": ("ions",),
    "hyper-depolarization": ("membrane",),
    "all-or-none": ("membrane",),
    "action-potential": ("membrane",),
    "gates-overlap": ("membrane",),
    "membrane-currents": ("membrane",),
    "undershoot": ("membrane",),
    "refractory-period": ("membrane",),
    "neuron-types": ("membrane",),
    "voltage-clamp": ("membrane",),
    "graded-potential": ("cable",),
    "propagation": ("cable",),
    "one-way": ("cable",),
    "myelination": ("cable",),
    "synaptic-transmission": ("synapse",),
    "excitation-inhibition": ("synapse",),
    "receptor-types": ("synapse",),
    "transmitter-clearance": ("synapse",),
    "synapse-speed": ("synapse",),
    "epilepsy": ("network",),
    "morphology": ("morphology",),
}
#: An experiment added to a family later gets its family's view.
FAMILY_VIEWS = {"membrane": ("ions",), "excitability": ("membrane",), "cables": ("cable",),
                "synapses": ("synapse",)}


def mechanism(name: str) -> list[str]:
    """The paragraphs of the protocol module's docstring after its title (the first paragraph, the
    question), each joined into one line; read from the source, the module is not imported."""
    spec = importlib.util.find_spec(experiments.REGISTRY[experiments.canonical(name)])
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return []
    with open(spec.origin, encoding="utf-8") as f:
        doc = ast.get_docstring(ast.parse(f.read())) or ""
    paragraphs = [" ".join(p.split()) for p in doc.split("\n\n")]
    return [p for p in paragraphs[1:] if p]


def entry(name: str) -> dict:
    """The page of one experiment: ``as_dict()`` plus mechanism, views and sensitivity targets."""
    return _entry(experiments.canonical(name))


@lru_cache(maxsize=None)
def _entry(name: str) -> dict:
    from excitable.interfaces.lab.targets import targets_of

    d = experiments.declaration(name).as_dict()
    d["mechanism"] = mechanism(name)
    d["views"] = list(VIEWS.get(name, FAMILY_VIEWS.get(d["family"], ())))
    d["sensitivity_targets"] = [{"key": t.key, "label": t.label, "unit": t.unit} for t in targets_of(name)]
    return d


def listing() -> dict:
    """``{"families": [{name, title}], "experiments": [entry, ...]}`` in the tour's order."""
    from excitable.interfaces.tour import order

    return {"families": [{"name": k, "title": v} for k, v in experiments.FAMILIES.items()],
            "experiments": [entry(n) for n in order(experiments.names())]}
