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
        for mark in (":", "?"):
            line = line.split(mark, 1)[0]
        out.append(line)
    return out
