"""Values BREAKPOINT computes that the SOLVE'd blocks read: what NEURON's ``nrn_state`` sees of them.

NEURON's fixed step (``fadvance``) runs ``nrn_cur`` (BREAKPOINT without its SOLVE, twice: at
v + 0.001 mV for the slope, then at v) at the step's old V, old states and old ion values, solves
for the new V, then ``nrn_state`` (the SOLVE'd blocks) at the new V. A variable BREAKPOINT sets
and the SOLVE'd blocks read before they set it (ModelDB 267140 ican.mod's ``ican`` from v, 84589
kahp.mod's ``rates(v)`` after the SOLVE) is instance data: ``nrn_state`` reads the value the last
run of ``nrn_cur`` left, from the OLD V (checked in nocmodl 9.0.2's C, nm_feed*.mod).

``advance`` (mechanism.py, point.py) runs BREAKPOINT again from the start-of-step states for ``feeds``. Where
such a value comes from v, an ion's value (cai, eca ...) or a POINTER (``stale``), that run needs
the step's start: the engine hands it in ``drive["start"]`` (its V at the sites and the mechanism
with the ions and POINTERs as they were: engine/stepping.advance_states); an engine path that does
not (the tree kernels, which run no ion pools, events or POINTERs, so the fields are the start's)
takes the V the last ``advance`` (or INITIAL) left, kept in the state ``V_CUR`` (mV).

What is refused, with its line (``problems``): such a value in a mechanism without currents (no
``nrn_cur``: NEURON runs its BREAKPOINT after the SOLVE, which reads the previous step's value,
INITIAL's at the first; in a point process any such value, a constant too), a GLOBAL one (NEURON:
one value for all instances, the last instance's ``nrn_cur``; a PARAMETER RANGE does not name is
one), one BREAKPOINT may read before it sets it or may leave unset (an if without else, a read of
itself, a TABLE that does not list it: NEURON's value is what an earlier run left, the second run
of ``nrn_cur`` starting from the first's). A point process otherwise runs them as a density
mechanism does (point.py's ``advance``; nocmodl 9.0.2's C for a POINT_PROCESS is the same: nrn_cur at
v + 0.001 and v, nrn_state reading what it left, checked with pt_feed*.mod), also on the event path
(net_send, WATCH, t: artificial.py's ``advance``, where nrn_cur's run sees the states after the
step's events and t at the step's middle, pt_feedev.mod); ARTIFICIAL_CELLs never run their SOLVE
(unsupported.py).
"""

from __future__ import annotations

import re

from excitable.io.nmodl import concentrations
from excitable.io.nmodl.describe import SPECIAL, Description, state_writes
from excitable.io.nmodl.parameter_writes import names_read

#: The state holding the V (mV) NEURON's nrn_cur runs the next step's BREAKPOINT at, where the
#: engine gives none (see the module docstring).
V_CUR = "v_nrn_cur"


def _mentions(desc: Description, block, seen=None) -> str:
    """The NMODL text of ``block`` and of every FUNCTION/PROCEDURE it calls, transitively."""
    from excitable.io.nmodl.parse import dsl

    seen = set() if seen is None else seen
    text = dsl().to_nmodl(block)
    for name in set(re.findall(r"\b(\w+)\s*\(", text)):
        sub = desc.functions.get(name) or desc.procedures.get(name)
        if sub is not None and name not in seen:
            seen.add(name)
            text += "\n" + _mentions(desc, sub, seen)
    return text


def solved_text(desc: Description, solves=None) -> str:
    """The NMODL text of the blocks BREAKPOINT SOLVEs (or of ``solves``) and of what they call."""
    blocks = {**desc.procedures, **desc.linears, **desc.nonlinears, **desc.derivatives}
    return "\n".join(_mentions(desc, blocks[b]) for b, _ in (desc.solves if solves is None else solves) if b in blocks)


def feeds(desc: Description, breakpoint_text: str, solve_text: str) -> tuple[str, ...]:
    """Variables BREAKPOINT sets that the SOLVE'd blocks read (capmpr.mod's ``ica`` and
    ``ipump_last``): NEURON's ``nrn_state`` sees the values its ``nrn_cur`` left, from the states at
    the start of the step; ``advance`` recomputes them so (reads of ion currents excluded: those
    are the compartment's totals)."""
    set_bp = set(re.findall(r"\b([A-Za-z_]\w*)\s*=(?!=)", breakpoint_text))
    reads = set(concentrations.current_reads(desc))
    mechanism_level = (set(desc.assigned) | set(desc.currents) | set(desc.parameters)) - SPECIAL  # not locals
    fed = {x for x in set_bp & names_read(solve_text) & mechanism_level if x not in reads and x not in desc.states}
    return tuple(sorted(fed | set(state_writes(desc) if desc.currents else ())))  # nrn_cur's STATE writes stay too


def seeds(desc: Description, pointer_names=()) -> list[str]:
    """What differs between the step's start and its end: v, the ion values read (not currents),
    the POINTERs (V elsewhere)."""
    ions = [x for ion in desc.ions for x in dict.fromkeys(ion.read + ion.write) if ion.kind(x) != "current"]
    return ["v"] + ions + list(pointer_names)


def unset_first(desc: Description, solves=None) -> tuple[str, ...]:
    """``feeds`` (outside BREAKPOINT's STATE writes) that the SOLVE'd blocks (or ``solves``) read
    before they set them."""
    if desc.breakpoint is None:
        return ()
    solves = desc.solves if solves is None else solves
    fed = feeds(desc, _mentions(desc, desc.breakpoint), solved_text(desc, solves))
    return tuple(x for x in fed if x not in desc.states and not _solve_sets_first(desc, x, solves))


def stale(desc: Description, pointer_names=()) -> tuple[str, ...]:
    """``unset_first`` values BREAKPOINT computes from v, an ion's value or a POINTER: they need the
    step's start in ``advance`` (module docstring)."""
    first = unset_first(desc)
    sources = _sources(desc, desc.breakpoint, seeds(desc, pointer_names)) if first else {}
    return tuple(x for x in first if sources.get(x))


def origin(desc: Description, names, pointer_names=()) -> str:
    """The seeds ``names`` come from, for a message ("v, cai")."""
    found = _sources(desc, desc.breakpoint, seeds(desc, pointer_names))
    return ", ".join(s for s in seeds(desc, pointer_names) if any(s in found.get(x, ()) for x in names))


def problems(desc: Description, lines: list[str], pointer_names=()) -> list[tuple[int, str]]:
    """(line, construct) of the values BREAKPOINT feeds the SOLVE'd blocks that are not run as
    NEURON runs them (module docstring); the line is BREAKPOINT's."""
    if desc.breakpoint is None:
        return []
    line = next((i + 1 for i, ln in enumerate(lines) if re.search(r"\bBREAKPOINT\b", ln)), 0)
    if desc.point:
        found = _point_problems(desc, line)
        if found is not None:
            return found
    found = []
    late = stale(desc, pointer_names)
    if late and not desc.currents:  # no nrn_cur: NEURON runs BREAKPOINT's rest in nrn_state, after the SOLVE
        return [(line, f"BREAKPOINT setting {', '.join(late)} from {origin(desc, late, pointer_names)} for the "
                        f"SOLVE'd block of a mechanism without currents (NEURON runs that BREAKPOINT after the "
                        f"SOLVE: the SOLVE reads the previous step's value, INITIAL's at the first)")]
    # the same without currents for a value of PARAMETERs alone: NEURON's first SOLVE reads what INITIAL
    # left (0 where it sets nothing: a time constant of 0 gives NaN there), the others BREAKPOINT's
    unset = [] if desc.currents else [x for x in unset_first(desc) if _sets_first(desc, desc.initial, x) is not True]
    if unset:
        return [(line, f"BREAKPOINT setting {', '.join(unset)} for the SOLVE'd block of a mechanism without currents, "
                        f"INITIAL not setting it (NEURON runs that BREAKPOINT after the SOLVE: the first step reads "
                        f"INITIAL's value, 0; set it in INITIAL too)")]
    # NEURON's GLOBALs: those declared so and the PARAMETERs RANGE does not name
    shared = [x for x in late if x in desc.globals_ or (x in desc.parameters and x not in desc.ranges)]
    if shared:
        found.append((line, f"GLOBAL {', '.join(shared)} set in BREAKPOINT from {origin(desc, shared, pointer_names)} "
                            f"for the SOLVE'd block (NEURON: one value for all instances, the last one's; declare it RANGE)"))
    reread = [x for x in late if x not in shared and _sets_first(desc, desc.breakpoint, x) is not True]
    if reread:  # NEURON's nrn_cur runs BREAKPOINT twice a step, the second run from the first's value
        found.append((line, f"BREAKPOINT setting {', '.join(reread)} from {origin(desc, reread, pointer_names)} for "
                            f"the SOLVE'd block after a read of it or not on every path (NEURON's value is then "
                            f"what an earlier run of BREAKPOINT left)"))
    return found


def _point_problems(desc: Description, line: int) -> list[tuple[int, str]] | None:
    """A point process's refusals that differ from a density mechanism's, or None where it is
    checked as one (point.py's jump class runs its values as ``advance`` does: module docstring)."""
    # an after_cvode PROCEDURE (svclmp's icur) sets only what is recorded, no state
    first = unset_first(desc, [(b, m) for b, m in desc.solves if m != "after_cvode"])
    # a PARAMETER BREAKPOINT reads before it sets it has its own message (parameter_writes.problems)
    first = [x for x in first if x not in desc.parameters or _sets_first(desc, desc.breakpoint, x) is True]
    if not first:
        return []
    names = ", ".join(first)
    if not desc.currents:  # constants too: the first step's SOLVE reads INITIAL's value (0 where unset)
        return [(line, f"BREAKPOINT setting {names} for the SOLVE'd block of a point process without currents "
                       f"(NEURON runs that BREAKPOINT after the SOLVE: the SOLVE reads the previous step's "
                       f"value, INITIAL's at the first)")]
    return None


def start(chan, v, s, drive):
    """(V, mechanism) as NEURON's ``nrn_cur`` had them at the step's start: the engine's
    ``drive["start"]``, else the V kept in ``V_CUR`` and the mechanism as given (module docstring)."""
    if "start" in drive:
        return drive["start"]
    return s[V_CUR], chan


def _statements(node) -> list:
    block = getattr(node, "statement_block", None)
    return list(block.statements) if block is not None else []


_ASSIGNED = re.compile(r"\b([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*=(?!=)")


def _sources(desc: Description, block, seeds) -> dict[str, set[str]]:
    """name -> the ``seeds`` (v, ion values) ``block`` (BREAKPOINT) sets it from: a statement that
    mentions a seed, or a name so set, directly or in what it calls (an if, a loop, a PROCEDURE
    whole), passes them to every name it assigns, to a fixed point over the statements in any
    order. Conservative: a PROCEDURE's argument named v counts whatever the call passes."""
    texts = [_mentions(desc, st) for st in _statements(block)]
    found: dict[str, set[str]] = {s: {s} for s in seeds}
    grew = True
    while grew:
        grew = False
        for text in texts:
            names = set(re.findall(r"\b([A-Za-z_]\w*)\b", text))
            came = set().union(*(found[n] for n in names if n in found))
            for name in set(_ASSIGNED.findall(text)) if came else ():
                if not came <= found.setdefault(name, set()):
                    found[name] |= came
                    grew = True
    return found


def _solve_sets_first(desc: Description, var: str, solves) -> bool:
    """Whether the SOLVE'd blocks (``solves``), run in BREAKPOINT's order, set ``var`` before any read of it."""
    blocks = {**desc.procedures, **desc.linears, **desc.nonlinears, **desc.derivatives}
    for name, _ in solves:
        found = _sets_first(desc, blocks[name], var) if name in blocks else None
        if found is not None:
            return found
    return False


def _sets_first(desc: Description, node, var: str) -> bool | None:
    """True where the top-level statements of ``node`` set ``var`` (``var = ...`` whose right side,
    with what it calls, does not mention it, or a call of a PROCEDURE that does so; a TABLE that
    lists it is passed over, an if/else whose every branch sets it first) before any other mention;
    False where a mention comes first (a read, an if or loop that may not set it, a TABLE that does
    not list it: its lookup skips the body); None where none mentions it."""
    from excitable.io.nmodl.parse import dsl

    word = re.compile(rf"\b{re.escape(var)}\b")
    for st in _statements(node):
        text = dsl().to_nmodl(st).strip()
        if st.is_table_statement():  # NEURON's lookup sets the names it lists (usetable 1), else the body runs
            listed = re.match(r"TABLE\s+(.*?)\s+(?:DEPEND|FROM)\b", text, re.S)
            if listed and var in re.split(r"\s*,\s*", listed.group(1)):
                continue
            return False
        whole = _mentions(desc, st)
        if not word.search(whole):
            continue
        if re.match(rf"{re.escape(var)}\s*=(?!=)", text):
            return not word.search(whole.split("=", 1)[1])
        if st.is_if_statement():  # kcasimple.mod: if (cai > 0) { oinf = ... } else { oinf = 0 }
            return _every_branch_sets_first(desc, st, var)
        call = re.fullmatch(r"(\w+)\s*\((.*)\)", text, re.S)
        proc = desc.procedures.get(call.group(1)) if call else None
        if proc is None or word.search(call.group(2)) or var in [a.get_node_name() for a in proc.parameters]:
            return False
        return bool(_sets_first(desc, proc, var))
    return None


def _every_branch_sets_first(desc: Description, st, var: str) -> bool:
    """Whether an if/else if/else sets ``var`` first on every path: its conditions do not mention
    it, it has an ELSE, and every branch sets it before any read."""
    word = re.compile(rf"\b{re.escape(var)}\b")
    if st.elses is None or any(word.search(_mentions(desc, c)) for c in [st.condition, *(e.condition for e in st.elseifs)]):
        return False
    return all(_sets_first(desc, b, var) is True for b in [st, *st.elseifs, st.elses])
