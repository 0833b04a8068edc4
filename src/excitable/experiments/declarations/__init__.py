"""Every experiment's declaration (name, question, typed parameters), apart from its protocol.

``excitable list``, ``excitable run NAME --params`` and the check of ``--set`` values need only the
declarations. The protocols import JAX, NumPy and matplotlib (about 2 s and 200 MB before the first
line of work), so the declarations live here, in modules that import nothing heavier than
``excitable.experiments.base``, and a mistyped parameter is refused in milliseconds. Each protocol
module re-exports its own (``from excitable.experiments.declarations.cable import PROPAGATION as
EXPERIMENT``), so ``experiments.get(name).EXPERIMENT`` is the very same object.

Families (one module each): ``single_cell``, ``cable``, ``synapses``, ``ions``. An experiment whose
declaration is not here (one being written, or added to ``REGISTRY`` from outside) still works:
``excitable.experiments.declaration`` then imports its module.

Example:
    >>> from excitable.experiments.declarations import find
    >>> find("action-potential").params["dt"].unit
    'ms'
"""

from __future__ import annotations

import importlib

from excitable.experiments.base import Experiment

FAMILIES = ("single_cell", "cable", "synapses", "ions")

_by_name: dict[str, Experiment] | None = None


def find(name: str) -> Experiment | None:
    """The declaration of experiment ``name``, or None if no family declares it."""
    global _by_name
    if _by_name is None:
        found = {}
        for family in FAMILIES:
            module = importlib.import_module(f"{__name__}.{family}")
            found.update({v.name: v for v in vars(module).values() if isinstance(v, Experiment)})
        _by_name = found
    return _by_name.get(name)
