"""C that tests a POINTER nothing here sets: Blue Brain's probabilistic synapses
(ProbAMPANMDA_EMS.mod, ProbGABAAB_EMS.mod in BluePyOpt's l5pc, ModelDB 229276 and 267691, the
neocortical and hippocampal microcircuits), run as NEURON runs the file when hoc never calls setRNG.

Their ``POINTER rng`` (or ``BBCOREPOINTER rng``) is attached to a hoc Random only by C in a
PROCEDURE hoc calls (``setRNG``) or by CoreNEURON's ``bbcore_read``; no NMODL statement can set it.
Here there is no hoc, so the pointer is NULL, as in NEURON when setRNG is not called, and
``if (_p_rng) { C }`` is false: NEURON runs the else branch, ``value = scop_random()`` (a uniform
draw on [0, 1): random_draws.py; NEURON's distribution, not its mcell_ran4 stream) or
``value = 0.0;`` (the BBCOREPOINTER versions' urand then returns 0). That is exactly known without
running C, so these forms run, and nothing else:

(a) a file-level VERBATIM of preprocessor lines (#include, #if/#ifdef/#ifndef/#else/#elif/#endif,
    ``#define NAME ...`` of a NAME no NMODL code uses), C prototypes, and ``static`` function
    definitions no NMODL code names (``bbcore_write``/``bbcore_read``: CoreNEURON's, never called in
    a NEURON run): declarations, no effect (``file_level``);
(b) the VERBATIM blocks at the top level of a block's body, read together with the NMODL statements
    between them, made of: ``double name [= number], ...;`` (C locals), ``if (_p_X) {C} [else {...}]``
    with X a POINTER or BBCOREPOINTER that no NMODL code mentions (the C branch dropped unread, the
    else branch kept), ``name = number;`` / ``name = local;`` to a C local or ``_l<function>`` (the
    FUNCTION's value), a final ``return local;`` of a FUNCTION, and the NMODL statements themselves
    (``bodies``; the grammars: c_forms.py). The block's statements are then replaced by their NMODL equivalent (``apply``):
    ``LOCAL name``, the assignments, the NMODL statements in their place.

The C is tokenized (words, numbers, punctuation; comments dropped), never evaluated. Refused with
their line (``problems``): a C local read before anything sets it (ModelDB 267691's ProbGABAAB_EMS
sets ``urand = scop_random(1)`` and then ``urand = value``, an uninitialized C double: NEURON's
value is whatever the stack held), a C local named as one of the file's variables, a tested pointer
that NMODL code reads, and a body testing a pointer in any other C (a C call or a pointer test in the
else branch, ``else if``, ``if (!_p_X)``, NMODL in the pointer's own branch).
"""

from __future__ import annotations

import dataclasses
import re

from excitable.io.nmodl.block_bodies import top_level
from excitable.io.nmodl.c_forms import NotForm, Reader, declarations, tokens
from excitable.io.nmodl.random_draws import uncalled
from excitable.io.nmodl.verbatim_forms import blank_strings, blank_verbatim

#: The blocks whose lines hold no NMODL code (declarations).
_DECLARATIONS = ("NEURON", "ASSIGNED", "PARAMETER", "STATE", "UNITS", "CONSTANT")
_WORD = re.compile(r"[A-Za-z_]\w*")


@dataclasses.dataclass
class Body:
    """A block body read under the pointers' test: what replaces its statements and what it says."""

    block: object  # the AST block whose statement_block is rewritten
    lines: tuple[int, ...]  # its VERBATIM lines (1-based)
    spans: set  # every line of its VERBATIM blocks
    tested: tuple[str, ...]  # X of each if (_p_X)
    steps: list  # ("nmodl", statement) | ("c", NMODL text of one C statement)
    problem: tuple[int, str] | None = None  # a form refused with its line


def _verbatim_nodes(mod) -> list:
    from neuron.nmodl import ast, visitor

    return list(visitor.AstLookupVisitor().lookup(mod.program, ast.AstNodeType.VERBATIM))


def _verbatim_lines(lines: list[str]) -> list[int]:
    return [n for n, ln in enumerate(lines, 1) if re.search(r"\bVERBATIM\b", ln) and not re.search(r"\bENDVERBATIM\b", ln)]


def _end_of(lines: list[str], start: int) -> int:
    return next((k for k in range(start, len(lines) + 1) if re.search(r"\bENDVERBATIM\b", lines[k - 1])), start)


def _nmodl_code(lines: list[str]) -> list[str]:
    """The code lines NMODL statements stand on: C and strings blanked, declaration blocks too."""
    code = blank_verbatim(blank_strings(lines))
    # a declaration block from its header to its closing brace, wherever its "{" stands
    skip = {n for b in top_level(code, "|".join(_DECLARATIONS)) for n in b.lines}
    return ["" if n in skip else line for n, line in enumerate(code, 1)]


def pointer_names(mod) -> dict[str, str]:
    """name -> "POINTER" or "BBCOREPOINTER" of the NEURON block's pointers."""
    out: dict[str, str] = {}
    for block in mod.program.blocks:
        if block.is_neuron_block():
            for st in block.statement_block.statements:
                if st.is_pointer() or st.is_bbcore_pointer():
                    out.update(dict.fromkeys((v.get_node_name() for v in st.variables),
                                             "POINTER" if st.is_pointer() else "BBCOREPOINTER"))
    return out


def unset_pointers(mod, lines: list[str]) -> dict[str, str]:
    """The pointers no NMODL code names (nothing in NMODL reads or sets them): NULL in a run here."""
    code = "\n".join(_nmodl_code(lines))
    return {x: kind for x, kind in pointer_names(mod).items() if not re.search(rf"\b{re.escape(x)}\b", code)}


def file_level(mod, lines: list[str]) -> list[int]:
    """VERBATIM lines of form (a) blocks (module docstring)."""
    nodes, starts = _verbatim_nodes(mod), _verbatim_lines(lines)
    if len(nodes) != len(starts):
        return []
    top = {id(b) for b in mod.program.blocks}
    words = set(_WORD.findall("\n".join(_nmodl_code(lines))))
    out = []
    for node, start in zip(nodes, starts):
        if id(node) in top:
            try:
                declarations(node.statement.eval(), words)
                out.append(start)
            except NotForm:
                pass
    return out


def bodies(mod, lines: list[str]) -> list[Body]:
    """The block bodies whose top-level C tests an unset pointer (form (b)); a body that does but is
    no form carries its ``problem``."""
    nodes, starts = _verbatim_nodes(mod), _verbatim_lines(lines)
    if len(nodes) != len(starts):
        return []
    where = {id(n): s for n, s in zip(nodes, starts)}
    unset, out, dead = unset_pointers(mod, lines), [], _dead(lines)
    base = blank_verbatim(blank_strings(lines))  # the declaration blocks' words: what _nmodl_code blanks of these
    declared = {w for ln, c in zip(base, _nmodl_code(lines)) if ln.strip() and not c for w in _WORD.findall(ln)}
    for block in mod.program.blocks:
        sb = getattr(block, "statement_block", None)
        statements = list(sb.statements) if sb is not None and not block.is_neuron_block() else []
        verbatim = [st for st in statements if st.is_verbatim() and id(st) in where]
        texts = [st.statement.eval() for st in verbatim]
        if not any(re.search(r"\b_p_\w+", t) for t in texts) or any(where[id(st)] in dead for st in verbatim):
            continue  # no pointer tested; a block only hoc calls (setRNG): never run (random_draws.uncalled)
        name = block.get_node_name() if block.is_function_block() else None
        body = Body(block, tuple(where[id(st)] for st in verbatim), set(), (), [])
        for st in verbatim:
            body.spans |= set(range(where[id(st)], _end_of(lines, where[id(st)]) + 1))
        stream = []
        for st in statements:
            if st.is_verbatim() and id(st) in where:
                stream += [(t, where[id(st)]) for t in tokens(st.statement.eval())]
            elif not (st.is_line_comment() or st.is_block_comment()):
                stream.append((st, None))
        try:
            body.tested, body.steps = Reader(stream, unset, name, body.lines[0]).read()
            body.problem = _shadowing(body, declared) or _unset_reads(body, lines)
        except NotForm as exc:
            line = exc.args[1] if len(exc.args) > 1 else body.lines[0]
            body.problem = (line, f"VERBATIM (C code) testing a POINTER ({exc.args[0]})")
        out.append(body)
    return out


def _shadowing(body: Body, declared: set[str]) -> tuple[int, str] | None:
    """A C local named as a variable the file declares: nocmodl's macro for the variable would make
    NEURON's C fail to compile, where a LOCAL here would hide the variable."""
    clash = [x for kind, x in body.steps if kind == "local" and x in declared]
    if clash:
        return body.lines[0], f"VERBATIM (C code) declaring a C local {clash[0]}, a name the file declares"
    return None


def _line_of(lines: list[str], text: str, after: int) -> int:
    """The first line from ``after`` on holding the NMODL statement ``text`` (as to_nmodl writes it)."""
    rx = re.compile(r"\s*".join(re.escape(t) for t in tokens(text.splitlines()[0])))
    return next((n for n in range(after, len(lines) + 1) if rx.search(lines[n - 1])), after)


def _unset_reads(body: Body, lines: list[str]) -> tuple[int, str] | None:
    """A C local read before a C assignment or a top-level NMODL ``local = ...`` sets it."""
    from excitable.io.nmodl.parse import dsl

    declared, assigned = [n for kind, n in body.steps if kind == "local"], set()
    for kind, item in body.steps:
        if kind == "local":
            continue
        text = item if kind == "c" else dsl().to_nmodl(item)
        target, _, rhs = text.partition("=") if re.match(r"\s*\w+\s*=(?!=)", text) else ("", "", text)
        read = [x for x in declared if re.search(rf"\b{x}\b", rhs) and x not in assigned]
        if read:
            return (_line_of(lines, text, body.lines[0]) if kind == "nmodl" else body.lines[-1],
                    f"{text.strip()}: C local {read[0]} read before anything sets it (NEURON's C reads an "
                    "uninitialized double there)")
        if kind == "c" or item.is_expression_statement():
            assigned.add(target.strip())
    return None


@dataclasses.dataclass
class Reading:
    """What a file's C under its unset pointers comes to (``read``): found once per parsed file,
    before ``apply`` rewrites the AST (after which its VERBATIM nodes no longer match its lines)."""

    harmless: set  # the lines of forms (a) and (b), and of BBCOREPOINTERs NMODL never names
    bodies: list  # form (b)'s bodies (those refused carry their problem)
    problems: list  # (line, construct)
    rewritten: bool = False


def read(mod, lines: list[str]) -> Reading:
    """The file's ``Reading`` (kept on ``mod``: the same parsed file is read once)."""
    cached = getattr(mod, "_null_pointers", None)
    if cached is not None:
        return cached
    harmless = set()
    for n in file_level(mod, lines):
        harmless |= set(range(n, _end_of(lines, n) + 1))
    unset = unset_pointers(mod, lines)
    harmless |= {n for n, ln in enumerate(lines, 1) if re.search(r"\bBBCOREPOINTER\b", ln)
                 and all(x in unset for x in re.findall(r"\w+", ln.split("BBCOREPOINTER", 1)[1]))}
    found = bodies(mod, lines)
    for body in found:
        harmless |= body.spans
    problems = [b.problem for b in found if b.problem is not None] + _named_and_tested(mod, lines, unset)
    mod._null_pointers = Reading(harmless, found, problems)
    return mod._null_pointers


def apply(mod, lines: list[str]) -> set[int]:
    """The lines ``read`` lets through, each form (b) block rewritten in the AST into its NMODL
    (``LOCAL``s, assignments, its NMODL statements in place) so the compiler meets no C: called by
    the loader right after the file is parsed, before it is described or compiled; a second call
    rewrites nothing again."""
    reading = read(mod, lines)
    if not reading.rewritten:
        for body in reading.bodies:
            if body.problem is None:
                _rewrite(body)
        reading.rewritten = True
    return reading.harmless


def _rewrite(body: Body) -> None:
    from excitable.io.nmodl.parse import dsl

    c_steps = [f"LOCAL {item}" if kind == "local" else item for kind, item in body.steps if kind != "nmodl"]
    made = iter(dsl().NmodlDriver().parse_string("PROCEDURE null_pointers_() {\n" + "\n".join(c_steps) + "\n}")
                .blocks[0].statement_block.statements) if c_steps else iter(())
    new = [item if kind == "nmodl" else next(made) for kind, item in body.steps]
    kept = [st for st in body.block.statement_block.statements if st.is_line_comment() or st.is_block_comment()]
    body.block.statement_block.statements = kept + new


def problems(mod, lines: list[str]) -> list[tuple[int, str]]:
    """(line, construct): the bodies testing a pointer that are no form, and a tested pointer NMODL
    code names."""
    return read(mod, lines).problems


def _named_and_tested(mod, lines: list[str], unset: dict[str, str]) -> list[tuple[int, str]]:
    """A pointer C tests (outside blocks only hoc calls) that NMODL code names: ``unset_pointers``
    leaves it out, so nothing runs its test as false; refused at the NMODL line."""
    code, dead, found = _nmodl_code(lines), _dead(lines), []
    for x in pointer_names(mod):
        tests = [n for n in _verbatim_lines(lines) if n not in dead
                 and re.search(rf"\b_p_{re.escape(x)}\b", "\n".join(lines[n - 1:_end_of(lines, n)]))]
        if x not in unset and tests:
            n = next(k for k, ln in enumerate(code, 1) if re.search(rf"\b{re.escape(x)}\b", ln))
            found.append((n, f"POINTER {x} named in NMODL here and tested by C at line {tests[0]} (excitable runs "
                             f"if (_p_{x}) as false only for a pointer nothing here reads or sets)"))
    return found


def _dead(lines: list[str]) -> set[int]:
    return {n for a, b in uncalled(lines).values() for n in range(a, b + 1)}


_BLOCK_NAMES = {"InitialBlock": "INITIAL", "NetReceiveBlock": "NET_RECEIVE", "BreakpointBlock": "BREAKPOINT"}


def tested(mod, lines: list[str]) -> set[str]:
    """The pointers a form (b) tests (``pointers.check_lines`` leaves them to ``check_lines``)."""
    return {x for b in read(mod, lines).bodies if b.problem is None for x in b.tested}


def check_lines(mod, lines: list[str]) -> list[str]:
    """What ``mod check`` says of each pointer the C tests and nothing sets: one line each, with what
    each block testing it then runs (a FUNCTION's statements; another block's C dropped)."""
    from excitable.io.nmodl.parse import dsl

    dead, kinds, said = uncalled(lines), pointer_names(mod), {}
    for body in read(mod, lines).bodies:
        if body.problem is not None:
            continue
        block = body.block
        if block.is_function_block():
            runs = "; ".join(item if kind == "c" else dsl().to_nmodl(item).strip()
                             for kind, item in body.steps if kind != "local")
            what = f"{block.get_node_name()} runs {runs}"
        else:
            name = block.get_node_name() if block.is_procedure_block() else _BLOCK_NAMES.get(block.get_node_type_name(), "a block")
            what = f"{name} drops its C"
        for x in body.tested:
            said.setdefault(x, []).append(what)
    out = []
    for x, whats in said.items():
        setters = [p for p, (a, b) in dead.items() if any(re.search(rf"\b_p_{x}\b", ln) for ln in lines[a - 1:b])]
        by = f"hoc's {', '.join(setters)} sets it in NEURON" if setters else "only hoc or CoreNEURON sets it in NEURON"
        out.append(f"  {kinds[x]} {x}: never set here ({by}); if (_p_{x}) is false, as in NEURON without it: "
                   f"{'; '.join(whats)}")
    return out
