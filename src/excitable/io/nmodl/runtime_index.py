"""Array elements chosen by a value known only while the model runs: ``spiketimes[nspike] = t``
(OpenSourceBrain destexhe_jcns_2009's IF_BG4.mod), ``amp[pcount]`` (ModelDB 113997 ipulse3.mod),
``PRE[fi]`` (OSB GranCellSolinasEtAl10's GRANULE_Ampa_det_vi.mod).

Storage is unchanged: an array ``x`` of N elements is kept element by element in the scope
("x[0]" ... "x[N-1]", expressions.Scope), each a value per instance. The index is a value per
instance too, and NEURON's C takes the element ``x[(int) i]`` (nocmodl 9.0.2 writes
``amp [ ((int) pcount ) ]``): truncation toward zero. So a read gathers, per instance, the element
the truncated index names; a write replaces element k by ``where(index == k, value, x[k])`` for every
k. Both run under jit, vmap and grad (the gradient flows through the element read and the value
written, not through the index, which is piecewise constant as in NEURON).

An index outside 0..N-1 (NaN and infinities included) is C's out-of-bounds access in NEURON:
undefined behaviour, no number to match. It is never taken silently: such a read gives NaN, such a
write makes every element of that instance's array NaN (so a later read, or a recording of the
array, cannot give a plausible number), and each such access is counted per instance in the scope's
``OUT_OF_RANGE`` (a mechanism that carries that count as a state has its run refused in one line
after the run: engine/counts.index_message, naming the file:line of each such access; the mechanism
classes carry it where they list it among their states).

Refused with the line: an element chosen in the run from an ASSIGNED array the file sets somewhere
but that reaches this block unset (not kept between blocks here, where NEURON reads what an earlier
block left: ``read``), a write at a run-time index into such an array (``write``: the elements it
leaves would be NEURON's from an earlier block), and an index known only in the run where a name is
needed (a DERIVATIVE's x'[k]).
"""

from __future__ import annotations

import re

import jax.numpy as jnp
import numpy as np

from excitable.errors import ModelError
from excitable.io.nmodl.affine import materialize

#: The scope entry (and, where a mechanism carries it, the state) counting per instance the array
#: accesses whose run-time index was outside the array (engine/counts.INDEX_OUT_OF_RANGE's name).
OUT_OF_RANGE = "index_out_of_range"
#: The most elements an array read at a run-time index may have: each use is a select among all of them
#: and each is kept per instance, so the traced program grows as N² (HNN's APCounter2.mod, times[20000]:
#: no program after 13 minutes and 5.6 GB; 1000 elements 86 s, 100 elements 14 s). Refused above it, in
#: one line, before anything is built; an array only written (IF_BG4's spiketimes[10000]) is not kept.
MAX_SELECTED = 256


def array_size(base: str, known) -> int:
    """The number of elements of the array ``base`` among the declared names ``known`` ("x[0]" ...);
    0 where ``base`` is not a declared array."""
    n = 0
    while f"{base}[{n}]" in known:
        n += 1
    return n


class Site:
    """Where an array element is chosen in the run: "file:line (x[i])", worked out only when a
    run-time index is met (the line search reads the file), and recorded for the refusal of a run
    that indexed outside the array (engine/counts.INDEX_SITES, by the mechanism's name)."""

    def __init__(self, path, node):
        self.path, self.node, self._text = path, node, None

    def __str__(self) -> str:
        if self._text is None:
            from excitable.io.nmodl.includes import located
            from excitable.io.nmodl.parse import dsl
            from excitable.io.nmodl.source_lines import line_of

            first = dsl().to_nmodl(self.node).strip().splitlines()[0]
            line = line_of(self.path, first)
            self._text = f"{located(self.path, line) if line else self.path} ({first[:60]})"
            _register(self.path, self._text)
        return self._text


def _register(path, text: str) -> None:
    from excitable.engine import counts
    from excitable.io.nmodl.function_tables import suffix_of
    from excitable.io.nmodl.parse import read_text

    try:
        name = suffix_of(read_text(path)[1])
    except ModelError:  # the file is gone since it was read: the refusal names the instance only
        return
    if name and text not in counts.INDEX_SITES.get(name, ()):
        counts.INDEX_SITES[name] = counts.INDEX_SITES.get(name, ()) + (text,)


#: Blocks that declare, not run: a name there is neither read nor written by the mechanism's code.
_STATES = re.compile(r"\bSTATE\s*\{[^{}]*\}")
_DECLARATIONS = re.compile(r"\b(?:NEURON|ASSIGNED|STATE|PARAMETER|UNITS|CONSTANT|INDEPENDENT)\s*\{[^{}]*\}")


def mentions(path, base: str) -> tuple[bool, bool]:
    """(whether the file's code assigns an element of ``base``, whether it mentions ``base`` only so):
    its blocks that run, declarations left out; (False, False) where the file cannot be read."""
    from excitable.io.nmodl.parse import read_text, strip_comments

    try:
        code = _DECLARATIONS.sub(" ", "\n".join(strip_comments(read_text(path)[1])))
    except ModelError:
        return False, False
    found = [bool(re.match(r"\s*\[[^\[\]]*\]\s*=(?!=)", code[m.end():]))
             for m in re.finditer(rf"(?<![\w.']){re.escape(base)}\b", code)]
    return any(found), bool(found) and all(found)


def written_only(path, base: str) -> bool:
    """Whether the ASSIGNED array ``base`` is only ever written by the file's code (IF_BG4.mod's
    ``spiketimes``, which hoc reads after a run): every mention in a block that runs is
    ``base[...] = ...``. Where nothing keeps such an array as a state (``key``), a write at a run-time
    index changes no number, so only its index is checked (``write`` of N elements would trace N
    selects at every run of the block, 10000 for IF_BG4.mod). A STATE array: never."""
    from excitable.io.nmodl.parse import read_text, strip_comments

    try:
        text = "\n".join(strip_comments(read_text(path)[1]))
    except ModelError:
        return False
    if any(re.search(rf"(?<![\w.']){re.escape(base)}\b", m.group(0)) for m in _STATES.finditer(text)):
        return False
    return mentions(path, base)[1]


def site(path, node) -> Site:
    return Site(path, node)


class Element:
    """A reference to ``base[index]`` whose index is a value per instance (known only in a run):
    ``size`` elements, ``site``: "file:line (x[i])" for the refusal; ``unread``: no block reads the
    array (``written_only``); ``sets``: a block of the file assigns an element (``mentions``)."""

    __slots__ = ("base", "size", "index", "site", "unread", "sets")

    def __init__(self, base: str, size: int, index, site: str, unread: bool = False, sets: bool = False):
        self.base, self.size, self.index, self.site, self.unread, self.sets = base, size, index, site, unread, sets

    def names(self) -> list[str]:
        return [f"{self.base}[{k}]" for k in range(self.size)]

    def slot(self):
        """(the C index, truncated toward zero as ``(int)`` does, as float; whether it is in range)."""
        i = jnp.trunc(jnp.asarray(materialize(self.index)))
        return i, jnp.isfinite(i) & (i >= 0) & (i < self.size)


def _count(glob: dict, bad) -> None:
    """Add 1 where ``bad`` to the scope's per-instance count of out-of-range accesses."""
    glob[OUT_OF_RANGE] = glob.get(OUT_OF_RANGE, 0.0) + jnp.where(bad, 1.0, 0.0)


def read(glob: dict, values: list, ref: Element):
    """The element ``ref`` names, per instance, from ``values`` (the array's elements in order):
    NaN where the index is out of range (counted). An element still at the scope's start value (the
    plain 0.0 every ASSIGNED starts a block with where nothing keeps it) of an array the file sets
    somewhere is refused: NEURON would read what another block left there."""
    if ref.sets and _unset(values):
        _refuse(ref, "read", "reads what an earlier block left")
    i, ok = ref.slot()
    stacked = jnp.stack(jnp.broadcast_arrays(*(jnp.asarray(materialize(x)) for x in values), i))[:-1]
    k = jnp.broadcast_to(jnp.where(ok, i, 0), stacked.shape[1:]).astype(jnp.int32)  # one index for all: each's
    ok = jnp.broadcast_to(ok, stacked.shape[1:])
    picked = jnp.take_along_axis(stacked, k[None], axis=0)[0]
    _count(glob, ~ok)
    return jnp.where(ok, picked, jnp.nan)


def _unset(values) -> bool:
    """Whether an element is still the plain 0.0 every ASSIGNED starts a block with where no state
    keeps it (a value a block computed is an array, a STATE's or a kept element's too)."""
    return any(type(x) is float and x == 0.0 for x in values)


def _refuse(ref: Element, what: str, neuron: str):
    raise ModelError(f"{ref.site.split(' (')[0]}: array {ref.base} {what} at an index known only in the run while an "
                     f"element of it is unset in this block and not kept between blocks (NEURON {neuron}) "
                     f"({ref.base}[...]) not supported")


def check(glob: dict, ref: Element) -> None:
    """Only count ``ref``'s index where it is out of range (a write to a ``written_only`` array)."""
    _count(glob, ~ref.slot()[1])


def write(glob: dict, values: list, ref: Element, value) -> list:
    """The array's elements after ``base[index] = value``: element k takes ``value`` where the
    truncated index is k; where it is out of range every element becomes NaN (counted). Refused where
    an element is unset here (``_unset``): the elements this write leaves alone would be NEURON's from
    an earlier block (a GLOBAL array, any instance's), not 0."""
    if _unset(values):
        _refuse(ref, "written", "keeps the elements it does not write from an earlier block")
    i, ok = ref.slot()
    value = materialize(value)
    _count(glob, ~ok)
    return [jnp.where(ok, jnp.where(i == k, value, materialize(x)), jnp.nan) for k, x in enumerate(values)]


def key(compiler, e, index, named: bool):
    """``scope -> key`` of the array element ``e`` (``index``: its compiled index expression), for
    expressions.Compiler.target: "x[2]" where the index is a number when traced (a literal, a DEFINE,
    a FROM loop's variable; a fraction is refused, as before), else an ``Element`` chosen in the run.
    Refused with the file's line (``compiler.fail``): a run-time index where ``named`` (a name is
    needed: a DERIVATIVE's ``x'[k]``), or on a name that is no declared array."""
    base = e.get_node_name()
    size = array_size(base, compiler.known)
    where, unread = site(compiler.path, e), []  # unread: worked out at the first run-time index

    def run(scope):
        i = materialize(index(scope))
        if isinstance(i, (int, float, np.integer, np.floating)) and not isinstance(i, (bool, np.bool_)):
            if float(i) != int(i):
                compiler.fail("array index not known when the file is read", e)
            return f"{base}[{int(i)}]"
        if named or not size:
            compiler.fail("array index not known when the file is read", e)
        if not unread:  # the density and plain point paths keep no ASSIGNED element no block reads; the event
            # path's compiler (events.EventCompiler, with its hidden calls) keeps every one (artificial._kept)
            unread.extend((not hasattr(compiler, "hidden") and written_only(compiler.path, base),
                           mentions(compiler.path, base)[0]))
        if size > MAX_SELECTED and not unread[0]:  # bounded before it starts: N selects a use, N states kept
            compiler.fail(f"array {base} of {size} elements used at an index known only in the run (each use "
                          f"selects among all its elements here: at most {MAX_SELECTED})", e)
        return Element(base, size, i, str(where), *unread)  # str: the site registered for a refusal (counts.py)
    return run
