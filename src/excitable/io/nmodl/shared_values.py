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
(diam, area, v, states, RANGE parameters, ion variables, FUNCTION calls). Such a file is refused with
the assignment's line and the fix NEURON's own documentation gives: declare it RANGE (an ASSIGNED
RANGE variable is kept per instance in NEURON too). The same rule as for GLOBAL PARAMETERs
(``parameter_writes``).
"""

from __future__ import annotations

import re

from excitable.errors import ModelError
from excitable.io.nmodl.parameter_writes import MATH, Writes, _first_problem
from excitable.io.nmodl.uniform_values import Uniform, base_names
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
    loops = set(re.findall(r"\bFROM\s+(\w+)\s*=", "\n".join(w.lines)))
    defines = set(re.findall(r"(?m)^\s*DEFINE\s+(\w+)", "\n".join(w.lines)))
    common = ({p for p in desc.parameters if p not in desc.ranges} | set(desc.constants) | MATH | {"celsius", "PI"}
              | shared | loops | defines)
    common |= _factor_names(mod)  # UNITS factors (FARADAY, R): constants
    common |= _untainted_locals(w.flat["INITIAL"], common)  # a block's LOCAL from shared values only
    diffused = {n for d in getattr(mod, "diffusion", ()) for n in _NAME.findall(d.text)}
    # an if in INITIAL on values of each instance makes an assignment under it one of them (not an if on
    # a shared flag: cadifus.mod's `if (factors_done == 0) { coord() }` gives every instance the same)
    tested = sorted({n for _, code, _ in w.flat["INITIAL"] for c in re.findall(r"\bif\s*\((.*)\)", code)
                     for n in _NAME.findall(c)} - common)
    locals_ = file_locals(w.lines)
    uniform = None  # built at the first GLOBAL the SOLVE'd block sets and BREAKPOINT reads (uniform_values)
    found = []
    for name in sorted(shared):
        kind = "file-level LOCAL" if name in locals_ else "GLOBAL"
        assignment = re.compile(rf"(?<![\w.']){re.escape(name)}\s*(\[[^\]]*\])?\s*=(?!=)([^{{}};]*)")
        in_solve = next((line for line, code, _ in w.flat["SOLVE"] if assignment.search(code)), 0)
        if in_solve and _read_first(w.flat["BREAKPOINT"], name):  # a GLOBAL minf from rates(v) in the SOLVE
            # NEURON's nrn_cur reads the last instance's value: each instance's own where every assignment
            # of it gives all the same (Mainen's tadj from q10, temp, celsius), refused where one may not
            if uniform is None:
                uniform = Uniform(w.lines, base_names(desc, loops | defines | _factor_names(mod)), shared)
            if problem := uniform.assignment_problem(name):
                line, names, how = problem
                why = "from" if how == "from" else "under an if on"
                found.append((line, f"{kind} {name} assigned in the SOLVE'd block and read in BREAKPOINT before "
                                    f"BREAKPOINT assigns it, {why} {', '.join(names)}, values of each instance "
                                    f"(NEURON: the last instance's value, for all; declare it RANGE)"))
            continue
        if not (name in diffused or _read_first(w.flat["BREAKPOINT"], name) or _read_first(w.flat["SOLVE"], name)):
            continue  # not read after INITIAL before a block sets it again: each instance's own value
        for line, code, cond in w.flat["INITIAL"]:
            if m := assignment.search(code):  # its right side to the statement's end: `k = 1 } else { k = 2 }`
                own = [n.removeprefix("_local_") for n in sorted(_names(m.group(2)) - common)]  # a LOCAL by name
                if own or cond and tested:
                    how = (f"from {', '.join(own)}, values of each instance" if own
                           else f"under an if on {', '.join(tested)}, values of each instance")
                    found.append((line, f"{kind} {name} assigned in INITIAL {how}, and read after it (NEURON "
                                        f"keeps one value for all instances, the last one's; declare it RANGE)"))
                    break
    return found


def _factor_names(mod) -> set[str]:
    try:
        return set(factors(mod))
    except ModelError:  # an unknown factor: refused by units.problems
        return set()


def _names(expression: str) -> set[str]:
    """The names an expression reads (a number's unit, ``0.5 (um)``, is no variable)."""
    return set(_NAME.findall(re.sub(r"(\d)\s*\([^()]*\)", r"\1", expression)))


def _read_first(flat, name: str) -> bool:
    """Whether a block (``Writes.flat``) reads ``name`` before it assigns it unconditionally (a TABLE
    statement naming it is no read: cachan1.mod's rate(), which the DERIVATIVE calls first)."""
    body = [(line, code, cond) for line, code, cond in flat if not re.match(r"\s*TABLE\b", code)]
    return bool(_first_problem(body, name))


def _untainted_locals(flat, common: set[str]) -> set[str]:
    """The block LOCALs (``_local_NAME`` in ``Writes.flat``) that INITIAL sets from shared values only
    (cabpump.mod's ``r = 1/2`` in coord()), in order; one set from a value of each instance (``r =
    diam/2``), or from such a LOCAL, is not: what it gives a shared variable is not shared."""
    tainted: set[str] = set()
    for _, code, _ in flat:
        for m in re.finditer(r"(?<![\w.'])(_local_\w+)\s*(\[[^\]]*\])?\s*=(?!=)([^{};]*)", code):
            names = _names(m.group(3))
            if names & tainted or {n for n in names - common if not n.startswith("_local_")}:
                tainted.add(m.group(1))
    every = {n for _, code, _ in flat for n in re.findall(r"_local_\w+", code)}
    return every - tainted

