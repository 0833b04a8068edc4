"""The example reconstructions that ship with excitable, reachable by a short name or by a path.

>>> from excitable.io import morphologies
>>> sorted(morphologies.names())
['allen-scnn1a', 'ca1-pyramidal', 'purkinje', 'simple']
>>> morphologies.path("ca1-pyramidal").name
'turner-ca1-n120.swc'

The files lie in ``excitable/data/morphologies/`` inside the package (so they come with a wheel), next
to a README.md that gives each one's source and what to cite. Wherever a cell is asked for
(``Cell.from_swc``, ``excitable run morphology --set swc=...``) a value is a shipped name if it is one,
else a path to your own SWC file; a file of yours that happens to carry a shipped name is reached as
``./NAME``.
"""

from __future__ import annotations

import os
from pathlib import Path

from excitable.errors import ModelError

__all__ = ["DIRECTORY", "names", "path"]

# The package's own folder, not the working directory: the names work from any directory and from an
# installed wheel (installed wheels are unpacked, so the files are real files that a path can name).
DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "morphologies"

# name -> (file in DIRECTORY, one line saying what the cell is)
_SHIPPED: dict[str, tuple[str, str]] = {
    "ca1-pyramidal": ("turner-ca1-n120.swc",
                      "rat hippocampal CA1 pyramidal cell (NeuroMorpho n120): basal and apical dendrites, "
                      "no axon, 2,630 points"),
    "purkinje": ("deschutter-10-2012-02-09-001.CNG.swc",
                 "cerebellar Purkinje cell (NeuroMorpho, De Schutter archive): one primary dendrite "
                 "fanning out in a plane, no axon, 3,187 points"),
    "allen-scnn1a": ("allen-scnn1a-177300.01.02.01.swc",
                     "mouse cortical neuron (Allen Cell Types, Scnn1a-Tg3-Cre line): dendrites and an "
                     "axon, 3,783 points"),
    "simple": ("simple.swc", "hand-made toy tree: a soma, a dendrite and an axon that each branch once, "
                             "9 points"),
}


def names() -> dict[str, str]:
    """The shipped cells: {name: one-line description}, in the order of the README's table."""
    return {name: what for name, (_, what) in _SHIPPED.items()}


def path(value, field: str = "swc") -> Path:
    """The SWC file that ``value`` names: a shipped name ("ca1-pyramidal"), else a path to a file.

    ``value`` is a str or an ``os.PathLike``; ``field`` is the name the caller's user typed, used in
    the error. Raises ModelError (one line naming ``field``, the value and the shipped names) for
    anything else: another type, an empty string, or a path that is not an existing file.
    """
    if isinstance(value, str):
        if value in _SHIPPED:
            return DIRECTORY / _SHIPPED[value][0]
        if not value.strip():
            raise ModelError(f"{field} must name an SWC file or a shipped cell ({_known()}), got {value!r}")
    elif not isinstance(value, os.PathLike):
        raise ModelError(f"{field} must be a path to an SWC file or the name of a shipped cell "
                         f"({_known()}), got {type(value).__name__} {value!r}")
    try:
        p = Path(value)
        found = p.is_file()
        shown = os.fspath(value)
    except (TypeError, ValueError, OSError):  # a PathLike that yields bytes, a NUL in the name, ...
        found, shown = False, value
    if not found:
        what = "is a directory" if _is_dir(value) else "no such file"
        raise ModelError(f"{field}: {what} {shown!r}, and not a shipped cell ({_known()})")
    return p


def _known() -> str:
    return ", ".join(_SHIPPED)


def _is_dir(value) -> bool:
    try:
        return Path(value).is_dir()
    except (TypeError, ValueError, OSError):
        return False
