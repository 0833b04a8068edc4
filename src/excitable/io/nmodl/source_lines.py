"""The line of a .mod file where a construct the compiler refuses stands (``Compiler.fail``): the
Python bindings of NEURON's NMODL framework give no token positions, so the construct's NMODL text
(``to_nmodl`` of its node, first line) is searched in the file's code lines, spaces ignored (the
framework prints ``v+65`` where the file may have ``v + 65``)."""

from __future__ import annotations

import re

from excitable.errors import ModelError


def line_of(path, snippet: str) -> int | None:
    """The 1-based line of the first code line (comments blanked) that holds ``snippet``, spaces
    ignored, then case too (NMODL's names are case-sensitive: a line with the names as printed comes
    first; the framework prints ``WHILE`` for a file's ``while``); None where the file cannot be read
    or no line holds it whole (a construct the framework rewrote: then the message names the file
    only)."""
    from excitable.io.nmodl.parse import read_text, strip_comments

    want = re.sub(r"\s+", "", snippet)
    if not want:
        return None
    try:
        _, text = read_text(path)
    except ModelError:
        return None
    code = [re.sub(r"\s+", "", line) for line in strip_comments(text)]
    return (next((n for n, line in enumerate(code, 1) if want in line), None)
            or next((n for n, line in enumerate(code, 1) if want.lower() in line.lower()), None))
