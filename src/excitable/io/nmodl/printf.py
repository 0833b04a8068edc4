"""``printf`` in a .mod file (ModelDB 113997 ipulse3.mod in INITIAL, 83319 if3.mod in an error
branch): NEURON prints its arguments to the terminal, and that is all it does. excitable prints
nothing: the statement is taken out of the parsed blocks (``strip``, before anything is compiled),
and ``excitable mod check`` says so ("printf: not printed").

Exact where nothing else in the statement has an effect: its arguments are strings and values,
read only. One whose arguments call a PROCEDURE of the file, or a FUNCTION of it that assigns
something besides its own LOCALs and value, would change the mechanism only in NEURON: refused with
its line (``problems``), as is a printf that is not a statement of its own (its count used in an
expression).
"""

from __future__ import annotations

import re

_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")


def _is_printf(statement) -> bool:
    e = getattr(statement, "expression", None)
    e = e.expression if e is not None and e.is_wrapped_expression() else e
    return e is not None and e.is_function_call() and e.get_node_name() == "printf"


def strip(mod) -> int:
    """Take every printf statement out of the file's blocks (in place); the number taken out."""
    from neuron.nmodl import ast, visitor

    taken = 0
    for block in visitor.AstLookupVisitor().lookup(mod.program, ast.AstNodeType.STATEMENT_BLOCK):
        statements = list(block.statements)
        kept = [st for st in statements if not _is_printf(st)]
        if len(kept) != len(statements):
            block.statements = kept
            taken += len(statements) - len(kept)
    return taken


def _writes(block) -> set[str]:
    """The names a FUNCTION or PROCEDURE assigns besides its LOCALs, arguments and own value."""
    from excitable.io.nmodl.parse import dsl

    text = dsl().to_nmodl(block.statement_block)
    own = {block.get_node_name()} | {p.get_node_name() for p in block.parameters}
    own |= {n for decl in re.findall(r"\bLOCAL\b([^\n]*)", text) for n in re.findall(r"[A-Za-z_]\w*", decl)}
    return set(re.findall(r"\b([A-Za-z_]\w*)(?:\[[^\]]*\])?\s*=(?!=)", text)) - own


def _arguments(line: str) -> str:
    """The text inside the first ``printf( ... )`` of a line (to the matching parenthesis or the
    line's end), strings blanked."""
    start = re.search(r"\bprintf\s*\(", line).end()
    depth, out = 1, []
    for ch in re.sub(r'"(?:\\.|[^"\\])*"', '""', line[start:]):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            break
        out.append(ch)
    return "".join(out)


def problems(mod, desc, lines: list[str]) -> list[tuple[int, str]]:
    """(line, construct) of each printf whose arguments call the file's PROCEDURE or a FUNCTION
    that assigns (``lines``: the code with comments blanked, strings kept whole)."""
    found = []
    for n, line in enumerate(lines, 1):
        if not re.search(r"\bprintf\s*\(", line):
            continue
        if re.search(r"[=+\-*/^(,<>!&|]\s*printf\s*\(", line):  # an operand: its count used, not a statement
            found.append((n, "printf() inside an expression"))
            continue
        for name in _CALL.findall(_arguments(line)):
            if name in desc.procedures:
                found.append((n, f"printf() calling PROCEDURE {name} (printf is not run here, so neither would be "
                                 "the call)"))
            elif name in desc.functions and (w := sorted(_writes(desc.functions[name]))):
                found.append((n, f"printf() calling FUNCTION {name}, which assigns {', '.join(w)} (printf is not "
                                 "run here, so neither would be the call)"))
    return found


def check_lines(mod, desc) -> list[str]:
    """``excitable mod check``'s line on the file's printf statements that run as nothing (those
    ``problems`` refuses are listed with the refusals)."""
    from excitable.io.nmodl.parse import strip_comments

    lines = strip_comments(mod.text)
    refused = {n for n, _ in problems(mod, desc, lines)}
    at = [n for n, line in enumerate(lines, 1) if re.search(r"\bprintf\s*\(", line) and n not in refused]
    if not at:
        return []
    return [f"  printf: not printed (line{'s' if len(at) > 1 else ''} {', '.join(map(str, at))}: NEURON's "
            "terminal output only, nothing else in the statement has an effect)"]
