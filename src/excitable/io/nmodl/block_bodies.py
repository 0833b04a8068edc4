"""The top-level blocks of an NMODL file's text, braces counted from each header on: the one finder
the text checks use (events, unsupported, random_draws, null_pointers, event_checks).

NMODL lets a block's ``{`` stand on a later line than its keyword (``NET_RECEIVE (w)`` then ``{``,
blank or comment lines between; NEURON's nocmodl compiles all of these; ModelDB 2014822
ltpltd.mod is written so). A header is a line at depth 0 whose first word is in capitals; its block
opens at the first ``{`` on that line or, failing that, at a ``{`` that begins the next non-blank
line. A header with neither (``TITLE``, ``FUNCTION_TABLE``, ``INCLUDE``, ``VERBATIM``) opens no
block. Braces of lines outside any block (a top-level VERBATIM's C) are still counted, so that the
next header is found at depth 0 as before.

Callers give the lines with comments and strings already blanked (``parse.strip_comments``,
``verbatim_forms.blank_strings``): a brace in a comment or a string is not counted.
"""

from __future__ import annotations

import dataclasses
import re

_HEADER = re.compile(r"\s*([A-Z_][A-Z_0-9]*)\b")


@dataclasses.dataclass(frozen=True)
class Block:
    """One top-level block: ``name`` its header's keyword, ``header`` and ``end`` the line numbers
    (1-based) of its header and of its closing brace, ``body`` (line number, that line's text inside
    the braces) for every line from the opening brace's to the closing one's (the text before the
    opening ``{`` and after the closing ``}`` left out)."""

    name: str
    header: int
    end: int
    body: tuple[tuple[int, str], ...]

    @property
    def lines(self) -> range:
        """Line numbers from the header to the closing brace, both included."""
        return range(self.header, self.end + 1)


def _opening(lines: list[str], i: int) -> tuple[int, int] | None:
    """(line index, column) of the ``{`` that opens the block whose header is ``lines[i]``, or None."""
    if "{" in lines[i]:
        return i, lines[i].index("{")
    k = next((k for k in range(i + 1, len(lines)) if lines[k].strip()), None)
    if k is not None and lines[k].lstrip().startswith("{"):
        return k, lines[k].index("{")
    return None


def _close(lines: list[str], k: int, col: int) -> tuple[int, tuple[tuple[int, str], ...]]:
    """(index of the line with the brace matching the ``{`` at ``lines[k][col]``, the body lines)."""
    body, depth = [], 0
    for j in range(k, len(lines)):
        text = lines[j][col + 1:] if j == k else lines[j]
        depth += 1 if j == k else 0
        for c, ch in enumerate(text):
            depth += (ch == "{") - (ch == "}")
            if depth == 0:
                body.append((j + 1, text[:c]))
                return j, tuple(body)
        body.append((j + 1, text))
    return len(lines) - 1, tuple(body)  # unclosed: the parser refuses such a file before any check reads it


def top_level(lines: list[str], keyword: str = r"[A-Z_][A-Z_0-9]*") -> list[Block]:
    """The top-level blocks, in file order, whose header keyword matches ``keyword`` (a regular
    expression: ``"INITIAL"``, ``"PROCEDURE|FUNCTION"``; all blocks by default)."""
    rx, out, depth, i = re.compile(rf"(?:{keyword})\Z"), [], 0, 0
    while i < len(lines):
        m = _HEADER.match(lines[i]) if depth == 0 else None
        opened = _opening(lines, i) if m else None
        if opened is None:  # not a block's header: its braces still count (top-level C)
            depth = max(depth + lines[i].count("{") - lines[i].count("}"), 0)
            i += 1
            continue
        end, body = _close(lines, *opened)
        if rx.match(m.group(1)):
            out.append(Block(m.group(1), i + 1, end + 1, body))
        i = end + 1
    return out


def statements(lines: list[str], keyword: str) -> list[tuple[int, str]]:
    """(line number, stripped text) of the non-blank body lines of the top-level ``keyword`` blocks."""
    return [(n, text.strip()) for b in top_level(lines, keyword) for n, text in b.body if text.strip()]


def matching(lines: list[str], keyword: str, pattern: str) -> list[int]:
    """Line numbers of the body lines of the top-level ``keyword`` blocks whose text inside the
    braces matches ``pattern``."""
    rx = re.compile(pattern)
    return [n for b in top_level(lines, keyword) for n, text in b.body if rx.search(text)]


def nested(lines: list[str], outer: str, inner: str) -> list[tuple[int, str]]:
    """(line number, text) of the body lines of each ``inner`` block at the top level of an ``outer``
    block's body (the INITIAL inside NET_RECEIVE), either brace on any later line."""
    out = []
    for block in top_level(lines, outer):
        numbers, texts = zip(*block.body)
        out += [(numbers[k - 1], text) for b in top_level(list(texts), inner) for k, text in b.body]
    return out
