"""PARAMETERs a density mechanism's blocks assign (ModelDB 155602 CaBK.mod's ``INITIAL { cai = ncai
+ lcai + tcai }``, 267088 peak.mod's ``vpeak = v`` in BREAKPOINT), with NEURON's semantics.

In NEURON a PARAMETER is a variable of the instance (RANGE) or of the mechanism (GLOBAL): a block
that assigns it changes it for every later block, step and run. excitable's fields are constants
of a run, so such a parameter is also carried as a state of the same name (as ``mechanism.kept``
carries ASSIGNED variables): set from the field before INITIAL, then what INITIAL, the SOLVE'd
blocks or a BREAKPOINT without currents (which NEURON runs in ``nrn_state``) leave in it.

Exact for a RANGE parameter (one value per instance, as NEURON's). A GLOBAL one is a single value
that the instances assign in turn, so carrying one per instance is exact only where every instance
assigns the same value before reading it. What is not, is refused with its line (``problems``):
- a GLOBAL read in INITIAL before it is assigned there (NEURON: the previous run's value), or
  assigned there from per-instance values (V, states, RANGE variables, ion variables, and the
  LOCALs, PROCEDURE or FUNCTION arguments and FUNCTION calls that read any: ``bound_arguments``, so
  ModelDB 258643's ``setVhalf(Vhalf)``, ``tadj = tadj_ca_l()`` of GLOBAL PARAMETERs run) or
  conditionally and read by a later block (the SOLVE'd ones, BREAKPOINT, NET_RECEIVE) before that
  block assigns it (NEURON keeps the last instance's value for all). One
  every read of which follows the same instance's assignment in the same block run is scratch
  (org.neuroml.export's cad__*.mod: ``surfaceArea = area`` then ``iCa = ... * surfaceArea``): the
  shared value is this instance's when read, and one per instance is NEURON's run;
- a GLOBAL read by the SOLVE'd blocks (or a current-free BREAKPOINT) before they assign it (the
  previous instance's value in NEURON);
- a GLOBAL PARAMETER a BREAKPOINT with currents may read before it assigns it on some path (NEURON:
  the value the previous step's ``nrn_cur`` left, the last instance's); a RANGE one is kept per
  instance as an ASSIGNED is (``breakpoint_memory.range_parameters``: izhi2007b.mod's ``b``), and
  refused where NEURON runs no ``nrn_cur`` (an ARTIFICIAL_CELL, a point process without currents).
  One assigned and then read inside one if-branch is not such a read (105385 iramp.mod's
  ``t_eff``: ``flow.py``).

The order of reads and writes is read from the file's lines, with the FUNCTIONs and PROCEDUREs a
block calls spliced in at the call; a line inside ``if``/``else`` counts as conditional.

Also here, for mechanism.py: what NEURON keeps of the ASSIGNED variables between blocks
(``carried``, ``kept``) and what BREAKPOINT feeds the SOLVE'd blocks' reads (``names_read``).
"""

from __future__ import annotations

import re

from excitable.io.nmodl import array_elements, concentrations, flow
from excitable.io.nmodl.bound_arguments import around, shown, untainted_locals
from excitable.io.nmodl.describe import SPECIAL, Description
from excitable.io.nmodl.parse import strip_comments
from excitable.io.nmodl.uniform_values import MATH, Uniform, base_names

_HEADER = re.compile(r"\s*(INITIAL|BREAKPOINT|NET_RECEIVE|PROCEDURE|FUNCTION|DERIVATIVE|KINETIC|LINEAR|NONLINEAR)\b\s*(\w*)")


def _blocks(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Top-level block name (INITIAL, BREAKPOINT, NET_RECEIVE, or a FUNCTION/PROCEDURE/DERIVATIVE... name) ->
    (first, last) line index."""
    out, depth, start, key = {}, 0, None, None
    for i, line in enumerate(lines):
        if depth == 0 and (m := _HEADER.match(line)):
            key = m.group(1) if m.group(1) in ("INITIAL", "BREAKPOINT", "NET_RECEIVE") else m.group(2)
            start = i
        depth += line.count("{") - line.count("}")
        if depth <= 0:
            depth = 0
            if start is not None and "}" in line:
                out.setdefault(key, (start, i))
                start = None
    return out


def _flat(lines, blocks, key, conditional=False, seen=()) -> list[tuple[int, str, bool]]:
    """(line number, code, conditional) of block ``key`` in order, called FUNCTIONs/PROCEDUREs spliced
    in after the calling line (their header, with its argument names, left out)."""
    if key not in blocks or key in seen:
        return []
    first, last = blocks[key]
    out, stack = [], []
    # a FUNCTION/PROCEDURE's arguments and a block's LOCALs hide the mechanism's variables of their names
    header = lines[first].split("{", 1)[0]
    hidden = set(re.findall(r"\b[A-Za-z_]\w*\b", header.split("(", 1)[1])) if "(" in header else set()
    for i in range(first, last + 1):
        hidden |= {n for decl in re.findall(r"\bLOCAL\b([^}\n]*)", lines[i]) for n in re.findall(r"[A-Za-z_]\w*", decl)}
    for i in range(first, last + 1):
        code = (lines[i].split("{", 1)[1] if "{" in lines[i] else "") if i == first else lines[i]
        if hidden:
            code = re.sub(rf"\b({'|'.join(map(re.escape, hidden))})\b", r"_local_\1", code)  # per name: shared_values
        cond = conditional or "if" in stack or bool(re.search(r"\b(if|else)\b", code))
        out.append((i + 1, code, cond))
        for call in re.findall(r"\b(\w+)\s*\(", code):
            if call not in MATH and call != key:
                out += _flat(lines, blocks, call, cond, seen + (key,))
        for tok in re.findall(r"[{}]|\b(?:if|else)\b", code):  # an if/else's brace makes its body conditional
            if tok == "{":
                stack[-1:] = ["if"] if stack and stack[-1] == "pending" else stack[-1:] + ["{"]
            elif tok == "}":
                stack[-1:] = []
            elif not (stack and stack[-1] == "pending"):
                stack.append("pending")
    return out


def _assigns(code: str, name: str) -> bool:
    return bool(re.search(rf"(?<![\w.']){re.escape(name)}\s*=(?!=)", code))


def _first_problem(flat, name: str) -> int:
    """The line where ``name`` is first mentioned, unless that is an unconditional assignment whose
    right side does not read it (0 then, and where it is not mentioned). An array (``Inf[0] = ...``,
    Lytton's generic HH channels): ``array_elements.first_problem``, element by element."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    if any(re.search(rf"\b{re.escape(name)}\s*\[", code) for _, code, _ in flat if word.search(code)):
        return array_elements.first_problem(flat, name)
    for line, code, cond in flat:
        code = array_elements.without_tables(code)  # a TABLE statement names its outputs: no read
        if not word.search(code):
            continue
        m = re.match(rf"\s*{re.escape(name)}\s*=(?!=)(.*)", code)
        if cond or m is None or word.search(m.group(1)):
            return line
        return 0
    return 0


# What NEURON keeps of the ASSIGNED variables between blocks (mechanism.py carries them as states).


def carried(desc: Description, breakpoint_text: str) -> tuple[str, ...]:
    """ASSIGNED variables BREAKPOINT reads but never sets (``minf`` of an instantaneous gate, set by
    the SOLVE'd block or INITIAL): in NEURON they keep their last value between blocks, so they are
    carried from ``advance`` and ``steady_state`` to ``currents`` as extra states."""
    read = set(re.findall(r"\b([A-Za-z_]\w*)\b", breakpoint_text))
    written = set(re.findall(r"\b([A-Za-z_]\w*)\s*=(?!=)", breakpoint_text))
    ion_vars = {v for ion in desc.ions for v in ion.read + ion.write}
    return tuple(a for a in desc.assigned if a in read and a not in written and a not in SPECIAL
                 and a not in ion_vars and a not in desc.currents)


def names_read(text: str) -> set[str]:
    """Names in NMODL ``text``, array elements with a literal index as "x[0]" too."""
    return set(re.findall(r"\b([A-Za-z_]\w*)\b", text)) | {a + b for a, b in re.findall(r"\b(\w+)(\[\d+\])", text)}


def kept(desc: Description, breakpoint_text: str, solve_text: str, initial_text: str) -> tuple[str, ...]:
    """ASSIGNED variables the SOLVE'd blocks read and only INITIAL sets (capmpr.mod's ``voli``,
    ``area1``, rate constants ``c1``..``c4`` from ``diam``; an array pool's shell volumes), and a
    written concentration that is ASSIGNED (a shell pool's ``cai = ca[0]``): NEURON keeps them in
    the instance's data, so they are carried as states."""
    def assigned_in(text):
        return {x.split("[")[0] for x in re.findall(r"\b([A-Za-z_][\w\[\]]*)\s*=(?!=)", text)}

    read, set_bp = names_read(solve_text), assigned_in(breakpoint_text)
    # set by INITIAL only: a variable the SOLVE'd blocks set themselves (rates) is not carried
    set_before = assigned_in(initial_text) - assigned_in(solve_text)
    ion_vars = {v for ion in desc.ions for v in ion.read + ion.write}
    out = [a for a in desc.assigned if (a in read or "[" in a and a.split("[")[0] in read) and a.split("[")[0] not in set_bp
           and a not in SPECIAL and a not in ion_vars and a not in desc.currents
           and a.split("[")[0] in set_before]
    return tuple(out) + tuple(c for c in concentrations.conc_writes(desc) if c not in desc.states)


class Writes:
    """The PARAMETERs a mechanism's blocks assign, read from the file (``mod.text``)."""

    def __init__(self, desc: Description, text: str):
        self.desc = desc
        self.lines = strip_comments(text)
        self.blocks = _blocks(self.lines)
        ion_vars = {v for ion in desc.ions for v in ion.read + ion.write}
        self.names = [p for p in desc.parameters
                      if p not in SPECIAL and p not in ion_vars and p not in desc.states and "[" not in p]
        solved = [b for b, _ in desc.solves]
        self.flat = {"INITIAL": _flat(self.lines, self.blocks, "INITIAL"),
                     "BREAKPOINT": _flat(self.lines, self.blocks, "BREAKPOINT"),
                     "SOLVE": [x for b in solved for x in _flat(self.lines, self.blocks, b)],
                     "NET_RECEIVE": _flat(self.lines, self.blocks, "NET_RECEIVE")}
        # NEURON runs a current-free BREAKPOINT in nrn_state (a point process's: currents, point.py)
        self.in_state = not desc.currents and not desc.point
        self._shared_cache: dict[frozenset, tuple] = {}

    def written(self, where: str) -> list[str]:
        return [p for p in self.names if any(_assigns(code, p) for _, code, _ in self.flat[where])]

    @property
    def breakpoint_in_state(self) -> bool:
        """A BREAKPOINT without currents that assigns a PARAMETER: run after the SOLVE in ``advance``."""
        return self.in_state and bool(self.written("BREAKPOINT"))

    def carried(self) -> tuple[str, ...]:
        """The PARAMETERs carried as states, in the file's order (a point process: those INITIAL
        assigns, events.carried_extra)."""
        where = {*self.written("INITIAL"), *(self.written("SOLVE") if not self.desc.point else ())}
        if self.in_state:
            where |= set(self.written("BREAKPOINT"))
        return tuple(p for p in self.names if p in where)

    def set_by_currents(self) -> tuple[str, ...]:
        """The carried PARAMETERs a density mechanism's BREAKPOINT with currents assigns (OSB
        M1NetworkModel cal_mig.mod's ``ggk = ghk(v, cai, cao)``, in INITIAL too): NEURON's instance
        holds what ``nrn_cur`` left, BREAKPOINT's run from the step's start V and states, until the
        SOLVE'd blocks assign it; ``advance`` (and INITIAL's nrn_cur) store that run's value."""
        if self.in_state or self.desc.point:
            return ()
        return tuple(p for p in self.carried() if p in self.written("BREAKPOINT"))

    def problems(self, factor_names=()) -> list[tuple[int, str]]:
        """(line, construct) of each assignment that cannot be run as NEURON runs it (module docstring)."""
        found = []
        is_global = lambda p: p not in self.desc.ranges
        in_bp = self.written("BREAKPOINT") if not self.in_state else []
        # path by path (flow.py): a read after the assignment in the same if-branch is this run's value
        unset = flow.unset_reads(self.desc, self.desc.breakpoint, in_bp) if in_bp else {}
        # a RANGE one runs where nrn_cur runs BREAKPOINT: kept as NEURON keeps it (breakpoint_memory.range_parameters)
        nrn_cur = self._nrn_cur()
        for p in (p for p in in_bp if p in unset and not (nrn_cur and p in self.desc.ranges)):
            found.append((flow.line_of(self.flat["BREAKPOINT"], unset[p], p), (
                f"PARAMETER {p} read in BREAKPOINT before it is assigned there (NEURON: the previous step's value"
                + (", one for all instances; RANGE runs)" if nrn_cur else ")"))))
        for p in self.written("SOLVE") if self.desc.point else ():
            if p not in self.carried() and (line := _first_problem(self.flat["SOLVE"], p)):
                found.append((line, (f"PARAMETER {p} read in a point process's SOLVE'd block before it is "
                                    f"assigned there (NEURON: the previous step's value)")))
        later = self.flat["SOLVE"] + (self.flat["BREAKPOINT"] if self.in_state else [])
        for p in {*self.written("SOLVE"), *(self.written("BREAKPOINT") if self.in_state else ())}:
            if is_global(p) and (line := _first_problem(later, p)):
                found.append((line, (f"GLOBAL PARAMETER {p} read before it is assigned in a step (NEURON: one "
                                    f"value shared by all instances; declare it RANGE)")))
        for p in self.written("INITIAL"):
            if is_global(p) and (where := self._global_initial(p, set(factor_names))):
                found.append((where[0], (f"GLOBAL PARAMETER {p} assigned in INITIAL {where[1]} (NEURON keeps one "
                                        f"value for all instances, the last one's; RANGE {p} runs)")))
        return found

    def _nrn_cur(self) -> bool:
        """Whether NEURON runs BREAKPOINT in ``nrn_cur`` (a current or ELECTRODE_CURRENT, not an
        ARTIFICIAL_CELL, whose BREAKPOINT never runs there)."""
        text = "\n".join(self.lines)
        return bool(self.desc.currents or re.search(r"\bELECTRODE_CURRENT\b", text)) and not re.search(
            r"\bARTIFICIAL_CELL\b", text)

    def _global_initial(self, p: str, factor_names: set[str]) -> tuple[int, str] | None:
        """(line, how) of a GLOBAL's INITIAL assignment that is not one value for all instances and
        that a later read may see from another instance."""
        flat = self.flat["INITIAL"]
        if line := _first_problem(flat, p):
            return line, "conditionally or after a read of it"
        desc = self.desc
        shared = ({g for g in self.names if g not in desc.ranges and g not in self.carried()}
                  | set(desc.constants) | factor_names | MATH | {"celsius"})
        for line, code, cond in flat:
            if m := re.match(rf"\s*{re.escape(p)}\s*=(?!=)(.*)", code):
                # a number's unit, `1 (um2/mV)`, is no variable
                names = set(re.findall(r"\b([A-Za-z_]\w*)\b", re.sub(r"(\d)\s*\([^()]*\)", r"\1", m.group(1))))
                if not (cond or names - shared) or not self._read_unset_later(p):
                    continue
                # an argument, LOCAL or FUNCTION call of shared values only (setVhalf(Vhalf), mh(celsius),
                # tadj_ca_l()) is one value for all: bound_arguments, as for a GLOBAL ASSIGNED
                common, given, uniform = self._initial_values(frozenset(factor_names))
                own = [shown(n, given, uniform) for n in sorted(names - shared - common)]
                if cond or own:
                    return line, (f"from {', '.join(own)}, values of each instance, and read before a later "
                                  f"block assigns it" if own else "conditionally")
        return None

    def _initial_values(self, factor_names: frozenset) -> tuple[set[str], dict[str, str], Uniform]:
        """(the names of INITIAL's flattened text whose value is the same in every instance beyond the
        PARAMETERs and constants, what each call passed to an argument that is not, the Uniform):
        FUNCTIONs of shared values, GLOBAL PARAMETERs INITIAL itself sets first from shared values
        (cal_sncda.mod's ``vhtm = vhm`` after ``vhm = Vhalf``), then the arguments and LOCALs bound
        to such values. A GLOBAL PARAMETER another block sets and INITIAL only reads holds, in
        NEURON, what the previous run left: a value of each instance here, as before."""
        if factor_names not in self._shared_cache:
            desc, flat = self.desc, self.flat["INITIAL"]
            text = "\n".join(self.lines)
            extra = set(factor_names) | set(re.findall(r"\bFROM\s+(\w+)\s*=", text)) | set(
                re.findall(r"(?m)^\s*DEFINE\s+(\w+)", text))
            first = {q for q in self.written("INITIAL") if q not in desc.ranges and not _first_problem(flat, q)}
            uniform = Uniform(self.lines, base_names(desc, extra) - (set(self.carried()) - first), set())
            common = (base_names(desc, extra) - set(self.carried())) | uniform.shared_functions()
            common |= {q for q in first if not uniform.assignment_problem_in(q, (q,))}
            arguments = {key: b.args for key, b in uniform.blocks.items() if b.args}
            untainted, given = untainted_locals(flat, common, arguments, around(uniform.blocks, flat))
            self._shared_cache[factor_names] = (common | untainted, given, uniform)
        return self._shared_cache[factor_names]

    def _read_unset_later(self, p: str) -> bool:
        """Whether a block run after INITIAL (the SOLVE'd blocks, BREAKPOINT, NET_RECEIVE, with what
        they call) may read ``p`` before that run assigns it. Where none does, every read follows
        this instance's own assignment in the same block run (INITIAL's reads: ``_first_problem``),
        so NEURON's one value is this instance's when read and one per instance is NEURON's run
        (org.neuroml.export's cad__*.mod scratch ``surfaceArea``, ``iCa``, ``initialConcentration``)."""
        later = ("SOLVE", "BREAKPOINT", "NET_RECEIVE")
        return any(_first_problem(self.flat[k], p) for k in later)


def problems(mod, desc: Description) -> list[tuple[int, str]]:
    """``Writes.problems`` of a density mechanism or point process, for unsupported.find."""
    from excitable.errors import ModelError
    from excitable.io.nmodl.units import factors

    if not desc.suffix:
        return []
    try:
        names = factors(mod)
    except ModelError:  # an unknown UNITS factor: refused by units.problems
        names = {}
    return Writes(desc, mod.text).problems(names)


def check_lines(mod, desc: Description, kept_by_breakpoint=()) -> list[str]:
    """``excitable mod check``'s line naming the PARAMETERs the blocks assign (kept as states);
    ``kept_by_breakpoint``: those a BREAKPOINT with currents keeps (breakpoint_memory.memory's)."""
    if not desc.suffix or (desc.point and not desc.initial and not kept_by_breakpoint):
        return []
    w = Writes(desc, mod.text)
    blocks = (("INITIAL", "INITIAL"), ("SOLVE", "the SOLVE'd blocks"), ("BREAKPOINT", "BREAKPOINT"))
    kept = [p for p in desc.parameters if p in w.carried() or p in kept_by_breakpoint]
    where = {p: [label for key, label in blocks if p in w.written(key)] for p in kept}
    return ["  parameters its blocks assign, kept from block to block as NEURON keeps them: "
            + ", ".join(f"{p} ({' and '.join(b)})" for p, b in where.items())] if where else []
