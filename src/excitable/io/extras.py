"""Optional extras (libNeuroML, pynwb): imported only when a format is used, and when one is missing,
one line that names the extra to install instead of an ImportError's traceback."""

from __future__ import annotations

import importlib
from types import ModuleType

from excitable.errors import ModelError


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """``importlib.import_module(module)``, or a ModelError naming ``pip install 'excitable[extra]'``.

    Example:
        >>> pynwb = require("pynwb", "nwb", "saving NWB files")
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ModelError(f"{purpose} needs the {module} package: pip install 'excitable[{extra}]'") from None
