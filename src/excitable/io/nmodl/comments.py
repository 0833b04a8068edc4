"""NMODL comments blanked out of a file's lines, so that a search for a keyword finds code only."""

from __future__ import annotations


def strip_comments(text: str) -> list[str]:
    """The file's lines with NMODL comments blanked (``: ...``, ``? ...``, COMMENT ... ENDCOMMENT),
    so a keyword search finds code only; line numbers are kept."""
    return [_code(line) for line in without_comment_blocks(text).splitlines()]


def without_comment_blocks(text: str) -> str:
    """``text`` with each line of a COMMENT ... ENDCOMMENT block (from a line starting COMMENT to one
    starting ENDCOMMENT, or one line holding both) made empty; line numbers are kept. What NEURON's
    NMODL framework parses: its lexer stops at ENDVERBATIM or ENDCOMMENTS inside a COMMENT (Bezaire
    et al.'s ch_*.mod keep a VERBATIM block there), which nocmodl reads as comment."""
    out, in_block = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if in_block:
            out.append("")
            in_block = not stripped.startswith("ENDCOMMENT")
            continue
        if stripped.startswith("COMMENT"):
            out.append("")
            in_block = "ENDCOMMENT" not in stripped[len("COMMENT"):].split()
            continue
        out.append(line)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def _code(line: str) -> str:
    """``line`` up to its comment (``:`` or ``?``), a ``:`` inside a string not counting
    (``printf("g: %g\\n", g)``, as NMODL's lexer reads it)."""
    quoted = False
    for k, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch in ":?" and not quoted:
            return line[:k]
    return line
