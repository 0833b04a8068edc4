"""INCLUDE "file" in a .mod file, read as NEURON's nocmodl reads it: the named file's text is part of
the mechanism (published models keep shared NET_RECEIVE blocks, PROCEDUREs and PARAMETERs in
``.inc`` files: ModelDB 168874's netcon.inc, 52034's sns.inc, 113732's presyn.inc).

Where a name is looked for, as nocmodl does: the .mod file's folder (nrnivmodl runs nocmodl there),
the folder of the file that names it (a nested INCLUDE), then each folder of the ``MODL_INCLUDE``
environment variable (``:``-separated). Nothing read is ever executed: the
text is parsed as NMODL, like the .mod file itself.

How: each top-level ``INCLUDE`` line becomes a marker comment naming the file, followed by that
file's text, where nocmodl reads it (the order matters where a file holds two BREAKPOINT or INITIAL
blocks, which NEURON runs one after the other: ModelDB 168874's NMDA.mod, one of them included).
``located`` turns a line of the whole text back into the file and line it came from, for every
``file:line`` message. An INCLUDE inside a block (where order would matter) is refused,
as are a missing file, a cycle, more than ``MAX_DEPTH`` levels and more than ``MAX_BYTES`` of text.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from excitable.errors import ModelError
from excitable.io.nmodl.comments import strip_comments

MAX_DEPTH = 8  # INCLUDE levels (published files use one)
MAX_BYTES = 4 * 2**20  # the whole text, bytes: a .mod file and its includes are kilobytes
MARK = ":: excitable: the text of INCLUDE "  # an NMODL comment, so the parser passes over it
_INCLUDE = re.compile(r'^\s*INCLUDE\s+"([^"]+)"\s*$')

#: str(path) of a file read -> [(first line of a part in its whole text, the part's file, that
#: part's first line in its file)]: for ``located``. Small (a few entries per INCLUDE); refreshed at
#: every read; absent for a file without INCLUDEs.
_PARTS: dict[str, list[tuple[int, str, int]]] = {}


def inline(path: Path, text: str) -> str:
    """``text`` (the file at ``path``) with its INCLUDEs' texts in place (module docstring)."""
    whole, parts = _inline(Path(path), text, [], 0, Path(path).parent)
    if len(parts) > 1:
        _PARTS[str(path)] = parts
    else:
        _PARTS.pop(str(path), None)
    return whole


def _inline(path: Path, text: str, stack: list[Path], depth: int, top: Path) -> tuple[str, list[tuple[int, str, int]]]:
    lines = text.splitlines()
    out: list[str] = []
    parts: list[tuple[int, str, int]] = [(1, str(path), 1)]
    depth_of_braces = 0
    for n, code in enumerate(strip_comments(text), 1):
        found = _INCLUDE.match(code)
        if found is None:
            if re.search(r"\bINCLUDE\b", code):
                raise ModelError(f"{path}:{n}: INCLUDE written other than as INCLUDE \"file\" on a line of its own "
                                 "not supported")
            depth_of_braces += code.count("{") - code.count("}")
            out.append(lines[n - 1])
            continue
        if depth_of_braces > 0:
            raise ModelError(f"{path}:{n}: INCLUDE inside a block not supported (only between blocks)")
        target = _find(found.group(1), path, n, top)
        if target.resolve() in stack or target.resolve() == path.resolve():
            raise ModelError(f"{path}:{n}: INCLUDE \"{found.group(1)}\" includes itself (a cycle)")
        if depth + 1 > MAX_DEPTH:
            raise ModelError(f"{path}:{n}: INCLUDE more than {MAX_DEPTH} levels deep not supported")
        sub, sub_parts = _inline(target, _read(target, path, n), [*stack, path.resolve()], depth + 1, top)
        out.append(MARK + str(target))  # in place of the INCLUDE line
        parts += [(len(out) + start, name, first) for start, name, first in sub_parts]
        out += sub.splitlines()
        parts.append((len(out) + 1, str(path), n + 1))  # this file again, from the line after
    whole = "\n".join(out) + "\n"
    if len(whole.encode()) > MAX_BYTES:
        raise ModelError(f"{path}: its text and INCLUDEs hold over {MAX_BYTES // 2**20} MB; not a mechanism")
    return whole, parts


def _find(name: str, path: Path, line: int, top: Path) -> Path:
    """The file INCLUDE "name" of ``path`` names: in ``top`` (the .mod file's folder), beside
    ``path``, then in MODL_INCLUDE's folders."""
    folders = [top, path.parent] + [Path(d) for d in os.environ.get("MODL_INCLUDE", "").split(":") if d]
    for folder in folders:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise ModelError(f"{path}:{line}: INCLUDE \"{name}\": no such file in {path.parent} "
                     "(nor in the folders of MODL_INCLUDE)")


def _read(target: Path, path: Path, line: int) -> str:
    try:
        if target.stat().st_size > MAX_BYTES:
            raise ModelError(f"{path}:{line}: INCLUDE \"{target}\" holds over {MAX_BYTES // 2**20} MB; not NMODL")
        return target.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ModelError(f"{path}:{line}: INCLUDE \"{target}\": cannot read it ({exc.strerror or exc})") from None


def located(path, line: int) -> str:
    """"file:line" of line ``line`` of the whole text of the file at ``path`` (its own line, or
    the line of the INCLUDE'd file it came from)."""
    file, start, first = str(path), 1, 1
    for part in _PARTS.get(str(path), ()):
        if line >= part[0]:
            start, file, first = part
    return f"{file}:{first + line - start}"


def sources(path) -> list[str]:
    """The file at ``path`` and those its last reading INCLUDEd (as messages name them)."""
    return [str(path)] + [name for _, name, _ in _PARTS.get(str(path), ())]


def included(path: Path, text: str, depth: int = 0, top: Path | None = None) -> list[tuple[str, Path]]:
    """(the name as the INCLUDE writes it, the file) of every INCLUDE of ``text``, nested ones too
    (for nrnivmodl, which needs them beside the .mod file). Call it on a file ``inline`` read."""
    top = Path(path).parent if top is None else top
    out = []
    for code in strip_comments(text) if depth <= MAX_DEPTH else ():
        found = _INCLUDE.match(code)
        if found:
            target = _find(found.group(1), Path(path), 0, top)
            out.append((found.group(1), target))
            out += included(target, _read(target, Path(path), 0), depth + 1, top)
    return out
