"""ASSIGNED variables a BREAKPOINT with currents reads before it sets them (a counter ``n = n + 1``,
a clamp of INITIAL's value ``if (x > xmax) { x = xmax }``, an old-style filter ``y = y + a*(u - y)``),
or sets on some paths only (``if (v > -60) { tlast = t }``: it holds an earlier run's value otherwise;
it stayed at 0 here, silently).

NEURON keeps an ASSIGNED variable in the instance's data, and its ``nrn_cur`` runs BREAKPOINT twice
a step (at v + 0.001 mV, then at v, for the slope), each run from what the previous one left: such
a read sees the previous run's value, and a counter grows by 2 a step. In a density mechanism and
in a point process alike they are carried as states and BREAKPOINT runs twice a step as there
(``memory``; mechanism.py, point.py, artificial.py, the file's STATEs rewritten in BREAKPOINT
alike: ``double_run.py``).

Not memory, as one run computes them (path by path, ``flow.unset_reads``): a variable set on every
path before it is read (``g = gbar*m*m*m*h``; both branches of an if/else; a PROCEDURE called
first, TABLE'd or not); LOCALs (file-level ones too: one static value, a cache like capump.mod's
``s_celsius``), ion variables, currents, and what only INITIAL or the SOLVE'd blocks set and
BREAKPOINT only reads (``parameter_writes.carried``/``kept``); PARAMETERs have their own rules
(``parameter_writes.problems``).
"""

from __future__ import annotations

import re

from excitable.io.nmodl import flow
from excitable.io.nmodl.breakpoint_feeds import has_currents
from excitable.io.nmodl.describe import SPECIAL, Description
from excitable.io.nmodl.parameter_writes import _assigns, _blocks, _flat
from excitable.io.nmodl.parse import strip_comments


def _file_locals(lines: list[str]) -> set[str]:
    """Names of the file-level LOCAL statements (outside every block): NEURON's one static value of
    the mechanism, a cache such as capump.mod's ``s_celsius``, not an instance's memory; left alone."""
    out, depth = set(), 0
    for line in lines:
        if depth == 0 and (m := re.match(r"\s*LOCAL\b(.*)", line)):
            out |= set(re.findall(r"[A-Za-z_]\w*", m.group(1)))
        depth += line.count("{") - line.count("}")
    return out


def electrode_names(lines: list[str]) -> set[str]:
    """The names an ELECTRODE_CURRENT statement declares (``lines``: the file's, comments stripped)."""
    out = set()
    for line in lines:
        if m := re.search(r"\bELECTRODE_CURRENT\s+([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)", line):
            out |= set(re.findall(r"[A-Za-z_]\w*", m.group(1)))
    return out


def _unset_reads(mod, desc: Description, lines: list[str], parameters: bool = False):
    """(the ASSIGNED variables BREAKPOINT may read before it sets them, and with ``parameters`` the
    RANGE PARAMETERs too (a current-free BREAKPOINT's: ``parameter_writes``' own rules), its
    flattened run)."""
    if not desc.suffix or desc.breakpoint is None or re.search(r"\bARTIFICIAL_CELL\b", "\n".join(lines)):
        return (), []  # an artificial cell's BREAKPOINT never runs (artificial.py)
    flat = _flat(lines, _blocks(lines), "BREAKPOINT")
    ion_vars = {v for ion in desc.ions for v in ion.read + ion.write}
    currents = set(desc.currents) | electrode_names(lines)
    names = [a for a in desc.assigned if "[" not in a and a not in SPECIAL and a not in ion_vars
             and a not in _file_locals(lines)
             and a not in currents and a not in desc.states and a not in desc.parameters
             and any(_assigns(code, a) for _, code, _ in flat)]
    names += range_parameters(desc, flat, ion_vars | currents) if parameters else []
    if not names:
        return (), flat
    read_first = flow.unset_reads(desc, desc.breakpoint, names)  # a counter, a running maximum
    on_some_paths = flow.unset_at_end(desc, desc.breakpoint, names)  # if (v > -60) { tlast = t }: kept otherwise
    return tuple(a for a in names if a in read_first or a in on_some_paths), flat


def range_parameters(desc: Description, flat, skip=frozenset()) -> list[str]:
    """The RANGE PARAMETERs BREAKPOINT (``flat``: its flattened run) assigns: one value per
    instance in NEURON as an ASSIGNED is, so kept alike where a run reads one before setting it
    (Izhikevich 2007's izhi2007b.mod: ``b`` set in BREAKPOINT for cell types 6 and 7 only, read
    for the others). A GLOBAL one holds the last instance's value: refused (parameter_writes)."""
    return [p for p in desc.parameters if p in desc.ranges and "[" not in p and p not in SPECIAL
            and p not in skip and any(_assigns(code, p) for _, code, _ in flat)]


def memory(mod, desc: Description) -> tuple[str, ...]:
    """The ASSIGNED variables a BREAKPOINT with currents (an ELECTRODE_CURRENT too: nocmodl 9.0.2
    gives it the same nrn_cur) may read before it sets them (() without currents): NEURON's instance
    keeps them between its runs, so they are carried as states (module docstring)."""
    lines = strip_comments(mod.text)
    return _unset_reads(mod, desc, lines, parameters=True)[0] if has_currents(desc, lines) else ()


def current_free_problems(mod, desc: Description) -> list[tuple[int, str]]:
    """(line, construct) of such a read in a BREAKPOINT without currents, which NEURON runs once a
    step in nrn_state after the SOLVE, keeping the value from the previous step: not run here (a
    running maximum ``if (v > vmax) { vmax = v }``, Katz et al. 2009's dv_yael.mod, stayed at one
    run's value from 0, silently, while `mod check` said "supported")."""
    from excitable.io.nmodl.parameter_writes import _first_problem

    lines = strip_comments(mod.text)
    if has_currents(desc, lines):
        return []
    found, flat = _unset_reads(mod, desc, lines)
    return [(_first_problem(flat, name) or flat[0][0],
             f"{name} kept by BREAKPOINT from the previous step (read before it is set, or set on some paths only) in a "
             f"mechanism with no current (NEURON runs such a BREAKPOINT once a step, after the SOLVE)") for name in found]
