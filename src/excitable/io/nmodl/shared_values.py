"""Variables NEURON keeps once for all instances of a mechanism, set in INITIAL from values of each
instance and read later: refused with their line, never run with one value per compartment.

A file-level LOCAL (``LOCAL volin`` outside any block) is a static variable of nocmodl's C, and an
ASSIGNED variable declared GLOBAL one value of the mechanism: every instance's INITIAL assigns it in
turn (and every instance's SOLVE: a ``GLOBAL minf`` set by ``rates(v)`` there and read by
BREAKPOINT is, at the next step's currents, the last instance's; refused where an instance's
values go into it, run where every instance writes the same number, as Mainen's ``tadj`` from
q10, temp and celsius: ``uniform_values``), so what BREAKPOINT, the SOLVE'd blocks or a LONGITUDINAL_DIFFUSION rate read afterwards is
the last instance's value, the same in every compartment (ModelDB's internal_ions.mod: ``volin =
PI*diam*diam/4`` in INITIAL, read as every compartment's COMPARTMENT volume; found by a sweep
beside NEURON, 3.8 of cai's range off on a soma and dendrite). excitable keeps such a variable per
instance (``parameter_writes.kept``): the same numbers where INITIAL gives every instance one value
(from constants, GLOBAL parameters, celsius: the NEURON Book's cadifus.mod's ``frat[i]``,
cabpump.mod's GLOBAL ``vol[i]``), and on a single compartment; not where it comes from the instance
(diam, area, v, states, RANGE parameters, ion variables, FUNCTIONs that read any of these), nor
from a FUNCTION's or PROCEDURE's argument that a call in INITIAL's run passes such a value (``mh(v)``
setting ``GLOBAL minf``; ``mh(celsius)``, ``mh(-65)``, a FUNCTION of GLOBAL PARAMETERs give every
instance one value: ``bound_arguments``). Such a file is refused with
the assignment's line and the fix NEURON's own documentation gives: declare it RANGE (an ASSIGNED
RANGE variable is kept per instance in NEURON too). The same rule as for GLOBAL PARAMETERs
(``parameter_writes``).
"""

from __future__ import annotations

import re

from excitable.errors import ModelError
from excitable.io.nmodl import flow
from excitable.io.nmodl.bound_arguments import around as _conditions_around, names as _names, shown, untainted_locals
from excitable.io.nmodl.parameter_writes import Writes, _first_problem
from excitable.io.nmodl.uniform_values import MATH, Uniform, base_names
from excitable.io.nmodl.units import factors

_NAME = re.compile(r"\b([A-Za-z_]\w*)\b")


def file_locals(text_lines: list[str]) -> set[str]:
    """The names a file declares LOCAL outside every block (arrays by their base name)."""
    out, depth = set(), 0
    for line in text_lines:
        if depth == 0 and (m := re.match(r"\s*LOCAL\b(.*)", line)):
            out |= {n for n in _NAME.findall(re.sub(r"\[[^\]]*\]", "", m.group(1)))}
        depth = max(0, depth + line.count("{") - line.count("}"))
    return out


def problems(mod, desc) -> list[tuple[int, str]]:
    """(line, construct) of each shared variable that INITIAL sets from values of each instance and
    a later block reads (module docstring)."""
    if not desc.suffix:
        return []
    w = Writes(desc, mod.text)
    shared = file_locals(w.lines) | {g for g in desc.globals_ if g in {a.split("[")[0] for a in desc.assigned}}
    if not shared:
        return []  # nothing kept once for all instances
    loops = set(re.findall(r"\bFROM\s+(\w+)\s*=", "\n".join(w.lines)))
    defines = set(re.findall(r"(?m)^\s*DEFINE\s+(\w+)", "\n".join(w.lines)))
    # t and dt: finitialize runs every instance's INITIAL at the same t and dt
    common = ({p for p in desc.parameters if p not in desc.ranges} | set(desc.constants) | MATH
              | {"celsius", "PI", "t", "dt"} | shared | loops | defines)
    common |= _factor_names(mod)  # UNITS factors (FARADAY, R): constants
    # a FUNCTION of shared values only (tadj_ca_l() of q10, celsius, temp) is one number for all
    uniform = Uniform(w.lines, base_names(desc, loops | defines | _factor_names(mod)), shared)
    common |= uniform.shared_functions()
    parsed = uniform.blocks
    arguments = {key: b.args for key, b in parsed.items() if b.args}
    around = _conditions_around(parsed, w.flat["INITIAL"])
    untainted, given = untainted_locals(w.flat["INITIAL"], common, arguments, around)
    common |= untainted  # a block's LOCAL (or argument) from shared values only
    # a shared variable INITIAL sets from values of each instance holds, when read in INITIAL right
    # after, that instance's value: an if on it (`if (flag)`) picks per instance as an if on v does
    common -= _varying(w.flat["INITIAL"], shared, common, around)
    diffused = {n for d in getattr(mod, "diffusion", ()) for n in _NAME.findall(d.text)}
    # an if in INITIAL on values of each instance makes an assignment under it one of them (not an if on
    # a shared flag: cadifus.mod's `if (factors_done == 0) { coord() }` gives every instance the same):
    # the ifs around the assignment and around the calls that run it (``bound_arguments.around``), not
    # another FUNCTION's (sKCa.mod's llog(x) guard); every if of INITIAL's text where the line is not found there
    tested = sorted({n for _, code, _ in w.flat["INITIAL"] for c in re.findall(r"\bif\s*\((.*)\)", code)
                     for n in _NAME.findall(c)} - common)
    locals_ = file_locals(w.lines)
    solved = [desc.derivatives.get(b) or desc.procedures.get(b) for b, _ in desc.solves]
    found = []
    for name in sorted(shared):
        kind = "file-level LOCAL" if name in locals_ else "GLOBAL"
        assignment = re.compile(rf"(?<![\w.']){re.escape(name)}\s*(\[[^\]]*\])?\s*=(?!=)([^{{}};]*)")
        in_solve = next((line for line, code, _ in w.flat["SOLVE"] if assignment.search(code)), 0)
        # a GLOBAL minf from rates(v) in the SOLVE
        if in_solve and _read_first(w.flat["BREAKPOINT"], name, desc, [desc.breakpoint]):
            # NEURON's nrn_cur reads the last instance's value: each instance's own where every assignment
            # of it gives all the same (Mainen's tadj from q10, temp, celsius), refused where one may not
            if problem := uniform.assignment_problem(name):
                line, names, how = problem
                why = "from" if how == "from" else "under an if on"
                found.append((line, f"{kind} {name} assigned in the SOLVE'd block and read in BREAKPOINT before "
                                    f"BREAKPOINT assigns it, {why} {', '.join(names)}, values of each instance "
                                    f"(NEURON: the last instance's value, for all; declare it RANGE)"))
            continue
        if not (name in diffused or _read_first(w.flat["BREAKPOINT"], name, desc, [desc.breakpoint])
                or _read_first(w.flat["SOLVE"], name, desc, solved)):
            continue  # not read after INITIAL before a block sets it again: each instance's own value
        for line, code, cond in w.flat["INITIAL"]:
            if m := assignment.search(code):  # its right side to the statement's end: `k = 1 } else { k = 2 }`
                # a LOCAL by name; an argument with what the calls give it (rates(v) in INITIAL)
                own = [shown(n, given, uniform) for n in sorted(_names(m.group(2)) - common)]
                under = ([shown(n, given, uniform) for n in sorted(_names(around[line]) - common)]
                         if line in around else tested if cond else [])
                if own or under:
                    how = (f"from {', '.join(own)}, values of each instance" if own
                           else f"under an if on {', '.join(under)}, values of each instance")
                    found.append((line, f"{kind} {name} assigned in INITIAL {how}, and read after it (NEURON "
                                        f"keeps one value for all instances, the last one's; declare it RANGE)"))
                    break
    return found


def _factor_names(mod) -> set[str]:
    try:
        return set(factors(mod))
    except ModelError:  # an unknown factor: refused by units.problems
        return set()


def _read_first(flat, name: str, desc, nodes) -> bool:
    """Whether a block (``Writes.flat``) reads ``name`` before it assigns it unconditionally (a TABLE
    statement naming it is no read: cachan1.mod's rate(), which the DERIVATIVE calls first). A scalar
    that every path of each of the block ``nodes`` sets before reading (``flow.unset_reads``: an
    if / else if / else assigning it in every branch, nm_euler.mod's ``wtau`` in settle(v)) is not."""
    body = [(line, code, cond) for line, code, cond in flat if not re.match(r"\s*TABLE\b", code)]
    if not _first_problem(body, name):
        return False
    if any(n is None for n in nodes) or any(re.search(rf"\b{re.escape(name)}\s*\[", c) for _, c, _ in body):
        return True  # a block flow.py cannot walk, or an array (array_elements, element by element)
    return any(name in flow.unset_reads(desc, n, {name}) for n in nodes)


def _varying(flat, shared: set[str], common: set[str], around: dict[int, str]) -> set[str]:
    """The shared variables (``shared``) that INITIAL assigns from names not in ``common`` or under
    an if on such names (``around``), those it finds included (`if (v > 0) { flag = 1 }` then
    `if (flag) { k = 1 }`: k is then of each instance too). An if on the variable itself is not one
    (cadifus.mod's `if (factors_done == 0) { factors_done = 1 ... }`)."""
    out: set[str] = set()
    while True:
        before = len(out)
        for name in sorted(shared - out):
            rx = re.compile(rf"(?<![\w.']){re.escape(name)}\s*(\[[^\]]*\])?\s*=(?!=)([^{{}};]*)")
            known = common - out
            if any((_names(m.group(2)) - known) or (_names(around.get(line, "")) - known - {name})
                   for line, code, _ in flat if (m := rx.search(code))):
                out.add(name)
        if len(out) == before:
            return out
