"""Constructs excitable does not run, found before anything is generated: each is reported as
``file:line: <construct> not supported`` (a ModelError; ``excitable mod check`` lists them all), so
a mechanism is never run wrongly with a part silently dropped.

The search is by keyword in the file's code (comments blanked, ``parse.strip_comments``), backed by
the AST for what a keyword cannot show (ion variables written or read, array variables).
"""

from __future__ import annotations

import re

from excitable.errors import ModelError
from excitable.io.nmodl import (breakpoint_feeds, breakpoint_memory, double_run, events, for_netcons, function_tables,
                                longitudinal, null_pointers, parameter_writes, point, pointers, printf, random_draws,
                                shared_values, units)
from excitable.io.nmodl.artificial import is_artificial
from excitable.io.nmodl.block_bodies import matching as _block_lines  # lines of a block matching a pattern
from excitable.io.nmodl.block_bodies import top_level
from excitable.io.nmodl.concentrations import has_valence, reversal_problem, writable
from excitable.io.nmodl.describe import Description, rewritten_states, state_writes
from excitable.io.nmodl.includes import located
from excitable.io.nmodl.linear import problems as linear_problems
from excitable.io.nmodl.nonlinear import problems as nonlinear_problems
from excitable.io.nmodl.parse import ModFile, strip_comments
from excitable.io.nmodl.verbatim_forms import blank_strings, blank_verbatim, final_returns, ion_copies, return_guards

#: Block keywords and statements, with why each is refused.
KEYWORDS = {
    "VERBATIM": "VERBATIM (C code)",
    "BBCOREPOINTER": "BBCOREPOINTER",
    "EXTERNAL": "EXTERNAL",
    "DISCRETE": "DISCRETE block",
    "PARTIAL": "PARTIAL block",
    "LAG": "LAG",
    "SENS": "SENS",
    "WHILE": "WHILE loop",
    "CONSTRUCTOR": "CONSTRUCTOR",
    "DESTRUCTOR": "DESTRUCTOR",
    "MATCH": "MATCH",
}
#: What NEURON does with an AFTER SOLVE block, and the rewrite that runs: nrn_fixed_step_lastpart calls
#: it once per step after every mechanism's nrn_state, at the step's end t and new v, before records
#: and events; a PROCEDURE that BREAKPOINT SOLVEs runs in that mechanism's nrn_state, at the same t and
#: v (monx.mod's vmax/tvmax both ways beside NEURON: tests/io/nmodl/test_refusals.py).
AFTER_SOLVE = ("AFTER SOLVE block (NEURON runs it once per step after every mechanism's SOLVE, at the step's "
               "end t and new v; where it reads only v, t and its mechanism's own variables, the same as "
               "BREAKPOINT { SOLVE name } with PROCEDURE name() holding its statements, which runs)")
#: Keywords nocmodl takes in more than one spelling: a loop written `while (...) {` is a WHILE loop.
SPELLINGS = {"WHILE": r"\b(?:WHILE|while)\b"}
#: Functions of NEURON's C library a file may call that excitable does not run (state_discontinuity:
#: run in NET_RECEIVE, refused elsewhere by artificial.py).
CALLS = ("urand", "unirand", "set_seed", "erand",  # normrand, random_negexp ...: random_draws.py
         "nrn_random",
         "nrn_pointing", "hoc_", "fprintf", "nrn_ghk")  # printf: printf.py (not printed; refused with effects)
SOLVE_METHODS = ("cnexp", "derivimplicit", "euler", "sparse", "after_cvode")  # after_cvode: point.py


def find(mod: ModFile, desc: Description) -> list[tuple[int, str]]:
    """(line, construct) of everything in the file excitable would not run, in line order."""
    lines = strip_comments(mod.text)
    found: list[tuple[int, str]] = []
    reads = {x: ion.name for ion in desc.ions for x in ion.read if x not in ion.write}
    harmless = final_returns(lines) | include_only(lines) | empty_verbatim(lines)  # C forms: verbatim_forms.py
    harmless |= return_guards(lines) | ion_copies(lines, reads)
    harmless |= {n for a, b in random_draws.uncalled(lines).values() for n in range(a, b + 1)}  # hoc's only
    harmless |= null_pointers.read(mod, lines).harmless  # C testing a POINTER nothing sets (made NMODL by the loader)
    # Words in a printf's text or in C (VERBATIM, refused on its own line) are no NMODL construct
    code, words = blank_strings(lines), blank_verbatim(blank_strings(lines))
    for word, what in KEYWORDS.items():
        found += [(n, what) for n in _lines(words, SPELLINGS.get(word, rf"\b{word}\b")) if n not in harmless]
    for call in (c for c in CALLS if c not in desc.functions and c not in desc.procedures):  # netstim.mod's erand
        pattern = rf"\b{call}\w*\s*\(" if call.endswith("_") else rf"\b{call}\s*\("
        seeded = random_draws.seeded_lines(lines) if call == "set_seed" else set()  # INITIAL's: the run's seed
        found += [(n, f"{call}() (random numbers, events or C library calls)") for n in _lines(code, pattern)
                  if n not in harmless and n not in seeded]
    found += [p for p in random_draws.problems(lines) if p[0] not in harmless]
    found += null_pointers.problems(mod, lines)  # the C near those forms, with its line
    found += [p for p in _before_after(words) if p[0] not in harmless]
    for block, method in desc.solves:
        if block in desc.nonlinears:  # its METHOD is checked by nonlinear.problems
            continue
        if block in desc.linears:  # solved in nrn_state (linear.py); NEURON takes no METHOD there
            if method:
                found.append((_first(lines, rf"\bSOLVE\s+{block}\b"), f"SOLVE {block} METHOD {method} (a LINEAR block)"))
        elif method and method != "after_cvode" and block in desc.procedures:  # nacncoop.mod: nocmodl refuses it
            found.append((_first(lines, rf"\bSOLVE\s+{block}\b"), f"SOLVE {block} METHOD {method} of a PROCEDURE "
                          "(NEURON's nocmodl refuses it too: a METHOD needs a DERIVATIVE or KINETIC block; "
                          f"`SOLVE {block}` without METHOD runs the PROCEDURE once per step, as NEURON does)"))
        elif not method and block in desc.procedures:
            # SOLVE of a PROCEDURE: NEURON calls it once per step in nrn_state (procedure_solves.py)
            if list(desc.procedures[block].parameters):
                found.append((_first(lines, rf"\bSOLVE\s+{block}\b"), f"SOLVE {block} (a PROCEDURE with arguments)"))
        elif method not in SOLVE_METHODS:
            found.append((_first(lines, rf"\bSOLVE\s+{block}\b"), f"SOLVE {block} METHOD {method}" if method else
                          f"SOLVE {block} without a METHOD" + (" (NEURON's code then leaves its states unmoved: name one, e.g. METHOD cnexp)"
                                                               if block in desc.derivatives and block not in mod.linear else "")))
    found += _ion_problems(desc, lines)
    found += _global_states(desc, lines)
    found += _start_value_names(desc, lines)
    found += [((_block_lines(lines, "CONSTANT", rf"\b{re.escape(x)}\b") or [_first(lines, r"\bCONSTANT\b")])[0],
               f"{x} of USEION {ion.name} declared CONSTANT (NEURON's nocmodl refuses it too: the ion gives {x}; "
               "declare it ASSIGNED and set the ion's value where the cell is built)")
              for ion in desc.ions for x in ion.read + ion.write if x in desc.constants]  # Zang's cdp_smooth.mod
    found += _currents_from_solve(desc, lines)
    found += [p for p in printf.problems(mod, desc, lines)  # printf whose arguments call what assigns (printf.py),
              if p[0] not in harmless]  # not one in C that never runs (a dropped branch, a comment in C)
    found += pointers.problems(mod, desc, lines,  # POINTER: a V read, never written (pointers.py)
                               lambda: is_artificial(mod) or desc.point and events.has_events(mod, lines))
    found += point.problems(mod, desc)  # NET_RECEIVE, events, ARTIFICIAL_CELL, ELECTRODE_CURRENT (point.py)
    found += [p for p in for_netcons.problems(mod, desc, words, {n: b.name for b in top_level(lines) for n in b.lines},
                                              is_artificial(mod)) if p[0] not in harmless]  # what its masked update does not run
    if not (desc.point or is_artificial(mod)):  # a point file's WATCH: event_checks.problems (watch.py)
        found += [(n, "WATCH outside the NET_RECEIVE of a POINT_PROCESS")
                  for n in _lines(lines, r"\bWATCH\b")]
    found += _voltage_into_solve(mod, desc, lines)
    # what a second run of BREAKPOINT would change runs twice a step (double_run.names), but an ion's
    # concentration, and a point process's STATE without currents (no nrn_cur: NEURON runs such a
    # BREAKPOINT in nrn_state, after the SOLVE, which point.py and artificial.py do not)
    twice = double_run.names(mod, desc)
    found += [((_block_lines(lines, "BREAKPOINT", rf"\b{re.escape(x)}\s*=(?!=)") or [_first(lines, r"\bBREAKPOINT\b")])[0],
               f"BREAKPOINT assigning STATE {x} " + (
                   ("in a point process" + ("" if breakpoint_feeds.has_currents(desc, lines) else " without currents"))
                   if desc.point else "so that a second run changes it (NEURON's nrn_cur runs BREAKPOINT twice a step)"))
              for x in (state_writes(desc) if desc.point and not is_artificial(mod) else rewritten_states(desc))
              if x not in twice]
    found += breakpoint_memory.current_free_problems(mod, desc)  # a running max in a current-free BREAKPOINT
    found += longitudinal.problems(mod, desc)  # LONGITUDINAL_DIFFUSION without COMPARTMENT, of no STATE
    found += shared_values.problems(mod, desc)  # a file-level LOCAL or GLOBAL set per instance in INITIAL
    found += units.problems(mod, lines)  # a UNITS factor between units units.BASE does not know
    found += function_tables.problems(mod, desc.point or is_artificial(mod), lines)  # 3 arguments, point processes
    found += linear_problems(desc)  # counts, linearity (linear.py)
    found += nonlinear_problems(desc, lines)  # counts, METHODs
    found += [] if is_artificial(mod) else parameter_writes.problems(mod, desc)  # PARAMETERs the blocks assign
    for n in _block_lines(lines, "PARAMETER", r"\b[A-Za-z_]\w*\s*\[\s*\w+\s*\]"):
        found.append((n, "PARAMETER arrays"))
    return sorted(set(found))


def _voltage_into_solve(mod: ModFile, desc: Description, lines: list[str]) -> list[tuple[int, str]]:
    """A value BREAKPOINT computes that the SOLVE'd blocks read before they set it, where it is not
    run as NEURON runs it (NEURON's ``nrn_state`` sees what ``nrn_cur`` left, at the step's old V and
    ion values): without currents, GLOBAL, read by BREAKPOINT before it sets it
    (``breakpoint_feeds.problems``; the rest runs: tests/io/nmodl/test_breakpoint_feeds.py,
    test_point_feeds.py). An ARTIFICIAL_CELL's SOLVEs never run (artificial.py)."""
    if is_artificial(mod):
        return []
    # a point process's value BREAKPOINT keeps runs through nrn_cur's two runs (double_run.py)
    return breakpoint_feeds.problems(desc, lines, pointers.names(mod), double_run.names(mod, desc) if desc.point else ())


def _ion_problems(desc: Description, lines: list[str]) -> list[tuple[int, str]]:
    found = []
    for ion in desc.ions:
        line = _first(lines, rf"\bUSEION\s+{ion.name}\b")
        # Another ion's concentrations run with NEURON's defaults for a new ion (describe.ion_default)
        # and the file's VALENCE, which NEURON requires for an ion it does not know (concentrations.py),
        # or the one another file loaded together declares (valences.py: describe fills it in).
        conc = list(dict.fromkeys(r for r in ion.read + ion.write if ion.kind(r) in ("i", "o")))
        if not has_valence(ion) and conc:
            found.append((line, f"USEION {ion.name} with its concentrations {', '.join(conc)} and no VALENCE "
                                f"(NEURON needs the valence of an ion it does not know: give it here, or load this file "
                                f"together with one declaring `USEION {ion.name} ... VALENCE n`, in one folder or list, "
                                f"which makes it run with that valence)"))
            continue
        for var in ion.write:
            if ion.kind(var) == "e":  # Cutsuridis et al.'s ccanl.mod: eca = RT/2F log(cao/ca) in BREAKPOINT
                if why := reversal_problem(desc, ion, var):
                    found.append((line, f"WRITE {var} (a reversal potential written by {why})"))
            elif ion.kind(var) != "current" and not writable(desc, ion, var):
                found.append(_concentration_write(desc, lines, ion, var, line))
        for var in ion.read:
            if ion.kind(var) != "current" or any(writable(desc, ion, w) for w in ion.write):
                continue  # a pool's read of its ion's current: concentrations.py
            if desc.point or re.search(r"\bARTIFICIAL_CELL\b", "\n".join(lines)) or var in ion.write:
                found.append((line, f"READ {var} (an ion current read by a point process, or by a mechanism "
                                    f"that writes it and no {ion.name} concentration)"))
            else:
                found += _current_read_outside_solve(desc, lines, var)
    return found


def _concentration_write(desc: Description, lines: list[str], ion, var: str, useion: int) -> tuple[int, str]:
    """(line, why) for a written concentration excitable does not run (``concentrations.writable``),
    at the first line that assigns it (ModelDB 123453 Caint.mod's ``cai = ca`` in BREAKPOINT after
    the SOLVE), else at the USEION line: what is refused, where, and which forms run instead."""
    runs = (f"{'an outside' if ion.kind(var) == 'o' else 'an inside'} concentration is run only where it "
            f"is a STATE or the SOLVE'd DERIVATIVE or KINETIC block sets it, as a pool's")
    rx, solved = re.compile(rf"\b{re.escape(var)}\s*=(?!=)"), {b for b, _ in desc.solves}
    for b, n, body in ((b, n, body) for b in top_level(lines, _STATEMENT_BLOCKS) for n, body in b.body):
        block = " ".join(lines[b.header - 1].split("{", 1)[0].split("(", 1)[0].split()[:2])  # "PROCEDURE rates"
        if rx.search(body):
            inside = block.split()[-1] in solved and block.split()[0] != "BREAKPOINT"
            if inside and var not in desc.assigned:  # nocmodl declares it; writable() reads the declarations
                return n, (f"{var} written by the SOLVE'd block {block} but not declared (declare it in ASSIGNED, "
                           f"as a pool's {var} (mM))")
            where = ("BREAKPOINT outside the SOLVE'd block" if solved else "BREAKPOINT, which SOLVEs nothing") \
                if block == "BREAKPOINT" else f"the SOLVE'd {block}" if inside else f"{block}, not in the SOLVE'd block"
            return n, f"{var} written in {where} ({runs})"
    return useion, f"WRITE {var} that no block assigns ({runs})"


def _current_read_outside_solve(desc: Description, lines: list[str], var: str) -> list[tuple[int, str]]:
    """An ion current read (``READ ica``, no concentration written) in BREAKPOINT outside its SOLVE, or
    in INITIAL: NEURON's nrn_cur gives a partial sum (the mechanisms before this one), and INITIAL the
    ion's value left by the previous run (0 at the first finitialize; checked in NEURON 9.0.2). Only
    the SOLVE'd blocks see the compartment's total (concentrations.readable_current)."""
    from excitable.io.nmodl.mechanism import _mentions

    found, rx = [], rf"\b{re.escape(var)}\b"
    blocks = {"BREAKPOINT": [desc.breakpoint], "INITIAL": [desc.initial] + [desc.derivatives[b] for b, _ in desc.initial_solves
                                                                              if b in desc.derivatives]}
    why = {"BREAKPOINT": "NEURON gives BREAKPOINT the sum of the mechanisms before this one",
           "INITIAL": "NEURON gives INITIAL the current left by the previous run"}
    for name, nodes in blocks.items():
        if any(b is not None and re.search(rx, _mentions(desc, b)) for b in nodes):
            n = (_block_lines(lines, name, rx) or [_first(lines, rf"\b{name}\b")])[0]
            found.append((n, f"READ {var} in {name} ({why[name]}; the SOLVE'd block sees the total)"))
    return found


def include_only(lines: list[str]) -> set[int]:
    """Lines of top-level VERBATIM blocks that hold nothing but ``#include`` lines and C comments
    (published files add ``#include <stdlib.h>`` there to quiet a compiler warning): C declarations
    with no effect on what the mechanism computes."""
    out = set()
    for n in _lines(lines, r"\bVERBATIM\b"):
        end = next((k for k in range(n - 1, len(lines)) if re.search(r"\bENDVERBATIM\b", lines[k])), None)
        if end is None or end == n - 1 or sum(ln.count("{") - ln.count("}") for ln in lines[:n - 1]) != 0:
            continue
        body = re.sub(r"/\*.*?\*/", " ", "\n".join(lines[n:end]), flags=re.S)
        if all(not ln.strip() or re.fullmatch(r"\s*#\s*include\s*[<\"][\w./]+[>\"]\s*", ln) for ln in body.splitlines()):
            out.add(n)
    return out


def empty_verbatim(lines: list[str]) -> set[int]:
    """Lines of VERBATIM blocks, anywhere, holding nothing but white space and C comments (ModelDB
    3511 gapvdep.mod has one in its BREAKPOINT): no C runs (``return_guards.is_empty_verbatim`` skips
    them)."""
    out = set()
    for n in _lines(lines, r"\bVERBATIM\b"):
        end = next((k for k in range(n - 1, len(lines)) if re.search(r"\bENDVERBATIM\b", lines[k])), None)
        if end is None:
            continue
        body = "\n".join(lines[n - 1:end + 1])
        body = re.sub(r"\bVERBATIM\b|\bENDVERBATIM\b|/\*.*?\*/|//[^\n]*", " ", body, flags=re.S)
        if not body.strip():
            out.add(n)
    return out


#: the blocks whose statements run (a declaration block's "cai = 5e-5" is a default, not a write)
_STATEMENT_BLOCKS = "PROCEDURE|FUNCTION|BREAKPOINT|INITIAL|DERIVATIVE|KINETIC|NET_RECEIVE|LINEAR|NONLINEAR|DISCRETE|PARTIAL"


def _global_states(desc: Description, lines: list[str]) -> list[tuple[int, str]]:
    """A STATE also declared GLOBAL (Li & Cleland's cadecay.mod, ModelDB: ``GLOBAL cai``): nocmodl
    refuses the file ("cai is a STATE variable and hence cannot be declared as GLOBAL"), so there
    are no NEURON numbers to give; refused at the GLOBAL statement's line."""
    states = {x.split("[")[0] for x in desc.states}
    return [((_block_lines(lines, "NEURON", rf"\bGLOBAL\b[^;]*\b{re.escape(x)}\b") or [_first(lines, r"\bGLOBAL\b")])[0],
             f"a STATE declared GLOBAL ({x}: NEURON's nocmodl refuses it too; take it out of GLOBAL)")
            for x in desc.globals_ if x in states]


def _start_value_names(desc: Description, lines: list[str]) -> list[tuple[int, str]]:
    """``x0`` declared ASSIGNED or CONSTANT beside a STATE ``x``: nocmodl makes ``x0`` the state's
    starting PARAMETER and refuses the file ("x0 can't be declared a parameter by default",
    checked with nocmodl 9.0.2 for both), so there are no NEURON numbers to give; refused at the
    declaration's line."""
    out = []
    for x in dict.fromkeys(s.split("[")[0] for s in desc.states):
        name = f"{x}0"
        for block, declared in (("ASSIGNED", desc.assigned), ("CONSTANT", desc.constants)):
            if name in declared:
                at = _block_lines(lines, block, rf"\b{re.escape(name)}\b") or [_first(lines, rf"\b{block}\b")]
                out.append((at[0], f"{name} declared {block} beside STATE {x} (NEURON's nocmodl refuses it too: "
                                   f"{name} is {x}'s starting value, a PARAMETER; declare it there or rename it)"))
    return out


def _currents_from_solve(desc: Description, lines: list[str]) -> list[tuple[int, str]]:
    """A current (ion, NONSPECIFIC or ELECTRODE_CURRENT) that the SOLVE'd blocks set and BREAKPOINT
    does not set first (ModelDB 150240's SineWaveCurrent.mod sets its ``I`` in a SOLVE'd PROCEDURE):
    NEURON's nrn_cur then takes the value the previous step's SOLVE left, where excitable's currents
    come from BREAKPOINT alone (they would be 0: measured with `mod compare`, 1.0 of I's range off)."""
    if desc.breakpoint is None or not desc.solves:
        return []
    electrode = [n for n in _block_lines(lines, "NEURON", r"\bELECTRODE_CURRENT\b")
                 for n in re.findall(r"\bELECTRODE_CURRENT\s+(\w+(?:\s*,\s*\w+)*)", lines[n - 1])]  # not a RANGE after
    names = list(desc.currents) + [x.strip() for group in electrode for x in group.split(",") if x.strip()]
    solved = breakpoint_feeds.solved_text(desc)
    out = []
    for x in dict.fromkeys(names):
        if re.search(rf"\b{re.escape(x)}\s*=(?!=)", solved) and breakpoint_feeds._sets_first(desc, desc.breakpoint, x) is not True:
            outside = [n for n in _lines(lines, rf"\b{re.escape(x)}\s*=(?!=)")
                       if n not in _block_lines(lines, "BREAKPOINT", r".") and n not in _block_lines(lines, "INITIAL", r".")]
            out.append(((outside or [_first(lines, r"\bBREAKPOINT\b")])[0],
                        f"current {x} set by the SOLVE'd block, not by BREAKPOINT (NEURON's nrn_cur takes what the "
                        f"previous step's SOLVE left; set it in BREAKPOINT after the SOLVE)"))
    return out


def _before_after(lines: list[str]) -> list[tuple[int, str]]:
    """BEFORE/AFTER blocks named by their kind (``AFTER SOLVE block``), AFTER SOLVE with what NEURON
    does with it and the rewrite excitable runs."""
    out = []
    for n, line in enumerate(lines, 1):
        if m := re.search(r"\b(BEFORE|AFTER)\b\s*(\w*)", line):
            kind = f"{m.group(1)} {m.group(2)}".strip()
            out.append((n, AFTER_SOLVE if kind == "AFTER SOLVE" else f"{kind} block"))
    return out


def _lines(lines: list[str], pattern: str) -> list[int]:
    rx = re.compile(pattern)
    return [i + 1 for i, line in enumerate(lines) if rx.search(line)]


def _first(lines: list[str], pattern: str) -> int:
    hits = _lines(lines, pattern)
    return hits[0] if hits else 0


def refuse(path, problems: list[tuple[int, str]]) -> None:
    """ModelError for the first problem: 'file:line: construct not supported'."""
    if problems:
        line, what = problems[0]
        more = f" (and {len(problems) - 1} more: excitable mod check {path})" if len(problems) > 1 else ""
        raise ModelError(f"{located(path, line)}: {what} not supported{more}")
