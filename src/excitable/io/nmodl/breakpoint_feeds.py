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

A FUNCTION or PROCEDURE a statement calls, in an expression too, counts as its body run there
(its arguments and LOCALs hiding the mechanism's names): ModelDB 112685's Golgi_KV.mod sets
``tcorr`` in every rate FUNCTION before it reads it, so no value carries over and none is fed
(nm_tcorr*.mod); a value passes only the seeds its own computation reads (``tcorr`` from celsius is
not "from v" because ``alp_n(v)`` sets it).

What is refused, with its line (``problems``): such a value in a mechanism without currents (no
``nrn_cur``: NEURON runs its BREAKPOINT after the SOLVE, which reads the previous step's value,
INITIAL's at the first; in a point process any such value, a constant too; an ELECTRODE_CURRENT is
a current: nocmodl 9.0.2 generates nrn_cur for it, pt_ecur2.mod), a GLOBAL one (NEURON: one value
for all instances, the last instance's ``nrn_cur``; a PARAMETER RANGE does not name is one), one
BREAKPOINT may read before it sets it or may leave unset, from a seed or not (an if without else,
a read of itself, a TABLE that does not list it: NEURON's value is what an earlier run of
BREAKPOINT, the SOLVE or INITIAL left, the second run of ``nrn_cur`` starting from the first's; a
density mechanism's ``advance`` is not checked to feed it so), but in a point process, which carries
such a value through nrn_cur's two runs into its SOLVE (double_run.py; pt_ecur.mod's ``x``, ModelDB
118631's Isinunoisy.mod without its random numbers). A point process otherwise runs
them as a density mechanism does (point.py's ``advance``; nocmodl 9.0.2's C for a POINT_PROCESS is
the same: nrn_cur at v + 0.001 and v, nrn_state reading what it left, checked with pt_feed*.mod),
also on the event path (net_send, WATCH, t, ELECTRODE_CURRENT: artificial.py's ``advance``, where
nrn_cur's run sees the states after the step's events and t at the step's middle, pt_feedev.mod);
ARTIFICIAL_CELLs never run their SOLVE (unsupported.py).
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


def problems(desc: Description, lines: list[str], pointer_names=(), kept=()) -> list[tuple[int, str]]:
    """(line, construct) of the values BREAKPOINT feeds the SOLVE'd blocks that are not run as
    NEURON runs them (module docstring); the line is BREAKPOINT's. ``kept``: the values a point
    process carries through nrn_cur's two runs (``double_run.names``), whose read before a set runs."""
    if desc.breakpoint is None:
        return []
    line = next((i + 1 for i, ln in enumerate(lines) if re.search(r"\bBREAKPOINT\b", ln)), 0)
    currents = has_currents(desc, lines)
    if desc.point:
        found = _point_problems(desc, line, currents)
        if found is not None:
            return found
    found = []
    late = stale(desc, pointer_names)
    if late and not currents:  # no nrn_cur: NEURON runs BREAKPOINT's rest in nrn_state, after the SOLVE
        return [(line, f"BREAKPOINT setting {', '.join(late)} from {origin(desc, late, pointer_names)} for the "
                        f"SOLVE'd block of a mechanism without currents (NEURON runs that BREAKPOINT after the "
                        f"SOLVE: the SOLVE reads the previous step's value, INITIAL's at the first)")]
    # the same without currents for a value of PARAMETERs alone: NEURON's first SOLVE reads what INITIAL
    # left (0 where it sets nothing: a time constant of 0 gives NaN there), the others BREAKPOINT's
    unset = [] if currents else [x for x in unset_first(desc) if _sets_first(desc, desc.initial, x) is not True]
    if unset:
        return [(line, f"BREAKPOINT setting {', '.join(unset)} for the SOLVE'd block of a mechanism without currents, "
                        f"INITIAL not setting it (NEURON runs that BREAKPOINT after the SOLVE: the first step reads "
                        f"INITIAL's value, 0; set it in INITIAL too)")]
    # NEURON's GLOBALs: those declared so and the PARAMETERs RANGE does not name
    shared = [x for x in late if x in desc.globals_ or (x in desc.parameters and x not in desc.ranges)]
    if shared:
        found.append((line, f"GLOBAL {', '.join(shared)} set in BREAKPOINT from {origin(desc, shared, pointer_names)} "
                            f"for the SOLVE'd block (NEURON: one value for all instances, the last one's; declare it RANGE)"))
    # NEURON's nrn_cur runs BREAKPOINT twice a step, the second run from the first's value; where a path
    # leaves it unset, the SOLVE reads what the SOLVE or INITIAL left (pt_ecur.mod's x): a point process
    # carries it through both runs into the SOLVE (``kept``: double_run.py, checked beside NEURON); a
    # density mechanism's is still refused here. A PARAMETER of no seed: parameter_writes' rules.
    own = [x for x in _first(desc) if x not in late and x not in desc.parameters]
    reread = [x for x in [*late, *own] if x not in shared and x not in kept
              and _sets_first(desc, desc.breakpoint, x) is not True]
    if reread:
        whence = origin(desc, reread, pointer_names)
        found.append((line, f"BREAKPOINT setting {', '.join(reread)}{' from ' + whence if whence else ''} for "
                            f"the SOLVE'd block after a read of it or not on every path (NEURON's value is then "
                            f"what an earlier run of BREAKPOINT, the SOLVE or INITIAL left)"))
    return found


def _first(desc: Description) -> tuple[str, ...]:
    """``unset_first`` for the SOLVEs NEURON's nrn_state runs (an after_cvode PROCEDURE, svclmp's
    icur, sets only what is recorded, no state)."""
    return unset_first(desc, [(b, m) for b, m in desc.solves if m != "after_cvode"])


def has_currents(desc: Description, lines: list[str]) -> bool:
    """Whether NEURON generates ``nrn_cur`` for the file: it writes an ion or NONSPECIFIC current or
    has an ELECTRODE_CURRENT (nocmodl 9.0.2's C for pt_ecur.mod: nrn_cur runs BREAKPOINT at v +
    0.001 and v before nrn_state's SOLVE, as for any other current). ``lines``: the file's, comments
    stripped."""
    return bool(desc.currents) or any(re.search(r"\bELECTRODE_CURRENT\b", ln) for ln in lines)


def _point_problems(desc: Description, line: int, currents: bool) -> list[tuple[int, str]] | None:
    """A point process's refusals that differ from a density mechanism's, or None where it is
    checked as one (point.py's jump class and artificial.py's event class run its values as
    ``advance`` does: module docstring); ``currents``: ``has_currents``."""
    first = _first(desc)
    # a PARAMETER BREAKPOINT reads before it sets it has its own message (parameter_writes.problems)
    first = [x for x in first if x not in desc.parameters or _sets_first(desc, desc.breakpoint, x) is True]
    if not first:
        return []
    names = ", ".join(first)
    if not currents:  # constants too: the first step's SOLVE reads INITIAL's value (0 where unset)
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
_NAME = re.compile(r"\b[A-Za-z_]\w*\b")
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")


def _sources(desc: Description, block, seeds) -> dict[str, set[str]]:
    """name -> the ``seeds`` (v, ion values) ``block`` (BREAKPOINT) sets it from, to a fixed point
    over its statements in any order: a statement passes the seeds of every name it mentions
    (conditions and loops whole) to every name it assigns. A FUNCTION/PROCEDURE it calls is followed
    into its body (``_call_sources``): its value and what it assigns carry what its body computes
    them from, so Golgi_KV.mod's ``alpha_n = alp_n(v)`` passes v to alpha_n but not to ``tcorr =
    Q10^((celsius - 6.3)/10)`` inside alp_n (ModelDB 112685). Conservative: a call's arguments
    each carry all the statement mentions."""
    found: dict[str, set[str]] = {s: {s} for s in seeds}
    _flow(desc, _statements(block), found, ())
    return found


def _flow(desc: Description, statements, found: dict[str, set[str]], stack: tuple[str, ...]) -> None:
    """Grow ``found`` over ``statements`` to a fixed point (``_sources``); ``stack``: the calls
    being followed (a recursive one is taken whole, as its text)."""
    from excitable.io.nmodl.parse import dsl

    texts = [dsl().to_nmodl(st) for st in statements]
    grew = True
    while grew:
        grew = False
        for text in texts:
            came = set().union(*(found[n] for n in _NAME.findall(text) if n in found))
            assigned = set(_ASSIGNED.findall(text))
            for name in dict.fromkeys(_CALL.findall(text)):
                sub = desc.functions.get(name) or desc.procedures.get(name)
                if sub is None:
                    continue
                if name in stack:  # recursion: whatever its text mentions, to whatever it assigns
                    whole = _mentions(desc, sub)
                    came |= set().union(*(found[n] for n in _NAME.findall(whole) if n in found))
                    assigned |= set(_ASSIGNED.findall(whole))
                    continue
                value, sets = _call_sources(desc, sub, name, came, found, stack)
                came |= value
                # under an if or a loop, what the call assigns hangs on its conditions too
                context = came if "{" in text else set()
                for x, srcs in sets.items():
                    if not srcs | context <= found.setdefault(x, set()):
                        found[x] |= srcs | context
                        grew = True
            for name in assigned if came else ():
                if not came <= found.setdefault(name, set()):
                    found[name] |= came
                    grew = True


def _call_sources(desc: Description, sub, name: str, came: set[str], found, stack) -> tuple[set[str], dict]:
    """(the seeds a call of FUNCTION/PROCEDURE ``sub`` returns its value from, name -> the seeds of
    what it assigns outside its arguments and LOCALs): its body from ``found``, each argument
    carrying ``came``."""
    params = [p.get_node_name() for p in sub.parameters]
    own = set(params) | set(_locals(sub))
    inner = {k: set(v) for k, v in found.items() if k not in own}
    inner.update({p: set(came) for p in params})
    _flow(desc, _statements(sub), inner, stack + (name,))
    return inner.get(name, set()), {k: v for k, v in inner.items() if k not in own and k != name and v}


def _locals(node) -> set[str]:
    """The LOCAL names a block declares (at its top level): they hide the mechanism's."""
    from excitable.io.nmodl.parse import dsl

    return {n for st in _statements(node) if st.is_local_list_statement()
            for n in _NAME.findall(dsl().to_nmodl(st))[1:]}


def _solve_sets_first(desc: Description, var: str, solves) -> bool:
    """Whether the SOLVE'd blocks (``solves``), run in BREAKPOINT's order, read no value of ``var``
    they did not set first (a set before any read, or no read at all: a TABLE'd rate PROCEDURE whose
    FUNCTIONs set it before they read it, Golgi_KV.mod's ``tcorr``)."""
    blocks = {**desc.procedures, **desc.linears, **desc.nonlinears, **desc.derivatives}
    for name, _ in solves:
        if name not in blocks:  # not followed here (its text is not in ``solved_text`` either)
            continue
        found = _sets_first(desc, blocks[name], var)
        if found is not None:
            return found
    return True


def _sets_first(desc: Description, node, var: str, hidden: bool = False, stack: tuple[str, ...] = ()) -> bool | None:
    """True where the top-level statements of ``node`` set ``var`` on every path before any read of
    it; False where a read may come first (an if or loop on it, a call with it as an argument, a
    statement that reads it, a TABLE that does not list it before a body that reads it); None where
    none reads it first but it may stay unset (no mention; an if without else; a TABLE that does not
    list it: its lookup skips the body). A FUNCTION or PROCEDURE called anywhere in a statement
    (``alpha_n = alp_n(v)``) counts as its body run there, where its arguments and LOCALs hide
    mechanism names (``hidden``: ``var`` is one of this block's own, so only what it calls counts).
    Conservative: two calls in one statement, one setting ``var`` and one reading it, count as a read."""
    return _scan(desc, _statements(node), var, hidden or var in _locals(node), stack)


def _scan(desc: Description, statements: list, var: str, hidden: bool, stack) -> bool | None:
    """``_sets_first`` over a list of statements."""
    from excitable.io.nmodl.parse import dsl

    word = re.compile(rf"\b{re.escape(var)}\b")
    for k, st in enumerate(statements):
        text = dsl().to_nmodl(st).strip()
        if st.is_table_statement():  # NEURON's lookup sets the names it lists (usetable 1), else the body runs
            listed = re.match(r"TABLE\s+(.*?)\s+(?:DEPEND|FROM)\b", text, re.S)
            if not hidden and listed and var in re.split(r"\s*,\s*", listed.group(1)):
                continue
            return False if _scan(desc, statements[k + 1:], var, hidden, stack) is False else None
        if not word.search(_mentions(desc, st)):
            continue
        own = not hidden and word.search(text)
        if st.is_if_statement():  # kcasimple.mod: if (cai > 0) { oinf = ... } else { oinf = 0 }
            found = _branches(desc, st, var, hidden, stack)
        elif own and re.match(rf"{re.escape(var)}\s*=(?!=)", text):
            right = text.split("=", 1)[1]
            return not word.search(right) and _calls_set_first(desc, right, var, stack) is not False
        elif own:
            return False
        else:
            found = _calls_set_first(desc, text, var, stack)
            if found and (st.is_from_statement() or st.is_while_statement()):  # a loop may run no time
                found = None
        if found is not None:
            return found
    return None


def _calls_set_first(desc: Description, text: str, var: str, stack) -> bool | None:
    """``_sets_first`` of the FUNCTIONs and PROCEDUREs ``text`` calls, whose arguments do not mention
    ``var``: False where one may read it first (or one is recursive), True where one sets it,
    else None."""
    results = []
    for name in dict.fromkeys(_CALL.findall(text)):
        sub = desc.functions.get(name) or desc.procedures.get(name)
        if sub is None or not re.search(rf"\b{re.escape(var)}\b", _mentions(desc, sub)):
            continue
        if name in stack:
            return False
        own = var in [p.get_node_name() for p in sub.parameters]
        results.append(_sets_first(desc, sub, var, own, stack + (name,)))
    return False if False in results else True if True in results else None


def _branches(desc: Description, st, var: str, hidden: bool, stack) -> bool | None:
    """``_sets_first`` of an if / else if / else: False where a condition mentions ``var`` or a
    branch may read it first, True where it has an ELSE and every branch sets it first, else None."""
    from excitable.io.nmodl.parse import dsl

    word = re.compile(rf"\b{re.escape(var)}\b")
    for c in [st.condition, *(e.condition for e in st.elseifs)]:
        text = dsl().to_nmodl(c)
        if (not hidden and word.search(text)) or _calls_set_first(desc, text, var, stack) is not None:
            return False
    found = [_sets_first(desc, b, var, hidden, stack) for b in [st, *st.elseifs, *([st.elses] if st.elses else [])]]
    if False in found:
        return False
    return True if st.elses is not None and all(f is True for f in found) else None
