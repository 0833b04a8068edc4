"""An ion's valence given by another file loaded together, as NEURON decides it.

NEURON keeps one valence per ion, for every mechanism compiled into the same library: a file that
uses the concentrations of an ion NEURON does not know without ``VALENCE`` (Blue Brain's
neocortex NaTg.mod, ``USEION ttx READ ttxo, ttxi``: the TTX switch every BBP Na channel reads)
runs when any other file of the library declares it (TTXDynamicsSwitch.mod or NaV.mod, ``USEION
ttx READ ttxo, ttxi VALENCE 1``), with NEURON's defaults for a new ion (1 mM inside and outside).
Alone it is refused ("ttx_ion USEION CHARGE (or VALENCE) must be defined in at least one model
using this ion"), and two files giving one ion different valences are refused when the library
loads ("xx_ion ion charge defined differently in two USEION statements (2 and 1)"). Both checked
in NEURON 9.0.2 (tests/io/nmodl/test_shared_valence.py).

Here "loaded together" is one call: ``load_mod`` of a folder or a list, ``mod compare``'s files,
``mod check``'s, a model's mechanisms folder. That call opens ``together(paths)``; ``describe``
then gives an ion declared without VALENCE the valence another of the files declares
(``Ion.valence_from`` names that file and line), so the class runs with it (``ion_constants``'
``"z"``) and the loader keys its cache on it (``key``).
"""

from __future__ import annotations

import contextlib
import contextvars
import re

from excitable.errors import ModelError

#: ion -> (valence, "file:line" of the USEION declaring it) of the files loaded together now.
_SHARED: contextvars.ContextVar[dict[str, tuple[float, str]] | None] = contextvars.ContextVar("valences", default=None)
_USEION = re.compile(r"\bUSEION\s+([A-Za-z_]\w*)\b(.*)")
_VALENCE = re.compile(r"\bVALENCE\s+([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")


def declared(paths) -> dict[str, tuple[float, str]]:
    """ion -> (valence, "file:line") of every ``USEION ... VALENCE n`` in ``paths`` (a USEION is read on
    its one line, comments blanked, as the files write it). Two different valences for one ion: a
    one-line ModelError naming both places, as NEURON refuses to load them. A file that cannot be
    read is skipped here: its own load says why."""
    from excitable.io.nmodl.comments import strip_comments
    from excitable.io.nmodl.parse import read_text

    found: dict[str, tuple[float, str]] = {}
    for path in paths:
        try:
            p, text = read_text(path)
        except ModelError:
            continue
        for i, line in enumerate(strip_comments(text)):
            use = _USEION.search(line)
            given = _VALENCE.search(use.group(2)) if use else None
            if given is None:
                continue
            ion, z, where = use.group(1), float(given.group(1)), f"{p}:{i + 1}"
            if ion in found and found[ion][0] != z:
                raise ModelError(f"{found[ion][1]}: USEION {ion} VALENCE {found[ion][0]:g} and {where}: VALENCE {z:g}: "
                                 f"NEURON refuses two valences for one ion in the files loaded together "
                                 f"(\"{ion}_ion ion charge defined differently in two USEION statements\"); "
                                 f"give them the same VALENCE")
            found.setdefault(ion, (z, where))
    return found


@contextlib.contextmanager
def together(paths):
    """Within it, ``describe`` gives an ion used without VALENCE the valence one of ``paths`` declares
    (``declared``: a conflict is refused on entry)."""
    token = _SHARED.set(declared(paths))
    try:
        yield
    finally:
        _SHARED.reset(token)


@contextlib.contextmanager
def using(shared: tuple[tuple[str, float, str], ...]):
    """Within it, the valences ``shared`` (``key``'s tuple) hold, as in the call that first loaded a
    class (a class made again later, for another queue or FUNCTION_TABLE values, keeps them)."""
    token = _SHARED.set({ion: (z, where) for ion, z, where in shared})
    try:
        yield
    finally:
        _SHARED.reset(token)


def current() -> dict[str, tuple[float, str]]:
    """ion -> (valence, "file:line") of the files loaded together now; {} outside ``together``."""
    return _SHARED.get() or {}


def key(text: str) -> tuple[tuple[str, float, str], ...]:
    """The shared valences a file of ``text`` could take: those of the ions its USEIONs name
    (sorted), part of the loader's cache key, so one file loaded alone and in a folder are two
    classes only where the folder gives it a valence."""
    shared = current()
    named = {m.group(1) for m in _USEION.finditer(text)}
    return tuple((ion, *shared[ion]) for ion in sorted(named & set(shared)))
