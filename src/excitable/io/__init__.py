"""Reading files: SWC morphologies (`read_swc`) and the example cells shipped with excitable
(`morphologies`: a name such as "ca1-pyramidal" -> its SWC file).

Imported lazily, so that resolving or listing the shipped cells (which the command line does while
it checks its arguments) loads no NumPy.
"""

from __future__ import annotations

import importlib

__all__ = ["morphologies", "read_swc", "read_swc_table", "swc"]


def __getattr__(name: str):
    if name in ("read_swc", "read_swc_table"):
        return getattr(importlib.import_module("excitable.io.swc"), name)
    if name in ("morphologies", "swc"):
        return importlib.import_module(f"excitable.io.{name}")
    raise AttributeError(f"module 'excitable.io' has no attribute {name!r}")
