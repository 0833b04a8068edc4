"""Whether a block run assigns an array's elements before it reads them, element by element.

Lytton's generic HH channels (OpenSourceBrain WangBuzsaki1996 naf.mod, ModelDB's many copies) keep
``GLOBAL Inf[2], Tau[2], qq10[2]`` that a PROCEDURE ``mh(v)`` sets (``qq10[0] = ...``,
``qq10[1] = ...``, then ``Inf[j] = ...`` in ``FROM j = 0 TO 1``) and that BREAKPOINT and the
DERIVATIVE read right after calling it. NEURON keeps one such array for all instances, but every
element read was written by this instance's own call just before, so the shared array holds this
instance's numbers when read: the file runs as RANGE arrays would (parameter_writes'
``_first_problem``, shared_values).

An element counts as assigned by an unconditional assignment whose index is an integer or the
variable of an enclosing ``FROM i = LO TO HI [BY K]`` with integer bounds (every element of that
range; a loop with other bounds, or an index expression, assigns nothing known). A read is fine
where every element it may read (the same rules; an index of any other kind: all, unknown) is
assigned; a conditional or unknown-index assignment of an element not yet assigned, a read of an
element no earlier statement assigned, or the bare name (the whole array) is the problem line.
Conservative: all reads on a line are checked before that line's assignments. A TABLE statement
(``TABLE Inf, Tau DEPEND ... FROM vmin TO vmax WITH 200``, naf.mod's first line in mh) names the
values the PROCEDURE computes: it reads none of them (nor is its FROM a loop).
"""

from __future__ import annotations

import re

_FROM = re.compile(r"\bFROM\s+(\w+)\s*=\s*(-?\d+)\s+TO\s+(-?\d+)(?:\s+BY\s+(\d+))?")
_FROM_ANY = re.compile(r"\bFROM\s+(\w+)\s*=")
_TABLE = re.compile(r"\bTABLE\b.*?(?:\bWITH\s+\w+|$)")


def without_tables(code: str) -> str:
    """``code`` without its TABLE statement (the names it lists are what the PROCEDURE computes)."""
    return _TABLE.sub(" ", code)


def _elements(index: str, loops: dict[str, range]) -> frozenset[int] | None:
    """The elements ``index`` (the text between the brackets) may name: an integer, or the
    variable of an enclosing constant FROM loop; None where not known."""
    index = index.strip()
    if re.fullmatch(r"-?\d+", index):
        return frozenset({int(index)})
    return frozenset(loops[index]) if index in loops else None


def first_problem(flat, name: str, size: int = 0) -> int:
    """The first line (of ``flat``: parameter_writes' (line, code, conditional)) where the array
    ``name`` may be read, or left conditionally assigned, before this run assigned the element;
    0 where none (module docstring). ``size``: the array's length where known, so that an index of
    unknown value (``w[k]``, k known only in the run) is fine once every element is assigned."""
    every = frozenset(range(size)) if size > 0 else None
    use = re.compile(rf"(?<![\w.']){re.escape(name)}\b\s*(?:\[([^\]]*)\])?(\s*=(?!=))?")
    done: set[int] = set()
    loops: dict[str, range] = {}  # FROM variable -> its elements, until the variable is assigned otherwise
    for line, code, cond in flat:
        code = without_tables(code)
        for var in _FROM_ANY.findall(code):
            loops.pop(var, None)
        for m in _FROM.finditer(code):
            var, lo, hi, by = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4) or 1)
            if by > 0:
                loops[var] = range(lo, hi + 1, by)
        outside = _FROM.sub("", code)
        for var in list(loops):  # `j = 5` after the loop: its index no longer names the loop's range
            if re.search(rf"(?<![\w.']){re.escape(var)}\s*=(?!=)", outside):
                del loops[var]
        uses = list(use.finditer(code))
        assigned = [m for m in uses if m.group(2) and m.group(1) is not None]
        for m in uses:
            if m in assigned:
                continue
            elements = _elements(m.group(1), loops) if m.group(1) is not None else None
            elements = every if elements is None else elements
            if elements is None or not elements <= done:
                return line
        for m in assigned:
            elements = _elements(m.group(1), loops)
            if cond or elements is None:
                maybe = every if elements is None else elements
                if maybe is None or not maybe <= done:
                    return line
                continue
            done |= elements
    return 0
