"""What ``excitable mod check FILE.mod`` prints: per mechanism its name, parameters (units and
defaults), states, ions read and written, currents, SOLVE methods, and every construct excitable
does not run with its line. Nothing is compiled or run: the file is parsed and read as data.
"""

from __future__ import annotations

from excitable.errors import ModelError
from excitable.io.nmodl.artificial import is_artificial
from excitable.io.nmodl.describe import python_name
from excitable.io.nmodl.event_checks import event_lines
from excitable.io.nmodl.describe import SPECIAL, describe, ion_default
from excitable.io.nmodl.includes import located
from excitable.io.nmodl import (breakpoint_memory, function_tables, hoc_knobs, loop_bounds, nonlinear, parameter_writes,
                                 pointers, printf, random_draws)
from excitable.io.nmodl.linear import solved_in_initial
from excitable.io.nmodl.parse import parse_text, read_text, strip_comments
from excitable.io.nmodl.unsupported import find


def check_file(path) -> tuple[list[str], int]:
    """(report lines, number of unsupported constructs) for one .mod file."""
    p, text = read_text(path)
    mod = parse_text(p, text)
    desc = describe(mod)
    problems = find(mod, desc)
    kind = "artificial cell" if is_artificial(mod) else "point process" if desc.point else "density mechanism"
    lines = [f"{p}: {desc.suffix or '(no SUFFIX)'} ({kind})"]
    # v, celsius, dt, ... declared in PARAMETER are NEURON's own variables, not the mechanism's; a
    # unit "(1)" says dimensionless and is left out.
    # a parameter bounding a FROM loop is one number per run, the loop unrolled with it (loop_bounds.py)
    fixed = loop_bounds.bound_parameters(desc, mod)
    params = [f"{k} = {v:g}" + (f" {u.strip()}" if u.strip() not in ("", "1") else "")
              + (" (one value per run: it bounds a FROM loop)" if k in fixed else "") for k, (v, u) in desc.parameters.items()
              if k not in desc.ion_reads() and k not in SPECIAL and k not in pointers.declared(mod)]
    lines.append("  parameters: " + (", ".join(params) or "none"))
    lines.append("  states: " + (", ".join(desc.states) or "none"))
    for ion in desc.ions:
        reads = ", ".join(f"{r} (default {ion_default(ion.name, ion.kind(r)):g})"
                          if ion.kind(r) != "current" else r for r in ion.read)
        valence = f" (valence {ion.valence:g})" if ion.valence is not None else ""  # NEURON needs it for a new ion
        lines.append(f"  ion {ion.name}{valence}: reads {reads or 'nothing'}; writes {', '.join(ion.write) or 'nothing'}")
    if desc.nonspecific:
        lines.append("  nonspecific currents: " + ", ".join(desc.nonspecific))
    geometry = [g for g in ("diam", "area") if g in desc.assigned or g in desc.parameters]
    if geometry and not is_artificial(mod):  # a point process: those of the segment it is placed in
        lines.append("  reads the compartment's " + " and ".join(geometry) + " (per segment, as NEURON)")
    lines += event_lines(mod, desc)  # net_send, net_event, electrode currents (artificial.py)
    if mod.diffusion:  # LONGITUDINAL_DIFFUSION (longitudinal.py)
        lines.append("  longitudinal diffusion: " + ", ".join(dict.fromkeys(d.species for d in mod.diffusion))
                     + " along the cell, after every step's SOLVE (NEURON's stagger)")
    renamed = [f"{k} as {python_name(k)}" for k in desc.parameters if python_name(k) != k]
    if renamed:  # a Python keyword (IClamp's del): the field's name in excitable
        lines.append(f"  Python names: {', '.join(renamed)}")
    lines += pointers.check_lines(mod, desc)  # V read elsewhere (pointers.py)
    lines += printf.check_lines(mod, desc)  # NEURON's terminal output (printf.py)
    lines += random_draws.check_lines(strip_comments(mod.text))  # normrand ...; hoc's own PROCEDUREs
    lines += hoc_knobs.check_lines(mod, desc)  # ASSIGNED that only hoc sets (hoc_knobs.py)
    lines += _variable_functions(desc)  # RANGE r and FUNCTION r (ModelDB 112685 Golgi_hcn1.mod): NEURON 9 refuses
    # PARAMETERs blocks assign, those a BREAKPOINT with currents keeps (izhi2007b.mod's b) too
    kept = [p for p in breakpoint_memory.memory(mod, desc) if p in desc.parameters]
    lines += [] if is_artificial(mod) else parameter_writes.check_lines(mod, desc, kept)
    for decl in function_tables.declared(mod).values():  # values given after loading, as in NEURON
        lines.append(f"  function table {decl.signature()}: values given at load time (load_mod(..., tables="
                     f"{{'{decl.name}': ...}}) or --set tables=FILE.json), NEURON's table_{decl.name}_{desc.suffix}")
    how = {b: "(LINEAR: its equations solved at every step)" for b in desc.linears}
    how.update({b: "(NONLINEAR: its equations solved by Newton's method at every step)" for b in desc.nonlinears})
    how.update({b: "(a PROCEDURE NEURON calls once per step)" for b in desc.procedures})  # a DERIVATIVE: refused below
    solves = [f"{b} by {m}" if m else f"{b} {how.get(b, '(no METHOD)')}" for b, m in desc.solves] + [f"{b} to steady state" for b, _ in desc.initial_solves]
    if is_artificial(mod):  # NEURON calls no ARTIFICIAL_CELL's nrn_state (artificial.py)
        solves[:len(desc.solves)] = [f"{b} in BREAKPOINT (never run, as in NEURON: an artificial cell has no nrn_state)"
                                     for b, _ in desc.solves]
    solves += [f"{b} (LINEAR: its equations solved in INITIAL)" for b in solved_in_initial(desc)]
    solves += [f"{b} (NONLINEAR: its equations solved by Newton's method in INITIAL)" for b in nonlinear.solved_in_initial(desc)]
    lines.append("  solves: " + (", ".join(solves) or "nothing (no states advanced)"))
    if problems:
        lines += [f"  {located(p, line)}: {what} not supported" for line, what in problems]
    elif refusal := load_refusal(p):
        lines.append(f"  {refusal}")
        problems = [refusal]
    else:
        lines.append("  supported: yes (ex.load_mod runs it)")
    return lines, len(problems)


def _variable_functions(desc) -> list[str]:
    """One line per name that is both a variable (RANGE, GLOBAL, PARAMETER or ASSIGNED) and a
    FUNCTION (ModelDB 112685 Golgi_hcn1.mod's ``r``, 116835 GRC_NA.mod's ``alfa``, ``beta``,
    ``teta``): which of the two a call, a recording and a ``--set`` reach in excitable, and that
    NEURON 9's nocmodl refuses the file ("r used as both variable and function"), so ``mod compare``
    has no NEURON side for it."""
    out = []
    for name in desc.functions:
        kinds = [k for k, names in (("RANGE", desc.ranges), ("GLOBAL", desc.globals_), ("PARAMETER", desc.parameters),
                                    ("ASSIGNED", desc.assigned)) if name in names]
        if not kinds:
            continue
        if name in desc.parameters:
            value = f"a --set of {name} reaches the PARAMETER {name}, which no {name}(...) call reads"
        elif name in desc.assigned:
            value = (f"the ASSIGNED {name} is a value of its own: a recording of it reads what the blocks assign to it "
                     f"outside the FUNCTION (0 where none does), never what the FUNCTION returns")
        else:
            value = f"the {kinds[0]} {name} declares no value: a recording or --set of {name} is refused (there is none)"
        out.append(f"  {name}: {' and '.join(kinds)} and FUNCTION: each {name}(...) runs the FUNCTION; {value}. NEURON 9's "
                   f"nocmodl refuses the file (\"{name} used as both variable and function\"): mod compare has no NEURON "
                   f"side for it (a folder's other files are compared without it); rename one of the two to compare it")
    return out


def load_refusal(path) -> str | None:
    """What ``ex.load_mod(path)`` refuses beyond the rules ``unsupported.find`` reads from the text
    (met while the blocks are compiled and traced: a FROM loop whose bounds are known only in a run,
    an array read at a run-time index from elements not kept between blocks; ModelDB 113997
    ipulse3.mod's ``amp[pcount]``, once refused so, loads: runtime_index.py): the class is built by
    load_mod's own path (no NEURON, nothing run; the class is cached for a later load), and its
    one-line ModelError is the answer. None: it loads."""
    from excitable.io.nmodl.loader import load_file

    try:
        load_file(path)
    except ModelError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - what the compiler does not follow: one line, as loader._probe says it
        first = (str(exc).splitlines() or [""])[0][:200]
        return f"{path}: cannot be imported ({type(exc).__name__}: {first})"
    return None


def check_report(paths) -> tuple[str, int]:
    """(the report of every file, total unsupported constructs); unreadable files raise ModelError."""
    from excitable.io.nmodl.loader import mod_paths

    out, bad = [], 0
    for p in mod_paths(paths):
        lines, n = check_file(p)
        out += lines
        bad += n
    if not out:
        raise ModelError("mod check: no .mod files given")
    return "\n".join(out), bad
