"""Which values one run of a block (BREAKPOINT) computes before it reads them: definite assignment
over the parser's tree, path by path, for two rules that were first written line by line and refused
correct published files:

- a PARAMETER a BREAKPOINT assigns and reads (``parameter_writes``): NEURON keeps it in the instance,
  so a read that may come before this run's assignment sees the previous step's value. A read after
  an assignment on the same path does not (ModelDB 105385 iramp.mod: ``t_eff = t - del`` and then
  ``i = amp0 + ... * t_eff``, both inside one if-branch). ``unset_reads``.
- a STATE BREAKPOINT assigns (``describe.rewritten_states``): NEURON's nrn_cur runs BREAKPOINT twice a
  step, the second run from what the first left. The second run gives what one run gives when every
  value it reads of those BREAKPOINT assigns was computed earlier in the same run from such values
  only (ModelDB 105385 na6_gp.mod: ``isot = iso01 + ...`` then ``ist = isot + isit + isbt``), not
  when it reads its own previous value (``x = x*0.99``) or one assigned later or on some paths only.
  ``state_sites``.

Paths: an if/else's branches each from the values before it; after it, a name is set where every
branch (and, without an else, the path around it) set it. A FROM loop may run no time: what it sets
is not set after it, and (rule 2) a value it computes is never the same-run kind. A call of a
FUNCTION or PROCEDURE runs its body at the call, its arguments and LOCALs hiding the mechanism's
names. Conditions read their names before the branch they choose.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"\b[A-Za-z_]\w*\b")
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")


def _text(node) -> str:
    from excitable.io.nmodl.parse import dsl

    return dsl().to_nmodl(node)


class _Walk:
    """One pass over a block: ``clean`` is the set of ``names`` set so far on every path (rule 1:
    by any assignment; rule 2, ``strict``: by one whose reads of ``names`` were all clean, outside a
    loop and under conditions reading only clean ones). ``first_unset``: name -> the text of the
    first statement that may read it before it is set; ``sites``: STATE -> per top-level assignment
    (fine, under a condition that reads the STATE itself)."""

    def __init__(self, desc, names, strict: bool, states=()):
        self.desc, self.names, self.strict = desc, set(names), strict
        self.states = set(states)
        self.first_unset: dict[str, str] = {}
        self.sites: dict[str, list[tuple[bool, bool]]] = {x: [] for x in self.states}
        self.stack: tuple[str, ...] = ()  # the FUNCTIONs/PROCEDUREs being run (no recursion)
        self.read_here: set[str] = set()  # what the callee being run reads that is not clean

    def _callee(self, name):
        return self.desc.functions.get(name) or self.desc.procedures.get(name)

    def reads(self, node, clean: set, hidden: set, where: str) -> tuple[set, set]:
        """(clean after the calls in ``node``, names of ``names`` it reads that are not clean, in
        ``node`` or in the FUNCTIONs and PROCEDUREs it calls)."""
        text = _text(node)
        found: set[str] = set()
        for call in _CALL.findall(text):
            block = self._callee(call)
            if block is not None and call not in self.stack:
                clean, inner = self.callee(block, call, clean, hidden)
                found |= inner
        found |= {n for n in _NAME.findall(text) if n in self.names and n not in hidden and n not in clean}
        for n in found:
            self.first_unset.setdefault(n, where)
        self.read_here |= found
        return clean, found

    def callee(self, block, name: str, clean: set, hidden: set) -> tuple[set, set]:
        """(clean after a call of ``block``, what its body reads that is not clean)."""
        own = {p.get_node_name() for p in block.parameters} | set(_locals(block.statement_block))
        self.stack, outer, self.read_here = self.stack + (name,), self.read_here, set()
        try:
            clean = self.block(block.statement_block.statements, clean, hidden | own, set(), False, top=False)
            return clean, self.read_here
        finally:
            self.stack, self.read_here = self.stack[:-1], outer | self.read_here

    def block(self, statements, clean: set, hidden: set, guard: set, loop: bool, top: bool = True) -> set:
        clean = set(clean)
        for st in statements:
            e = st.expression if st.is_expression_statement() else st
            if e.is_binary_expression() and e.op.eval() == "=":
                whole = _text(e.lhs).strip()  # an array element's "x[0]": its STATE's name
                target = _NAME.findall(whole)[0]
                clean, unset = self.reads(e.rhs, clean, hidden, _text(e))
                if top and whole in self.sites:
                    self.sites[whole].append((not loop and not unset and not (guard - {target}), target in guard))
                if target in self.names and target not in hidden:
                    fine = not self.strict or not (loop or unset or guard)
                    clean = clean | {target} if fine else clean - {target}
            elif e.is_statement_block():
                clean = self.block(e.statements, clean, hidden, guard, loop, top)
            elif e.is_if_statement():
                clean = self.branches(e, clean, hidden, guard, loop, top)
            elif e.is_from_statement():
                inner = self.block(e.statement_block.statements, clean, hidden, guard, True, top)
                clean = clean & inner if self.strict else clean
            elif not (st.is_local_list_statement() or st.is_table_statement()):  # a TABLE names what it sets
                clean, _ = self.reads(e, clean, hidden, _text(e))
        return clean

    def branches(self, e, clean: set, hidden: set, guard: set, loop: bool, top: bool) -> set:
        """The names set after an if / else if / else, each branch from ``clean`` (its conditions
        read before it)."""
        outs, conds = [], set()
        for cond, body in [(e.condition, e.statement_block), *((b.condition, b.statement_block) for b in e.elseifs)]:
            clean, unset = self.reads(cond, clean, hidden, f"if ({_text(cond)})")
            conds |= unset
            outs.append(self.block(body.statements, clean, hidden, guard | conds, loop, top))
        if e.elses is not None:
            outs.append(self.block(e.elses.statement_block.statements, clean, hidden, guard | conds, loop, top))
        else:
            outs.append(clean)
        return set.intersection(*outs)


def _locals(statement_block) -> list[str]:
    return [n for st in statement_block.statements if st.is_local_list_statement()
            for n in _NAME.findall(_text(st))[1:]]


def unset_reads(desc, block, names) -> dict[str, str]:
    """name (of ``names``) -> the text of the first statement (or ``if (condition)``) of ``block``
    that may read it before this run of the block has set it on that path (rule 1)."""
    walk = _Walk(desc, names, strict=False)
    hidden = set(_locals(block.statement_block))
    walk.block(block.statement_block.statements, set(), hidden, set(), False)
    return walk.first_unset


def unset_at_end(desc, block, names) -> set[str]:
    """The names (of ``names``) that some path of ``block`` leaves unset (``if (v > -60) { tlast = t }``):
    after such a run they hold what an earlier run left."""
    walk = _Walk(desc, names, strict=False)
    hidden = set(_locals(block.statement_block))
    clean = walk.block(block.statement_block.statements, set(), hidden, set(), False)
    return {n for n in names if n not in clean and n not in hidden}


def state_sites(desc, block, assigned, states) -> dict[str, list[tuple[bool, bool]]]:
    """STATE -> (same value on a second run, its own value in a condition around it) for each of
    its assignments at BREAKPOINT's level (rule 2): the assignment reads none of ``assigned``
    (what the block sets) but values this run set before from such values, outside a loop, under
    conditions that read none either (but the STATE itself)."""
    walk = _Walk(desc, assigned, strict=True, states=states)
    # BREAKPOINT's LOCALs are names it assigns like any other (a STATE through one: `q = x  x = q*0.99`)
    walk.block(block.statement_block.statements, set(), set(), set(), False)
    return walk.sites


def line_of(lines: list[tuple[int, str, bool]], statement: str, name: str) -> int:
    """The line (of ``lines``: parameter_writes' flat (line, code, conditional)) holding
    ``statement`` (white space and parentheses aside), else the first mentioning ``name``, else 0."""
    squeeze = lambda s: re.sub(r"[\s()]", "", s)
    want = squeeze(statement)[:40]
    word = re.compile(rf"\b{re.escape(name)}\b")
    hits = [n for n, code, _ in lines if word.search(code)]
    return next((n for n, code, _ in lines if want and want in squeeze(code)), hits[0] if hits else 0)
