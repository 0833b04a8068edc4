"""Whether a variable NEURON keeps once for all instances (an ASSIGNED GLOBAL, a file-level LOCAL)
takes the same number in every instance, followed through the file's text (``shared_values``).

Mainen & Sejnowski's channels (ModelDB 108459 ca.mod, 114359 kca.mod and their km.mod, kv.mod,
na.mod copies) set ``GLOBAL tadj`` as ``q10^((celsius - temp)/10)`` (dimensionless) in the
PROCEDURE their SOLVE'd block calls, and BREAKPOINT reads it. NEURON's nrn_cur then sees the
value the last instance's nrn_state wrote; since that value reads nothing of an instance, it is
every instance's own, and the file runs as its RANGE twin. Where an assignment reads anything of
an instance, directly or through a LOCAL, a PROCEDURE's argument, a FUNCTION or another such
variable, or sits under an ``if`` (or a call) whose condition does, it is not.

Values the same for all instances: constants, DEFINEs, UNITS factors, math calls, non-RANGE
PARAMETERs, celsius, and t and dt (every instance of a fixed step runs a block at the same t and
dt). Of each instance: v, diam, area, STATEs, ion variables, RANGE and other ASSIGNED variables,
POINTERs, and any name not known to be shared (the safe side: a refusal, never a wrong run).
A variable that reads itself (``x = x + 1``) adds up over the instances in NEURON: not uniform.
"""

from __future__ import annotations

import re

from excitable.io.nmodl.describe import SPECIAL

#: Calls that read nothing of the instance (NEURON's math library).
MATH = frozenset({"exp", "log", "log10", "pow", "sqrt", "fabs", "sin", "cos", "tan", "atan", "atan2",
                  "floor", "ceil", "tanh", "sinh", "cosh", "asin", "acos", "fmod", "fmin", "fmax"})

_NAME = re.compile(r"[A-Za-z_]\w*")
_HEAD = re.compile(r"\s*(INITIAL|BREAKPOINT|PROCEDURE|FUNCTION|DERIVATIVE|KINETIC|LINEAR|NONLINEAR|NET_RECEIVE)\b\s*(\w*)")
_TOKEN = re.compile(r"\b(if|while|WHILE|else)\b|[{}]")
_KEYWORDS = frozenset({"if", "else", "while", "WHILE", "TABLE", "DEPEND", "FROM", "TO", "WITH", "LOCAL", "SOLVE",
                       "METHOD", "CONSERVE", "COMPARTMENT", "FOR_NETCONS", "VERBATIM", "ENDVERBATIM", "return"})


def _closing(text: str, start: int) -> int:
    """The index after the parenthesis that closes the one at ``start``."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    return len(text)


def _split_args(text: str) -> list[str]:
    """A call's argument list (without its parentheses) at its top-level commas."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return out + [cur] if cur.strip() else out


def call_arguments(text: str, at: int) -> list[str]:
    """The arguments of the call whose opening parenthesis is ``text[at]`` (``rates(v, f(a, b))``:
    ``v``, ``f(a, b)``), as written."""
    return _split_args(text[at + 1:_closing(text, at) - 1])


def _names(text: str) -> set[str]:
    """Names an expression reads: a number's unit (``0.5 (um)``) is none, nor a primed state's prime."""
    return set(_NAME.findall(re.sub(r"(\d)\s*\([^()]*\)", r"\1", text))) - _KEYWORDS


class Block:
    """One top-level block of the file: its arguments, LOCALs and statements ``(line, text, conditions)``,
    ``conditions`` the texts of the ``if``/``while`` conditions around the statement (an ``else`` takes
    its ``if``'s)."""

    def __init__(self, lines: list[str], first: int, last: int):
        header = lines[first].split("{", 1)[0]
        self.kind = _HEAD.match(lines[first]).group(1)
        self.args: list[str] = []
        if "(" in header:
            at = header.index("(")
            self.args = [m.group(0) for a in _split_args(header[at + 1:_closing(header, at) - 1])
                         if (m := _NAME.search(a))]
        self.locals = {n for i in range(first, last + 1) for d in re.findall(r"\bLOCAL\b([^}\n]*)", lines[i])
                       for n in _NAME.findall(re.sub(r"\[[^\]]*\]", "", d))}
        self.statements: list[tuple[int, str, tuple[str, ...]]] = []
        self.conditions: list[tuple[int, str, tuple[str, ...]]] = []  # each if's condition, where it stands
        stack: list[tuple[str, ...]] = []
        pending: tuple[str, ...] = ()
        closed: tuple[str, ...] = ()
        for i, text in _logical(lines, first, last):
            pos = 0
            while (m := _TOKEN.search(text, pos)) is not None:
                self._statement(i + 1, text[pos:m.start()], stack)
                pos = m.end()
                if m.group(1) in ("if", "while", "WHILE"):
                    paren = text.find("(", pos)
                    end = _closing(text, paren) if paren >= 0 else pos
                    pending = pending + (text[paren:end],)
                    self.conditions.append((i + 1, text[paren:end], tuple(c for level in stack for c in level)))
                    pos = end
                elif m.group(1) == "else":
                    pending = closed
                elif m.group(0) == "{":
                    stack.append(pending)
                    pending = ()
                elif stack:  # "}": the branch's conditions stay for an else after it
                    closed = stack.pop()
            self._statement(i + 1, text[pos:], stack)

    def _statement(self, line: int, text: str, stack) -> None:
        if text.strip() and not re.match(r"\s*TABLE\b", text):  # a TABLE statement reads and assigns nothing
            self.statements.append((line, text, tuple(c for level in stack for c in level)))


def _logical(lines: list[str], first: int, last: int) -> list[tuple[int, str]]:
    """(0-based line, text) of a block's lines, an expression that goes on over the next line joined
    to its first (an open parenthesis, an operator at the end or the start of the next): a name on
    the second line is read by the statement of the first."""
    out: list[tuple[int, str]] = []
    for i in range(first, last + 1):
        text = (lines[i].split("{", 1)[1] if "{" in lines[i] else "") if i == first else lines[i]
        if out and (out[-1][1].count("(") > out[-1][1].count(")") or re.search(r"[-+*/^=,(<>&|]\s*$", out[-1][1])
                    or re.match(r"\s*[-+*/^,)<>&|]", text)):
            out[-1] = (out[-1][0], out[-1][1] + " " + text)
        else:
            out.append((i, text))
    return out


def blocks(lines: list[str]) -> dict[str, Block]:
    """The file's top-level blocks by name (INITIAL, BREAKPOINT, or a PROCEDURE's, FUNCTION's... name)."""
    out, depth, start = {}, 0, None
    for i, line in enumerate(lines):
        if depth == 0 and _HEAD.match(line):
            start = i
        depth += line.count("{") - line.count("}")
        if depth <= 0:
            depth = 0
            if start is not None and "}" in line:
                m = _HEAD.match(lines[start])
                key = m.group(1) if m.group(1) in ("INITIAL", "BREAKPOINT", "NET_RECEIVE") else m.group(2)
                out.setdefault(key, Block(lines, start, i))
                start = None
    return out


def _assignment(name: str) -> re.Pattern:
    return re.compile(rf"(?<![\w.']){re.escape(name)}\s*(\[[^\]]*\])?\s*=(?!=)([^{{}};]*)")


class Uniform:
    """Follows values through the file's blocks. ``base``: the names the same for all instances
    (module docstring); ``shared``: the GLOBALs and file-level LOCALs, uniform where every assignment
    of them is."""

    def __init__(self, lines: list[str], base: set[str], shared: set[str]):
        self.blocks = blocks(lines)
        # a PARAMETER the file assigns is one value the instances assign in turn, as a GLOBAL is
        assigned = {n for b in self.blocks.values() for _, text, _ in b.statements
                    for n in re.findall(r"(?<![\w.'])([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*=(?!=)", text)}
        self.base, self.shared = base - assigned, shared | (base & assigned)
        self.memo: dict[tuple, set[str]] = {}
        self.calls: dict[str, list[tuple[str, int, list[str], tuple[str, ...]]]] = {}
        for key, b in self.blocks.items():
            for line, text, conds in b.statements + b.conditions:  # a call in an if's condition too
                for m in re.finditer(r"\b(\w+)\s*\(", text):
                    if m.group(1) in self.blocks and m.group(1) != key:
                        at = m.end() - 1
                        args = call_arguments(text, at)
                        self.calls.setdefault(m.group(1), []).append((key, line, args, conds))

    def assignment_problem(self, name: str) -> tuple[int, list[str], str] | None:
        """(line, names, how) of the first assignment of shared ``name`` whose value may differ between
        instances: ``how`` "from" (its value reads ``names``) or "under" (a condition around it or
        around a call of its block reads them); None where every assignment gives all the same."""
        rx = _assignment(name)
        for key, b in self.blocks.items():
            for line, text, conds in b.statements:
                if m := rx.search(text):
                    own = sorted(self._expression(key, m.group(2), False, (name,)))
                    if own:
                        return line, own, "from"
                    under = sorted(self._conditions(key, conds, (name,)))
                    if under:
                        return line, under, "under"
        return None

    def _conditions(self, key: str, conds, stack, seen=()) -> set[str]:
        """The per-instance names the conditions around a statement of ``key`` read, and those around
        every call of ``key`` (its callers' in turn)."""
        out = set()
        for c in conds:
            out |= self._expression(key, c, False, stack, in_condition=True)
        if key in seen:
            return out
        for caller, _, _, around in self.calls.get(key, ()):
            out |= self._conditions(caller, around, stack, seen + (key,))
        return out

    def _expression(self, key: str, text: str, args_uniform: bool, stack, in_condition=False) -> set[str]:
        """The per-instance names ``text``, in block ``key``, reads (empty: the same in every instance)."""
        memo = (key, text, args_uniform, stack, in_condition)
        if memo not in self.memo:
            self.memo[memo] = self._followed(key, text, args_uniform, stack, in_condition)
        return self.memo[memo]

    def _followed(self, key: str, text: str, args_uniform: bool, stack, in_condition: bool) -> set[str]:
        out = set()
        for m in re.finditer(r"\b(\w+)\s*\(", text):  # a FUNCTION's value: its body, its arguments uniform
            f = m.group(1)
            if f in self.blocks and f != key and f not in stack:
                out |= self._body(f, stack + (f,))
        for n in _names(text):
            if n in self.blocks and n != key:
                continue  # the call, above
            out |= self._name(key, n, args_uniform, stack, in_condition)
        return out

    def _name(self, key: str, n: str, args_uniform: bool, stack, in_condition: bool) -> set[str]:
        b = self.blocks.get(key)
        if b is not None and n in b.args:
            if args_uniform:
                return set()
            if b.kind == "NET_RECEIVE" or not self.calls.get(key):
                return {n}  # an event's weight, or an argument hoc passes: not known here
            k = b.args.index(n)  # every call's argument in that place
            out = set()
            for caller, _, args, _ in self.calls.get(key, ()):
                if (caller, n) in stack:
                    continue
                arg = args[k] if k < len(args) else ""
                out |= self._expression(caller, arg, False, stack + ((caller, n),), in_condition)
            return out
        if b is not None and (n in b.locals or n == key):  # a LOCAL, or a FUNCTION's own value
            return self._assigned(key, n, b, args_uniform, stack)
        if n in self.base:
            return set()
        if n in self.shared:
            if n in stack:  # read while it is being assigned: added up over the instances (a flag read
                return set() if in_condition else {n}  # in a condition is cadifus.mod's factors_done)
            found = self.assignment_problem_in(n, stack + (n,))
            return set(found) if found else set()
        return {n}

    def _assigned(self, key: str, n: str, b: Block, args_uniform: bool, stack) -> set[str]:
        """The per-instance names the assignments of LOCAL ``n`` in ``key`` read, conditions included."""
        if (key, n) in stack:
            return set()  # a LOCAL updated from itself: its other reads decide
        out = set()
        rx = _assignment(n)
        for _, text, conds in b.statements:
            if m := rx.search(text):
                out |= self._expression(key, m.group(2), args_uniform, stack + ((key, n),))
                for c in conds:
                    out |= self._expression(key, c, args_uniform, stack + ((key, n),), in_condition=True)
        return out

    def _body(self, f: str, stack) -> set[str]:
        """The per-instance names a FUNCTION's body reads, its arguments taken as uniform (checked at the call)."""
        b = self.blocks[f]
        out = set()
        for _, text, conds in b.statements:
            m = re.match(r"\s*[A-Za-z_]\w*\s*(\[[^\]]*\])?\s*=(?!=)(.*)", text)
            out |= self._expression(f, m.group(2) if m else text, True, stack)
            for c in conds:
                out |= self._expression(f, c, True, stack, in_condition=True)
        return out

    def function_reads(self, f: str) -> list[str]:
        """The values of each instance FUNCTION ``f``'s body reads, its arguments taken as shared (a
        call passes its own, checked where the call stands): empty where ``f(...)`` of shared
        arguments is one number for all instances (ModelDB 258643 cal_sncda.mod's ``tadj_ca_l()``
        from q10, celsius, temp)."""
        return sorted(self._body(f, (f,)))

    def shared_functions(self) -> set[str]:
        """The FUNCTIONs whose value is the same in every instance when their arguments are."""
        return {f for f, b in self.blocks.items() if b.kind == "FUNCTION" and not self.function_reads(f)}

    def assignment_problem_in(self, name: str, stack) -> list[str]:
        """The per-instance names behind shared ``name``'s assignments (values and conditions)."""
        rx = _assignment(name)
        out = set()
        for key, b in self.blocks.items():
            for _, text, conds in b.statements:
                if m := rx.search(text):
                    out |= self._expression(key, m.group(2), False, stack)
                    out |= self._conditions(key, conds, stack)
        return sorted(out)


def base_names(desc, extra: set[str]) -> set[str]:
    """The names whose value is the same for all instances (module docstring); ``extra``: constants
    found in the text (DEFINEs, FROM loop variables, UNITS factors)."""
    ion_vars = {v for ion in desc.ions for v in ion.read + ion.write}
    params = {p for p in desc.parameters if p not in desc.ranges and p not in ion_vars and p not in desc.states
              and p not in SPECIAL}
    return params | set(desc.constants) | set(MATH) | {"celsius", "t", "dt", "PI"} | extra
