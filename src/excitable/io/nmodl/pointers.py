"""POINTER variables of an imported .mod file: the membrane potential of another place.

Their most common published use is the gap junction made of two point processes (ModelDB's
gap.mod: ``POINTER vgap``, ``i = (v - vgap)/r``), each pointed in NEURON at the partner's V by
``h.setpointer(partner(x)._ref_v, 'vgap', half)``. Here the pointer is set on the Network
(``Network.pointer(half, "vgap", site)``); a POINTER becomes a field of the class (mV, listed in the
class attribute ``pointers``) that the engine fills at every step with V at its target node
(``engine/pointers.py``), as NEURON's generated code reads ``*_p_vgap`` when the block runs:

- BREAKPOINT (``nrn_cur``): V of the target at the start of the step. NEURON's slope di/dv moves
  only the instance's own v (v + 0.001), never the target's, so the coupling is explicit in the
  partner's V and implicit in the own V: the splitting of the built-in ``Network.gap_junction``.
- a SOLVE'd block (``nrn_state``, after the voltage update): V of the target at the end of the step.
- INITIAL (``finitialize``): V of the target at the start.

What is refused (one line, ``file:line``): a write through a POINTER (``vgap = ...``: NEURON would
change the variable pointed at), a POINTER array, and a POINTER in a point process with events
(NET_RECEIVE, net_send, WATCH: ``events.has_events``) or an ARTIFICIAL_CELL (not tested here). One
that only reads ``t`` or has an ELECTRODE_CURRENT (the event path's clock, no events: ModelDB
114047 gap.mod's ``if (t > del)``) runs, its V read as above. Pointing at anything other than a
V (another mechanism's variable, a concentration) is not expressible: ``Network.pointer`` takes a site. So a POINTER whose
ASSIGNED declaration gives it a unit other than mV (ModelDB's I_AHP.mod: ``I_T (mA/cm2)``, a
current; mglur2.mod: ``C (mM)``, a transmitter concentration) is refused too: filled with a V it
would run, wrongly. A POINTER no block ever reads (ican.mod's ``jip3p``) is not a field at all:
NEURON never dereferences it, so it need not be set there either.
"""

from __future__ import annotations

import re

#: The unit of a POINTER field (it holds a membrane potential) and its value outside a run.
UNIT = "mV"
DEFAULT = 0.0


#: Units a POINTER to a membrane potential may be declared with (or none at all).
VOLTAGE_UNITS = ("", "mV", "millivolt")


def declared(mod) -> tuple[str, ...]:
    """The variables the file's NEURON block declares POINTER (or BBCOREPOINTER: CoreNEURON's opaque
    pointer, which only C uses; NMODL naming one is refused, null_pointers.py), in order."""
    out: list[str] = []
    for block in mod.program.blocks:
        if block.is_neuron_block():
            for st in block.statement_block.statements:
                if st.is_pointer() or st.is_bbcore_pointer():
                    out += [v.get_node_name() for v in st.variables]
    return tuple(out)


def unit_of(desc, name: str) -> str:
    """The unit a POINTER's declaration gives it (ASSIGNED, or PARAMETER as ModelDB 114047's gap.mod
    declares ``vgap (millivolt)``), "" for none."""
    return desc.assigned.get(name) or desc.parameters.get(name, (0.0, ""))[1].strip()


def names(mod) -> tuple[str, ...]:
    """The POINTERs some block reads or writes, in order: the fields the engine fills."""
    own = declared(mod)
    return tuple(n for n in own if n in _used(mod)) if own else ()


def _used(mod) -> set[str]:
    """Every name in the code of a block other than NEURON and ASSIGNED (where POINTERs are
    declared); comments hold no names (the parser's tree, not the text)."""
    from neuron.nmodl import ast, visitor

    out: set[str] = set()
    for block in mod.program.blocks:
        if not (block.is_neuron_block() or block.is_assigned_block()):
            out |= {n.get_node_name() for n in visitor.AstLookupVisitor().lookup(block, ast.AstNodeType.NAME)}
    return out


def fields(mod) -> dict[str, tuple[float, str]]:
    """name -> (default, unit) of the POINTER fields."""
    return {name: (DEFAULT, UNIT) for name in names(mod)}


def check_lines(mod, desc) -> list[str]:
    """What ``excitable mod check`` says of the file's POINTERs (one declared other than in mV is
    listed with the refusals, by ``problems``)."""
    from excitable.io.nmodl import null_pointers
    from excitable.io.nmodl.comments import strip_comments

    lines = strip_comments(mod.text)
    tested = null_pointers.tested(mod, lines)  # NULL here, its C test false: said by null_pointers
    own = [n for n in names(mod) if unit_of(desc, n) in VOLTAGE_UNITS]
    unread = [n for n in declared(mod) if n not in names(mod) and n not in tested]
    out = []
    if own:
        out.append(f"  POINTER {', '.join(own)}: reads the V of another place, set with Network.pointer(mechanism, "
                   f"{own[0]!r}, site) (NEURON's h.setpointer); a run refuses one left unset")
    if unread:
        out.append(f"  POINTER {', '.join(unread)}: never read, so ignored (nothing to set)")
    return out + null_pointers.check_lines(mod, lines)


def uncarried(gen, mod):
    """``gen`` (mechanism.Generated) with the POINTERs out of its carried ASSIGNED variables: an
    ASSIGNED that BREAKPOINT reads and never sets would be carried as a state from INITIAL, but a
    POINTER is read afresh each time a block runs (its field, filled by the engine)."""
    own = declared(mod)  # an unread one too: no state, no field
    if own:
        gen.carried = tuple(x for x in gen.carried if x not in own)
        gen.kept = tuple(x for x in gen.kept if x not in own)
    return gen


def problems(mod, desc, lines: list[str], events) -> list[tuple[int, str]]:
    """(line, construct) of the POINTER uses excitable does not run (``lines``: the code with
    comments blanked; ``events()``: whether the file takes NEURON's events or is an ARTIFICIAL_CELL:
    ``events.has_events``, not a mere read of ``t``)."""
    if not names(mod):
        return []
    events = events()
    found = []
    declared = [n for n, text in enumerate(lines, 1) if re.search(r"\bPOINTER\b", text)]
    for name in names(mod):
        header = next((n for n in declared if re.search(rf"\b{re.escape(name)}\b", lines[n - 1])), 0)
        if events:
            found.append((header, f"POINTER {name} in a point process with events (NET_RECEIVE, net_send, WATCH) "
                                  "or an ARTIFICIAL_CELL"))
        if name in desc.arrays:
            found.append((header, f"POINTER array {name}"))
        if (unit := unit_of(desc, name)) not in VOLTAGE_UNITS:
            found.append((header, f"POINTER {name} declared in {unit} (only a POINTER to a membrane potential, in mV, runs)"))
        for n, text in enumerate(lines, 1):
            if n not in declared and re.search(rf"\b{re.escape(name)}\s*(\[[^\]]*\])?\s*=(?!=)", text):
                found.append((n, f"write through POINTER {name} (only reading a V is supported)"))
    return found
