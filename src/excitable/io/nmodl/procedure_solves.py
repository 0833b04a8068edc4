"""A SOLVE of a PROCEDURE (no METHOD): NEURON's ``nrn_state`` calls it once per step, after the
step's V is known, in a density mechanism and in a point process alike (ModelDB 114355 spike.mod's
``SOLVE check``, a threshold counter; 52034 holt_alphasyn.mod's ``SOLVE dum``, a discrete-time
filter). Its assignments are the step: a STATE it sets moves (Migliore's ``m = m + mexp*(minf - m)``),
and an ASSIGNED variable it reads before it sets it (a counter ``n = n + 1``, a filter's previous
output) is instance memory that NEURON keeps from step to step: ``memory`` names those, which the
classes carry as states (mechanism.py, point.py; the event path keeps every such variable:
artificial._kept)."""

from __future__ import annotations

from excitable.io.nmodl.describe import SPECIAL, Description
from excitable.io.nmodl.parameter_writes import _assigns, _blocks, _first_problem, _flat
from excitable.io.nmodl.parse import strip_comments


def solved(desc: Description) -> tuple[str, ...]:
    """The PROCEDUREs BREAKPOINT SOLVEs without a METHOD, in order."""
    return tuple(b for b, m in desc.solves if not m and b in desc.procedures)


def memory(desc: Description, text: str) -> tuple[str, ...]:
    """ASSIGNED variables a SOLVE'd PROCEDURE (with what it calls) reads before it assigns them, or
    assigns only under a condition: their value from the previous step (or INITIAL) matters, so they
    are carried as states, in the file's order. ``text``: the file's text."""
    names = solved(desc)
    if not names:
        return ()
    lines = strip_comments(text)
    blocks = _blocks(lines)
    flat = [x for b in names for x in _flat(lines, blocks, b)]
    ion_vars = {v for ion in desc.ions for v in ion.read + ion.write}
    return tuple(a for a in desc.assigned
                 if "[" not in a and a not in SPECIAL and a not in ion_vars and a not in desc.currents
                 and a not in desc.states and any(_assigns(code, a) for _, code, _ in flat)
                 and _first_problem(flat, a))
