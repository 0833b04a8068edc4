"""The few VERBATIM (C) forms excitable runs without running C, found in a file's code lines
(``comments.strip_comments``), and the lines a keyword search should see.

Each form is one NEURON's generated C makes exact in NMODL terms:

* a final ``return;`` (or ``return 0;``) closing a PROCEDURE's or INITIAL's body: nothing follows
  it, so it does nothing (Migliore's channels, ModelDB 123815's ichan2.mod);
* an early-return guard ``if (c) { VERBATIM return; ENDVERBATIM }`` at the top level of NET_RECEIVE
  or a PROCEDURE (Blue Brain's DetAMPANMDA.mod, DetGABAAB.mod: ``if (t < 0)``): the C function
  returns there, so the statements after it run only where ``c`` is false
  (``return_guards.py`` compiles it so);
* a copy ``cai = _ion_cai;`` of a variable the file READs from that ion and never assigns
  (M1NetworkModel's Ican.mod, Allen's iahp.mod, in INITIAL): NEURON's C copies the ion's value into
  the mechanism's variable at the start of every nrn_init, nrn_cur and nrn_state, so the copy
  leaves the value it already has.

Blocks are found by brace depth (a keyword line may open a block inside another: NET_RECEIVE's own
``INITIAL {``), on lines whose string literals are blanked (``blank_strings``): a ``{`` or a word in
a printf format is text, not code.
"""

from __future__ import annotations

import re

_RETURN = re.compile(r"\s*return\s*(0\s*)?;\s*")
_COPY = re.compile(r"\s*([A-Za-z_]\w*)\s*=\s*_ion_([A-Za-z_]\w*)\s*")
#: Blocks whose ``name = value`` lines are declarations (defaults, units), not assignments.
_DECLARATIONS = ("PARAMETER", "ASSIGNED", "STATE", "CONSTANT", "NEURON", "UNITS", "INDEPENDENT", "DEFINE")


def blank_strings(lines: list[str]) -> list[str]:
    """``lines`` with the contents of every ``"..."`` literal replaced by spaces (quotes, line count
    and columns kept): a printf's ``"(BEFORE) v=%g"`` holds no keyword. NMODL strings stay on one
    line; a backslash escapes the next character (C's ``\\"``)."""
    out = []
    for line in lines:
        chars, quoted, escaped = list(line), False, False
        for k, ch in enumerate(chars):
            if quoted and escaped:
                chars[k], escaped = " ", False
            elif quoted and ch == "\\":
                chars[k], escaped = " ", True
            elif ch == '"':
                quoted = not quoted
            elif quoted:
                chars[k] = " "
        out.append("".join(chars))
    return out


def blank_verbatim(lines: list[str]) -> list[str]:
    """``lines`` with the C between VERBATIM and ENDVERBATIM blanked (the two keyword lines kept):
    C's words are no NMODL construct (the VERBATIM itself is refused unless it is a form above)."""
    inside = _spans(lines)
    return ["" if n in inside else line for n, line in enumerate(lines, 1)]


def verbatims(lines: list[str]) -> list[tuple[int, int, str]]:
    """(VERBATIM line, ENDVERBATIM line, the C between with C comments blanked) of each block
    written on lines of their own, 1-based."""
    out = []
    for k, line in enumerate(lines):
        if re.search(r"\bVERBATIM\b", line) and not re.search(r"\bENDVERBATIM\b", line):
            end = next((j for j in range(k + 1, len(lines)) if re.search(r"\bENDVERBATIM\b", lines[j])), None)
            if end is not None and re.fullmatch(r"\s*VERBATIM\s*", line) and re.fullmatch(r"\s*ENDVERBATIM\s*", lines[end]):
                # a C comment the NMODL comment blanking cut at its `:` ends with its line
                text = re.sub(r"/\*.*?\*/", " ", "\n".join(lines[k + 1:end]), flags=re.S)
                text = re.sub(r"/\*.*|//.*", " ", text)
                out.append((k + 1, end + 1, text))
    return out


def open_blocks(lines: list[str]) -> list[list[str]]:
    """For each line, the headers of the blocks open at its start, outermost first: the code before
    each unclosed ``{`` (after the brace before it on its line; the previous code line's where the
    ``{`` opens its line), e.g. ``["NET_RECEIVE(weight (uS))", "if (t < 0)"]``. C inside VERBATIM
    counts too (its braces are balanced in any file nocmodl compiles)."""
    code = blank_strings(lines)
    stack: list[str] = []
    out, previous = [], ""
    for line in code:
        out.append(list(stack))
        last = 0
        for k, ch in enumerate(line):
            if ch == "{":
                head = line[last:k].strip()
                stack.append(head if head or last else previous)
                last = k + 1
            elif ch == "}":
                if stack:
                    stack.pop()
                last = k + 1
        if line.strip():
            previous = line.strip()
    return out


def final_returns(lines: list[str]) -> set[int]:
    """VERBATIM lines of ``return 0;`` (or ``return;``) blocks directly in a PROCEDURE's or the
    top-level INITIAL's body, the next code the body's closing brace: C that does nothing there
    (``return_guards.is_final_return`` skips exactly these). NET_RECEIVE's inner INITIAL is no such
    body: a return there leaves NET_RECEIVE."""
    opened = open_blocks(lines)
    out = set()
    for start, end, body in verbatims(lines):
        after = next((ln.strip() for ln in lines[end:] if ln.strip()), "")
        heads = opened[start - 1]
        if (len(heads) == 1 and re.match(r"(PROCEDURE|INITIAL)\b", heads[0]) and _RETURN.fullmatch(body)
                and after.startswith("}")):
            out.add(start)
    return out


def return_guards(lines: list[str]) -> set[int]:
    """VERBATIM lines of early-return guards ``if (c) { VERBATIM return; ENDVERBATIM }`` (``return
    0;`` too) standing at the top level of NET_RECEIVE or a PROCEDURE: the if alone (no ``else if``
    before it, no else after it), its block nothing but the VERBATIM, the C nothing but the return.
    A PROCEDURE's only where nothing but NET_RECEIVE calls it (SOLVE'd, or from events): what the
    statements after the guard set then keeps its value where the guard returns, as the event path
    and nrn_state keep it, where a BREAKPOINT's call would leave what the analysis of what BREAKPOINT
    sets first (flow.py, which reads no VERBATIM) takes as set (measured: 1.0 of i's range off)."""
    opened = open_blocks(lines)
    out = set()
    for start, end, body in verbatims(lines):
        heads = opened[start - 1]
        if (len(heads) != 2 or not re.match(r"(NET_RECEIVE|PROCEDURE)\b", heads[0])
                or not re.fullmatch(r"if\s*\(.*\)", heads[1]) or not _RETURN.fullmatch(body)):
            continue
        if heads[0].startswith("PROCEDURE") and not _called_from_events(lines, opened, heads[0]):
            continue
        brace = next(k for k in range(start - 2, -1, -1) if "{" in lines[k])  # the if's own `{` line
        if lines[brace].rsplit("{", 1)[1].strip() or any(ln.strip() for ln in lines[brace + 1:start - 1]):
            continue  # code between the `{` and the VERBATIM
        rest = [ln.strip() for ln in lines[end:] if ln.strip()]
        if not rest or not rest[0].startswith("}"):
            continue  # code after the VERBATIM inside the if
        following = rest[0][1:].strip() or (rest[1] if len(rest) > 1 else "")
        if not re.match(r"else\b", following):
            out.add(start)
    return out


def _called_from_events(lines: list[str], opened: list[list[str]], header: str) -> bool:
    """Whether every call of the PROCEDURE ``header`` opens stands inside NET_RECEIVE."""
    name = re.escape(re.match(r"PROCEDURE\s+(\w+)", header).group(1))
    code = blank_verbatim(blank_strings(lines))
    calls = [n for n, line in enumerate(code) if re.search(rf"\b{name}\s*\(", line)
             and not re.match(r"\s*PROCEDURE\b", line)]
    return all(opened[n] and opened[n][0].startswith("NET_RECEIVE") for n in calls)


def ion_copies(lines: list[str], reads: dict[str, str]) -> set[int]:
    """VERBATIM lines of blocks whose statements are all ``name = _ion_name;`` with ``name`` READ
    from an ion (``reads``: variable -> ion, the variables read and not written) and assigned by no
    statement of the file, outside NET_RECEIVE (which NEURON gives no copy-in): the copy leaves
    ``name`` as it is."""
    opened = open_blocks(lines)
    code = blank_verbatim(blank_strings(lines))
    assigned = {m for n, line in enumerate(code) if not (opened[n][0] if opened[n] else line.strip()).startswith(_DECLARATIONS)
                for m in re.findall(r"\b([A-Za-z_]\w*)\s*=(?!=)", line)}  # a block's own line: its header
    out = set()
    for start, _, body in verbatims(lines):
        statements = body.split(";")
        if statements[-1].strip() or len(statements) < 2 or (opened[start - 1] and opened[start - 1][0].startswith("NET_RECEIVE")):
            continue  # each statement ends with `;`
        copies = [_COPY.fullmatch(s) for s in statements[:-1]]
        if all(m and m.group(1) == m.group(2) and m.group(1) in reads and m.group(1) not in assigned for m in copies):
            out.add(start)
    return out


def _spans(lines: list[str]) -> set[int]:
    """1-based lines strictly between VERBATIM and ENDVERBATIM."""
    out, inside = set(), False
    for n, line in enumerate(lines, 1):
        if re.search(r"\bENDVERBATIM\b", line):
            inside = False
        elif re.search(r"\bVERBATIM\b", line):
            inside = True
        elif inside:
            out.add(n)
    return out
