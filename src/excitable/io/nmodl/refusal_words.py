"""The message of a construct the compiler meets but does not run (``expressions.Compiler.fail``):
``file:line: <construct in words> (<its text>) not supported``.

The Python bindings of NEURON's NMODL framework give no token positions, so the line is found by
the construct's NMODL text as the framework prints it (first line of ``to_nmodl``), compared with
the file's code lines without spaces and case: the framework re-spells keywords (a file's ``while
(n < 3) {`` prints as ``WHILE (n<3) {``, nocmodl takes both). The AST's class names a refusal may
fall back on (``WhileStatement``) are put in the words the file's author knows.
"""

from __future__ import annotations

import re

from excitable.io.nmodl.source_lines import line_of

#: AST node class -> the construct in NMODL's words; another class name is split into lower-case words.
WORDS = {
    "WhileStatement": "WHILE loop",
    "ForNetcon": "FOR_NETCONS",
    "LagStatement": "LAG",
    "SensBlock": "SENS",
    "Verbatim": "C code in VERBATIM",
    "ReactionStatement": "reaction (~ equation)",
    "LinEquation": "~ equation of a LINEAR block",
    "NonLinEquation": "~ equation of a NONLINEAR block",
    "DiffEqExpression": "differential equation",
    "WatchStatement": "WATCH statement",
    "MutexLock": "MUTEXLOCK",
    "MutexUnlock": "MUTEXUNLOCK",
}


def words(what: str) -> str:
    """``what`` in words where it is an AST class name (``WhileStatement`` -> ``WHILE loop``)."""
    if what in WORDS:
        return WORDS[what]
    if re.fullmatch(r"(?:[A-Z][a-z0-9]+){2,}", what):
        return " ".join(part.lower() for part in re.findall(r"[A-Z][a-z0-9]+", what))
    return what


def message(path, what: str, node=None) -> str:
    """``Compiler.fail``'s one-line message: where (file:line, an INCLUDEd file's own where the
    construct is there), the construct in words and the start of its text."""
    text, where = "", str(path)
    if node is not None:
        from excitable.io.nmodl.includes import located
        from excitable.io.nmodl.parse import dsl

        first = dsl().to_nmodl(node).strip().splitlines()[0]
        text = f" ({first[:60]})"
        if line := line_of(path, first):
            where = located(path, line)
    return f"{where}: {words(what)}{text} not supported"
