"""NMODL comments blanked out of a file's lines, so that a search for a keyword finds code only."""

from __future__ import annotations


def strip_comments(text: str) -> list[str]:
    """The file's lines with NMODL comments blanked (``: ...``, ``? ...``, COMMENT ... ENDCOMMENT),
    so a keyword search finds code only; line numbers are kept."""
    out, in_block = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if in_block:
            out.append("")
            in_block = not stripped.startswith("ENDCOMMENT")
            continue
        if stripped.startswith("COMMENT"):
            out.append("")
            in_block = True
            continue
        out.append(_code(line))
    return out


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
