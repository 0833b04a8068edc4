"""ASSIGNED variables a BREAKPOINT with currents reads before it sets them (a counter ``n = n + 1``,
a clamp of INITIAL's value ``if (x > xmax) { x = xmax }``, an old-style filter ``y = y + a*(u - y)``).

NEURON keeps an ASSIGNED variable in the instance's data, and its ``nrn_cur`` runs BREAKPOINT twice
a step (at v + 0.001 mV, then at v, for the slope), each run from what the previous one left: such
a read sees the previous run's value, and a counter grows by 2 a step. In a density mechanism they
are carried as states and BREAKPOINT runs twice a step as there (``memory``; mechanism.py, the
file's STATEs rewritten in BREAKPOINT alike: ``double_run.py``). In a point process (whose
``advance`` keeps no value BREAKPOINT writes) they are refused with the variable's line
(``problems``), where the value reaches a current or another block; a max tracker
``if (v > vmax) { vmax = v }`` that nothing reads is left alone there.

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
from excitable.io.nmodl.describe import SPECIAL, Description
from excitable.io.nmodl.parameter_writes import _assigns, _blocks, _flat
from excitable.io.nmodl.parse import strip_comments

#: an ``if (...)`` / ``else`` / brace, stripped from a line to see what statements it holds
_CONTROL = re.compile(r"\b(?:else\s+)?if\s*\((?:[^()]|\([^()]*\))*\)|\belse\b|[{}]")


def _only_itself(name: str, code: str) -> bool:
    """Whether a line mentioning ``name`` only assigns it (under an ``if`` whose braces close on the
    same line: a condition on ``name`` that guards other statements would pass its value on)."""
    if code.count("{") != code.count("}"):
        return False
    rest = [s for s in re.split(r"\s{2,}|;|\n", _CONTROL.sub("  ", code)) if s.strip()]
    return bool(rest) and all(re.match(rf"\s*{re.escape(name)}\s*=(?!=)", s) for s in rest)


def _net_receive(lines: list[str]) -> str:
    """NET_RECEIVE's text (braces matched), or ""."""
    start = next((i for i, line in enumerate(lines) if re.match(r"\s*NET_RECEIVE\b", line)), None)
    if start is None:
        return ""
    depth, out = 0, []
    for line in lines[start:]:
        out.append(line)
        depth += line.count("{") - line.count("}")
        if depth <= 0 and "}" in line:
            break
    return "\n".join(out)


def _file_locals(lines: list[str]) -> set[str]:
    """Names of the file-level LOCAL statements (outside every block): NEURON's one static value of
    the mechanism, a cache such as capump.mod's ``s_celsius``, not an instance's memory; left alone."""
    out, depth = set(), 0
    for line in lines:
        if depth == 0 and (m := re.match(r"\s*LOCAL\b(.*)", line)):
            out |= set(re.findall(r"[A-Za-z_]\w*", m.group(1)))
        depth += line.count("{") - line.count("}")
    return out


def _unset(mod, desc: Description):
    """(BREAKPOINT's lines, the file's lines and blocks, {ASSIGNED name -> first statement that may
    read it before this run sets it}), or None where BREAKPOINT writes no current."""
    if not desc.suffix or not desc.currents or desc.breakpoint is None:
        return None
    lines = strip_comments(mod.text)
    blocks = _blocks(lines)
    flat = _flat(lines, blocks, "BREAKPOINT")
    ion_vars = {v for ion in desc.ions for v in ion.read + ion.write}
    names = [a for a in desc.assigned if "[" not in a and a not in SPECIAL and a not in ion_vars
             and a not in _file_locals(lines)
             and a not in desc.currents and a not in desc.states and a not in desc.parameters
             and any(_assigns(code, a) for _, code, _ in flat)]
    return flat, lines, blocks, (flow.unset_reads(desc, desc.breakpoint, names) if names else {})


def memory(mod, desc: Description) -> tuple[str, ...]:
    """The ASSIGNED variables a density mechanism's BREAKPOINT may read before it sets them: NEURON's
    instance keeps them between its runs, so they are carried as states (module docstring)."""
    found = None if desc.point else _unset(mod, desc)
    return tuple(found[3]) if found else ()


def problems(mod, desc: Description) -> list[tuple[int, str]]:
    """(line, construct) of each ASSIGNED variable a point process's BREAKPOINT with currents may
    read before it sets it on some path, where the value reaches a current or another block (module
    docstring); none for a density mechanism (``memory``)."""
    found = _unset(mod, desc) if desc.point else None
    if not found or not found[3]:
        return []
    flat, lines, blocks, unset = found
    # the other blocks that run in a step (INITIAL only sets a start, before any BREAKPOINT)
    spans = [span for key, span in blocks.items() if key not in ("BREAKPOINT", "INITIAL")]
    others = "\n".join("\n".join(lines[a:b + 1]) for a, b in spans) + _net_receive(lines)
    out = []
    for x in unset:
        word = re.compile(rf"\b{re.escape(x)}\b")
        mentions = [code for _, code, _ in flat if word.search(code)]
        if not word.search(others) and all(_only_itself(x, code) for code in mentions):
            continue  # a max tracker: its value reaches nothing excitable runs or records
        out.append((flow.line_of(flat, unset[x], x), (
            f"ASSIGNED {x} read in BREAKPOINT before it is set there in a point process (NEURON keeps what "
            f"the previous run left, and nrn_cur runs BREAKPOINT twice a step; a point process here does not run "
            f"its BREAKPOINT twice from what it keeps, as a density mechanism does)")))
    return out
