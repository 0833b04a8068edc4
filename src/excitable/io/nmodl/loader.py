"""``load_mod``: .mod files -> mechanism classes that insert like the built-in channels."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

from excitable.errors import ModelError
from excitable.io.nmodl import function_tables, null_pointers, valences
from excitable.io.nmodl.comments import strip_comments
from excitable.io.nmodl.describe import describe
from excitable.io.nmodl.parse import parse_text, read_text
from excitable.io.nmodl.unsupported import find, refuse

#: Most files one call reads (a folder of a published model holds tens).
MAX_FILES = 1000
#: Most self-event slots per instance ``queue=`` takes (the queue's arrays grow with it: event_queue.py).
MAX_QUEUE = 1024


class Mechanisms(dict):
    """SUFFIX -> mechanism class, also reachable as attributes (``mods.hh``)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no mechanism {name!r} was loaded; loaded: {', '.join(sorted(self))}") from None


def mod_paths(source) -> list[Path]:
    """The .mod files ``source`` names: a file, a folder (its *.mod files) or a list of either."""
    items = list(source) if isinstance(source, (list, tuple)) else [source]
    out: list[Path] = []
    for item in items:
        if not isinstance(item, (str, Path)):
            raise ModelError(f"load_mod: expected a path to a .mod file or a folder, got {item!r}")
        p = Path(item)
        if p.is_dir():
            found = sorted(p.glob("*.mod"))
            if not found:
                raise ModelError(f"load_mod: folder {str(p)!r} has no .mod files")
            out += found
        elif not p.exists():
            raise ModelError(f"load_mod: no such file {str(p)!r}")
        else:
            out.append(p)
    if len(out) > MAX_FILES:
        raise ModelError(f"load_mod: {len(out)} files, more than {MAX_FILES} in one call")
    return out


#: (resolved path, SHA-256 of the text) -> the class made from it. The same file read again gives
#: the same class, so a model built again (the lab's next request, `excitable run model` in the warm
#: server) meets JAX's trace cache instead of tracing every imported mechanism anew (0.9 s for a
#: 12-file cortical cell); a changed file is a new key. Bounded: the oldest entries are dropped.
_CLASSES: dict[tuple[str, str], type] = {}
_CACHE_SIZE = 512


def load_file(path, tables=None, queue=None):
    """The mechanism class of one .mod file (refusing what it cannot run, with file:line);
    ``tables``: its FUNCTION_TABLEs' values (function_tables.py), part of the cache's key;
    ``queue``: self-event slots per instance of a file with net_send (``check_queue``). Inside
    ``valences.together`` (load_mod of several files), an ion the file uses without VALENCE takes
    the valence another of them declares (part of the key too)."""
    p, text = read_text(path)
    return _cached(p, text, tables, check_queue(queue), valences.key(text))


def check_queue(queue) -> int | None:
    """``queue`` as load_mod takes it: None (the default, events.QUEUE) or a whole number of
    self-event slots from 1 to ``MAX_QUEUE``; anything else a one-line ModelError."""
    if queue is None:
        return None
    whole = isinstance(queue, (int, float)) and not isinstance(queue, bool) and math.isfinite(queue)
    if not (whole and queue == int(queue) and 1 <= queue <= MAX_QUEUE):
        raise ModelError(f"load_mod: queue must be a whole number of self-events from 1 to {MAX_QUEUE}, got {queue!r}")
    return int(queue)


def _cached(p, text, tables, queue, shared=()):
    tables_key = function_tables.key(tables)
    if tables_key is None:  # values that are not plain numbers: make_class names the bad one
        return _make(p, text, tables, queue, shared)
    key = (str(Path(p).resolve()), hashlib.sha256(text.encode()).hexdigest(), tables_key, queue, shared)
    if key not in _CLASSES:
        if len(_CLASSES) >= _CACHE_SIZE:
            _CLASSES.pop(next(iter(_CLASSES)))
        _CLASSES[key] = _make(p, text, tables, queue, shared)
    return _CLASSES[key]


def _make(p, text, tables=None, queue=None, shared=()):
    """The class of one file; ``shared``: the valences other files loaded with it give (valences.key)."""
    from excitable.io.nmodl.mechanism import make_class

    mod = parse_text(p, text)
    null_pointers.apply(mod, strip_comments(mod.text))  # C testing a POINTER nothing sets: made NMODL first
    with valences.using(shared):
        desc = describe(mod)
    refuse(p, find(mod, desc))
    if not desc.suffix:
        raise ModelError(f"{p}: no SUFFIX in its NEURON block (a mechanism needs a name)")
    from excitable.io.nmodl.artificial import is_artificial

    if desc.point or is_artificial(mod):  # POINT_PROCESS, ARTIFICIAL_CELL: driven by events (point.py)
        from excitable.io.nmodl.point import make_point_class

        if tables:
            raise ModelError(f"tables: {desc.suffix} is a point process; only density mechanisms take FUNCTION_TABLEs")
        cls = make_point_class(desc, mod, queue)
    else:
        cls = make_class(desc, mod, tables)
    # a table not given: the file is traced with constants in its place (the class refuses instances)
    stand_in = function_tables.placeholders(cls)
    _probe(p, cls if stand_in is None else make_class(desc, mod, stand_in))
    if hasattr(cls, "function_tables"):
        cls.with_tables = classmethod(_with_tables)
    if getattr(cls, "queue_size", 0):  # the same text (not the file as it may be now), another queue
        cls.with_queue = classmethod(lambda c, size: _cached(p, text, None, check_queue(size), shared))
    return cls


def _with_tables(cls, **given):
    """``Cls.with_tables(tau1=(x, y))``: the class of the same file with these FUNCTION_TABLE
    values (as load_mod's ``tables``) and the ones it had."""
    had = {n: t for n, t in cls.function_tables.items() if t is not None}
    shared = tuple((i.name, i.valence, i.valence_from) for i in cls.description.ions if i.valence_from)
    with valences.using(shared):  # the valences it was loaded with
        return load_file(cls.source, tables={**had, **given})


def _probe(path, cls) -> None:
    """Trace INITIAL, BREAKPOINT and the SOLVE once, abstractly (``jax.eval_shape``: nothing is
    computed), so that a file the compiler cannot follow fails here, in one line, and not in a run.
    The parameters, V, celsius and dt are traced values, as in a run (where any of them may be a
    batch's or a gradient's): an array element chosen by a PARAMETER (``h'[k]``) is a run-time index
    here too, not a number the probe happened to hold."""
    import jax
    import jax.numpy as jnp

    def everything(mech, v, celsius, dt):
        s = mech.steady_state(v, celsius)
        return mech.currents(v, s), mech.advance(v, s, celsius, dt, {"T": 0.0})

    try:
        jax.eval_shape(everything, cls(), jnp.asarray(-65.0), jnp.asarray(6.3), jnp.asarray(0.025))
        cls.shared_exp.choose_bases()  # the slopes this trace met (affine.py)
    except ModelError as exc:
        from excitable.io.nmodl.includes import sources

        named = any(str(exc).startswith(f) for f in sources(path))  # the file's or an INCLUDEd file's line
        raise ModelError(str(exc) if named else f"{path}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a construct the compiler does not follow: one line, the file named
        raise ModelError(f"{path}: cannot be imported ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})") from None


def load_mod(source, tables=None, queue=None):
    """Import NMODL mechanisms: one .mod file -> its class; a folder or a list -> ``Mechanisms``
    (SUFFIX -> class). The classes insert like built-in channels, named by the file's SUFFIX::

        Hh = ex.load_mod("hh.mod")
        cell.insert(Hh(gnabar=0.12))
        sim.record("hh.m"); sim.record("hh.ina")      # uA/cm2 (NEURON's mA/cm2 x 1000)

    ``tables``: the values of FUNCTION_TABLEs (NEURON's ``table_NAME_SUFFIX`` from hoc): for one
    file, name -> ``(x, y)`` / ``(x1, x2, y)`` / a number (``{"tau1": (v_mV, tau_ms)}``); for a
    folder or a list, SUFFIX -> those. Anything the file uses that excitable does not run is
    refused with ``file:line`` (a ModelError); ``excitable mod check FILE.mod`` lists it all.

    Files loaded together (a folder, a list) are one NEURON library: an ion one of them declares
    with ``VALENCE n`` has that valence in the others that use it without one (Blue Brain's NaTg.mod
    reading ``ttxo``/``ttxi`` beside TTXDynamicsSwitch.mod), and two valences for one ion are
    refused (io/nmodl/valences.py).

    ``queue``: pending self-events per instance of a file that calls net_send (default 4). NEURON's
    queue has no bound; ``Simulation.run`` and ``run_batch`` run again with a deeper one where a run
    needs it (io/nmodl/queue_growth.py), so ``queue`` only saves that rerun, or serves a
    ``Simulation.function``, which cannot run again (``Cls.with_queue(n)``: the class so loaded).
    """
    paths = mod_paths(source)
    if tables is not None and not isinstance(tables, dict):
        raise ModelError(f"load_mod: tables must be a dict, got {type(tables).__name__}")
    if not isinstance(source, (list, tuple)) and len(paths) == 1 and not Path(source).is_dir():
        return load_file(paths[0], tables, queue)
    out, tables = Mechanisms(), tables or {}
    with valences.together(paths):  # an ion's VALENCE one file declares holds for all (NEURON's library)
        for p in paths:
            cls = load_file(p, tables.get(function_tables.suffix_of(read_text(p)[1])), queue)
            if cls.__name__ in out:
                raise ModelError(f"load_mod: SUFFIX {cls.__name__!r} is defined twice ({out[cls.__name__].source} and {p})")
            out[cls.__name__] = cls
    unknown = sorted(set(tables) - set(out))
    if unknown:
        raise ModelError(f"load_mod: tables for {unknown[0]!r}, which is not loaded; loaded: {', '.join(sorted(out))}")
    return out
