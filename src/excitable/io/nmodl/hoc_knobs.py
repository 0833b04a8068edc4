"""ASSIGNED variables that no statement of a .mod file sets: knobs that NEURON users set from hoc.

NEURON starts every ASSIGNED variable at 0, and hoc sees those the NEURON block declares RANGE (per
segment, ``seg.knob.scale``) or GLOBAL (``slow_knob``): a model's hoc code may set them like
PARAMETERs. A file that reads such a variable and never assigns it relies on that: ModelDB 82784's
cadyn.mod reads ``CAF``, which only its hoc sets; ModelDB 84589's kahp.mod bounds a loop by its
GLOBAL ``exp_n``. One declared neither way is hidden from hoc (checked with NEURON 9.0.2: neither
``seg.knob.x`` nor ``h.x_knob`` exists) and stays 0.

Each such RANGE or GLOBAL scalar is imported as a PARAMETER of default 0 in the ASSIGNED's unit
(``settable``), so ``Cls(CAF=...)``, ``cell.set("cadyn.CAF", ...)`` and ``mod compare --set
cadyn.CAF=...`` set it, as hoc does in NEURON; run without a value it is 0, NEURON's value. So is a
hidden one that bounds a FROM loop (loop_bounds.py: the bound must be a number when the loop is
unrolled; 0 unless set). ``mod check`` names them. Not promoted: NEURON's own variables (v, t, dt,
celsius, diam, area), an ion's variables (NEURON sets them), POINTERs (set by setpointer),
file-level LOCALs (static C variables), and arrays: an ASSIGNED array that no statement sets stays
0, which ``mod check`` says (``check_lines``).
"""

from __future__ import annotations

import dataclasses
import re


def settable(desc, mod, special=frozenset()):
    """``desc`` with each scalar ASSIGNED that the NEURON block declares RANGE or GLOBAL (or that
    bounds a FROM loop) and that no statement of the file assigns made a PARAMETER of default 0 (its
    unit kept), listed in ``desc.set_by_hoc``. ``special``: the names NEURON gives every mechanism
    (describe.SPECIAL)."""
    from excitable.io.nmodl.loop_bounds import loop_bound_names

    desc = _state_starts(desc)
    candidates = [a for a in desc.assigned if "[" not in a]
    if not candidates:
        return desc
    visible = (set(desc.ranges) | set(desc.globals_) | set(loop_bound_names(desc, mod))) - _excluded(desc, mod, special)
    code = _code(mod)
    names = [a for a in candidates if a in visible and not _assigned_in(code, a)]
    if not names:
        return desc
    return dataclasses.replace(desc, parameters={**desc.parameters, **{a: (0.0, desc.assigned[a]) for a in names}},
                               assigned={k: u for k, u in desc.assigned.items() if k not in names},
                               set_by_hoc=tuple(names))


def _state_starts(desc):
    """``desc`` with NEURON's implicit start value of a STATE ``x``, ``x0`` (a GLOBAL of every
    mechanism, 0 unless hoc sets it: nrn_init sets x, or each element of an array x, to it before
    INITIAL), a PARAMETER where the NEURON block names it without the file declaring it (the NEURON
    Book's cadifus.mod: ``GLOBAL vol, Buffer0``; ``Buffer0_cadifus`` in hoc, ``Cls(Buffer0=...)``
    here). One the file declares is its own PARAMETER already (cabpump.mod's ``pump0``)."""
    bases = {s.split("[")[0] for s in desc.states}
    named = [n for n in dict.fromkeys((*desc.ranges, *desc.globals_)) if n.endswith("0") and n[:-1] in bases
             and n not in desc.parameters and n not in desc.assigned]
    if not named:
        return desc
    return dataclasses.replace(desc, parameters={**desc.parameters, **{n: (0.0, "") for n in named}})


def unset_arrays(desc, mod) -> dict[str, int]:
    """ASSIGNED array -> its length, for the arrays that no statement of the file assigns an element
    of (they stay 0: they cannot be set here)."""
    code, local = _code(mod), _file_locals(mod)
    return {a: n for a, n in desc.arrays.items() if f"{a}[0]" in desc.assigned and a not in local
            and not re.search(rf"\b{re.escape(a)}\s*\[[^\]]*\]\s*=(?!=)", code)}


def check_lines(mod, desc) -> list[str]:
    """``mod check``'s lines on the knobs this module found."""
    lines = []
    if desc.set_by_hoc:
        lines.append("  ASSIGNED that no block sets, read here as parameters of default 0 (NEURON's value until "
                     "hoc sets it): " + ", ".join(desc.set_by_hoc))
    for name, n in unset_arrays(desc, mod).items():
        lines.append(f"  ASSIGNED array {name}[{n}]: no block sets it; it stays 0 here (NEURON: 0 until hoc sets "
                     f"{name}_{desc.suffix}[i]), and it cannot be set")
    return lines


def _excluded(desc, mod, special) -> set[str]:
    from excitable.io.nmodl import pointers

    ions = {v for ion in desc.ions for v in ion.read + ion.write}
    return set(special) | ions | set(pointers.declared(mod)) | _file_locals(mod)


def _file_locals(mod) -> set[str]:
    return {v.get_node_name() for block in mod.program.blocks if block.is_local_list_statement()
            for v in block.variables}


def _code(mod) -> str:
    from excitable.io.nmodl.parse import strip_comments

    return "\n".join(strip_comments(mod.text))


def _assigned_in(code: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\s*=(?!=)", code) is not None
