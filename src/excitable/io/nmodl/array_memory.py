"""ASSIGNED array elements NEURON keeps from one block to another, element by element.

NEURON keeps an ASSIGNED array (``w[4]``) in the instance's data like any ASSIGNED variable: what
INITIAL leaves in ``w[1]`` is what BREAKPOINT's ``i = g*w[1]*...`` reads at every step, and what
one step's SOLVE'd PROCEDURE leaves is what the next step's reads before it writes. excitable
starts every block run with each ASSIGNED at 0, so such an array is carried as states, one per
element ("w[0]" ... "w[3]", each a value per instance), by the density (mechanism.py) and plain
point (point.py) classes; the event path (artificial.py) keeps every ASSIGNED element already.

An array is kept where a block run after INITIAL (BREAKPOINT, the SOLVE'd blocks, NET_RECEIVE,
with the FUNCTIONs and PROCEDUREs each calls) may read an element before that run assigned it
(``array_elements.first_problem``: a fixed index, a FROM loop's, or an index known only in the run,
which may name any element), and some block assigns one (an array no block sets is 0 in NEURON as
here), and some block reads one (IF_BG4.mod's ``spiketimes[10000]``, only written for hoc to read
after the run, changes no number: not kept, runtime_index.written_only).

A GLOBAL array is one array for all instances in NEURON: kept per instance only where no block
after INITIAL assigns it, so each instance's copy is INITIAL's, which ``shared_values`` refuses
unless every instance gets the same numbers (cadifus.mod's ``frat[i]``). One that a later block
rewrites and a later block reads before its run sets the element holds, in NEURON, what another
instance (or step) left: refused with the line of that read (``ModelError``), not run on 0s.
Lytton's generic channels, whose every read follows this instance's own assignment in the same
block run, run as before (array_elements.py).

``breakpoint_written``: of those, the elements BREAKPOINT assigns, which the classes take from
where NEURON runs it: with currents, ``nrn_cur`` twice a step at the step's start, ``nrn_state``
reading what the second run left (double_run.py); without, ``nrn_state`` after the SOLVE.
"""

from __future__ import annotations

import re

from excitable.errors import ModelError
from excitable.io.nmodl import array_elements
from excitable.io.nmodl.describe import SPECIAL, Description
from excitable.io.nmodl.parameter_writes import _blocks, _flat
from excitable.io.nmodl.parse import strip_comments


def _bases(desc: Description) -> list[str]:
    """The ASSIGNED arrays' names that may be kept: no STATE, current, ion variable or special name."""
    ion_vars = {v for ion in desc.ions for v in ion.read + ion.write}
    out = [a.split("[")[0] for a in desc.assigned if "[" in a]
    return [b for b in dict.fromkeys(out) if b not in SPECIAL and b not in ion_vars and b not in desc.currents
            and f"{b}[0]" not in desc.states]


def _assigns(flat, base: str) -> bool:
    rx = re.compile(rf"(?<![\w.']){re.escape(base)}\s*\[[^\]]*\]\s*=(?!=)")
    return any(rx.search(code) for _, code, _ in flat)


def _reads(flats, base: str) -> bool:
    """Whether a mention of ``base`` in the blocks is no assignment target (``w[j] = w[j] + 1`` is both)."""
    rx = re.compile(rf"(?<![\w.']){re.escape(base)}\b(?!\s*\[[^\]]*\]\s*=(?!=))")
    return any(rx.search(code) for flat in flats for _, code, _ in flat)


def _later(desc: Description, lines) -> dict[str, list]:
    """The flattened runs of the blocks after INITIAL (parameter_writes._flat), by kind."""
    blocks = _blocks(lines)
    solved = [b for b, _ in desc.solves]
    return {"BREAKPOINT": _flat(lines, blocks, "BREAKPOINT"),
            "SOLVE": [x for b in solved for x in _flat(lines, blocks, b)],
            "NET_RECEIVE": _flat(lines, blocks, "NET_RECEIVE")}


def kept(desc: Description, text: str) -> tuple[str, ...]:
    """The elements ("w[0]", ...) of the ASSIGNED arrays carried as states (module docstring);
    ``text``: the file's text. Raises ModelError (file:line) for a GLOBAL array read before a block
    run sets it while a block after INITIAL rewrites it."""
    from excitable.io.nmodl.includes import located

    lines = strip_comments(text)
    later = _later(desc, lines)
    initial = _flat(lines, _blocks(lines), "INITIAL")
    out: list[str] = []
    for base in _bases(desc):
        set_later = any(_assigns(flat, base) for flat in later.values())
        if not (set_later or _assigns(initial, base)) or not _reads([initial, *later.values()], base):
            continue  # never set (0 in NEURON as here), or never read (no number depends on it)
        line = next((n for flat in later.values() if (n := array_elements.first_problem(flat, base, desc.arrays.get(base, 0)))), 0)
        if line and base in desc.globals_ and set_later:
            raise ModelError(f"{located(desc.path, line)}: GLOBAL array {base} used before this block run sets every "
                             f"element it may use, while a block after INITIAL rewrites it (NEURON: one array for all instances, "
                             f"holding what another instance or step left; declare it RANGE) not supported")
        if line:
            out += [a for a in desc.assigned if a.split("[")[0] == base]
    return tuple(out)


def breakpoint_written(desc: Description, text: str, elements) -> tuple[str, ...]:
    """Of ``elements`` (``kept``'s), those BREAKPOINT assigns (every element of an array it assigns
    one of: the index may be known only in the run)."""
    flat = _later(desc, strip_comments(text))["BREAKPOINT"]
    return tuple(a for a in elements if _assigns(flat, a.split("[")[0]))
