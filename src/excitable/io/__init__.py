"""Reading files, and nothing of the model: SWC files (`read_swc_table`: the validated points;
`read_swc_sections`: the sections NEURON's Import3d makes of them, as plain data that
``Morphology.from_swc`` builds a cell from), the example cells shipped with excitable
(`morphologies`: a name such as "ca1-pyramidal" -> its SWC file), and the optional formats
(`neuroml`: NeuroML 2 cells and channels; `nwb`: runs saved as NWB, recorded sweeps read back;
docs/formats.md).

Imported lazily, so that resolving or listing the shipped cells (which the command line does while
it checks its arguments) loads no NumPy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from excitable.io import import3d, morphologies, swc
    from excitable.io.import3d import SwcSections, read_swc_sections
    from excitable.io.swc import read_swc_table

__all__ = ["SwcSections", "import3d", "morphologies", "neuroml", "nwb", "read_swc_sections", "read_swc_table",
           "swc"]

_EXPORTS = {"read_swc_table": "excitable.io.swc", "read_swc_sections": "excitable.io.import3d",
            "SwcSections": "excitable.io.import3d"}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in ("import3d", "morphologies", "swc", "neuroml", "nwb"):  # neuroml, nwb: optional extras
        return importlib.import_module(f"excitable.io.{name}")
    raise AttributeError(f"module 'excitable.io' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
