"""A SOLVE of a PROCEDURE (no METHOD): NEURON's ``nrn_state`` calls it once per step, after the
step's V is known, in a density mechanism and in a point process alike (ModelDB 114355 spike.mod's
``SOLVE check``, a threshold counter; 52034 holt_alphasyn.mod's ``SOLVE dum``, a discrete-time
filter). Its assignments are the step: a STATE it sets moves (Migliore's ``m = m + mexp*(minf - m)``),
and an ASSIGNED variable it reads before it sets it (a counter ``n = n + 1``, a filter's previous
output) is instance memory that NEURON keeps from step to step: ``memory`` names those, which the
classes carry as states (mechanism.py, point.py; the event path keeps every such variable:
artificial._kept)."""

from __future__ import annotations

import re

from excitable.io.nmodl.describe import SPECIAL, Description
from excitable.io.nmodl.parameter_writes import _assigns, _blocks, _first_problem, _flat
from excitable.io.nmodl.parse import strip_comments


def solved(desc: Description) -> tuple[str, ...]:
    """The PROCEDUREs BREAKPOINT SOLVEs without a METHOD, in order."""
    return tuple(b for b, m in desc.solves if not m and b in desc.procedures)


def memory(desc: Description, text: str) -> tuple[str, ...]:
    """ASSIGNED variables a SOLVE'd PROCEDURE, or a DERIVATIVE solved by cnexp or euler (with what
    they call), reads before it assigns them, or assigns only under a condition: their value from the
    previous step (or INITIAL) matters, so they are carried as states, in the file's order.
    ``text``: the file's text. NEURON calls each of those once a step. org.neuroml.export's rates()
    reads ``m_alpha`` before it sets it (each call uses the previous call's value; its INITIAL calls
    rates() twice): read as 0 before, kamt.mod (OSB MiglioreEtAl14) went NaN at the first step.
    A block Newton's method solves (derivimplicit, a KINETIC scheme) is called once per iteration in
    NEURON, each call reading the previous one's value: refused with the line (ModelError)."""
    lines = strip_comments(text)
    blocks = _blocks(lines)
    _refuse_iterated(desc, lines, blocks)
    names = solved(desc)
    out = _read_first(desc, [x for b in names for x in _flat(lines, blocks, b)]) if names else ()
    derivatives = [b for b, m in desc.solves if m in ONCE_A_STEP and b in desc.derivatives]
    return out + tuple(a for a in _derivative_memory(desc, lines, blocks, derivatives) if a not in out)


def _derivative_memory(desc: Description, lines, blocks, derivatives) -> tuple[str, ...]:
    """Of what the ``derivatives`` (with what they call) assign, the RANGE ASSIGNED variables some
    path may read before it is set there (``flow.unset_reads``: both branches of an if/else set it,
    a TABLE names it: no read), in the file's order. A GLOBAL is one value for all instances in
    NEURON: left to shared_values' rules."""
    from excitable.io.nmodl import flow

    if not derivatives:
        return ()
    flat = [x for b in derivatives for x in _flat(lines, blocks, b)]
    names = [a for a in _read_first(desc, flat) if a not in desc.globals_]
    found: set[str] = set()
    for b in derivatives:
        found |= set(flow.unset_reads(desc, desc.derivatives[b], names)) if names else set()
    return tuple(a for a in names if a in found)


#: The METHODs whose block NEURON's nrn_state calls once a step.
ONCE_A_STEP = ("cnexp", "euler")


def _read_first(desc: Description, flat) -> tuple[str, ...]:
    """The ASSIGNED variables ``flat`` (parameter_writes._flat's run of blocks) assigns and may read
    before it assigns them (or assigns only under a condition)."""
    ion_vars = {v for ion in desc.ions for v in ion.read + ion.write}
    return tuple(a for a in desc.assigned
                 if "[" not in a and a not in SPECIAL and a not in ion_vars and a not in desc.currents
                 and a not in desc.states and any(_assigns(code, a) for _, code, _ in flat)
                 and _first_problem(flat, a))


def _refuse_iterated(desc: Description, lines, blocks) -> None:
    from excitable.errors import ModelError
    from excitable.io.nmodl.includes import located

    for block, method in desc.solves:
        if method in ONCE_A_STEP or block in desc.procedures or not method:
            continue
        flat = _flat(lines, blocks, block)
        for name in (a for a in _read_first(desc, flat) if a not in desc.globals_):  # GLOBALs: shared_values
            line = _first_problem(flat, name)
            code = next(c for n, c, _ in flat if n == line)
            if re.match(rf"\s*{re.escape(name)}\s*=(?!=)", code):  # first met assigned, under a condition:
                continue  # if/else branches that both assign it are common; not a read of the previous value
            raise ModelError(f"{located(desc.path, line)}: {name} read before the block {block} (METHOD {method}) "
                             f"assigns it (NEURON: the previous call's value, and {method} calls the block again at "
                             f"every Newton iteration) not supported")
