"""What the calls in INITIAL's run bind each FUNCTION's and PROCEDURE's argument (and each LOCAL) to,
and which of them hold a value that is the same in every instance: the one rule shared_values.py
(GLOBAL ASSIGNED, file-level LOCALs) and parameter_writes.py (GLOBAL PARAMETERs) apply to a GLOBAL
that INITIAL sets.

NEURON keeps a GLOBAL once for all instances; an INITIAL that sets it from a value the same in every
instance (``setVhalf(Vhalf)`` with GLOBAL Vhalf, ``mh(celsius)``, ``tadj = tadj_ca_l()`` of GLOBAL
PARAMETERs only: ModelDB 258643's SNc channels) gives every instance that value, so one per
instance is NEURON's run; one that sets it from v, a STATE, diam or a RANGE value through an
argument (``mh(v)``) does not. The arguments are followed through nested calls (``nh(y)`` calling
``kh(y)``), and a refusal names them as the file does, with what the call passed
(``x (argument of mh, given v at line 17)``), never by the ``_local_`` names of the flattened text.

Works on parameter_writes' flattened INITIAL (``Writes.flat``: called blocks spliced in at the
call, a block's arguments and LOCALs named ``_local_NAME``) and uniform_values' parsed blocks.
"""

from __future__ import annotations

import re

from excitable.io.nmodl.uniform_values import Uniform, call_arguments

_NAME = re.compile(r"\b([A-Za-z_]\w*)\b")


def names(expression: str) -> set[str]:
    """The names an expression reads (a number's unit, ``0.5 (um)``, is no variable)."""
    return set(_NAME.findall(re.sub(r"(\d)\s*\([^()]*\)", r"\1", expression)))


def shown(name: str, given: dict[str, str], uniform: Uniform | None = None) -> str:
    """A name of the flattened text as the file's reader knows it: an argument with what its call
    passed (``given``), a FUNCTION with the values of each instance it reads, a LOCAL by its name."""
    if name in given:
        return given[name]
    if uniform is not None and getattr(uniform.blocks.get(name), "kind", "") == "FUNCTION":
        reads = uniform.function_reads(name)
        return f"{name} (a FUNCTION reading {', '.join(reads)})" if reads else name
    return name.removeprefix("_local_")


def around(parsed, flat) -> dict[int, str]:
    """line -> the text of the if/while conditions around its statements when INITIAL runs it: those
    in its block and those around every call of that block from INITIAL or a block INITIAL calls,
    named as ``Writes.flat`` names them (a block's arguments and LOCALs ``_local_NAME``); "" for a
    line under none. Lines of blocks INITIAL does not run are absent."""
    run = {"INITIAL"} | {c for _, code, _ in flat for c in re.findall(r"\b(\w+)\s*\(", code) if c in parsed}
    run &= set(parsed)

    def named(key: str, text: str) -> str:
        hidden = parsed[key].args + sorted(parsed[key].locals)
        return re.sub(rf"\b({'|'.join(map(re.escape, hidden))})\b", r"_local_\1", text) if hidden else text

    def outer(key: str, seen: tuple[str, ...]) -> str:  # the conditions around every call of ``key``
        out = []
        for caller in sorted(run - {key} - set(seen)):
            b = parsed[caller]
            for _, text, conds in b.statements + b.conditions:
                if re.search(rf"\b{re.escape(key)}\s*\(", text):
                    out += [named(caller, " ".join(conds)), outer(caller, seen + (key,))]
        return " ".join(x for x in out if x)

    lines: dict[int, str] = {}
    for key in sorted(run):
        b, calls = parsed[key], outer(key, ())
        for line, _, conds in b.statements + b.conditions:
            lines[line] = " ".join(x for x in (lines.get(line, ""), named(key, " ".join(conds)), calls) if x)
    return lines


def untainted_locals(flat, common: set[str], arguments: dict[str, list[str]],
                     conditions: dict[int, str]) -> tuple[set[str], dict[str, str]]:
    """The block LOCALs and arguments (``_local_NAME`` in ``Writes.flat``) that INITIAL sets from shared
    values only (``common``: cabpump.mod's ``r = 1/2`` in coord(), ``rates(celsius)``), and for each
    argument some call gives a value of each instance, the words naming it and that call (``given``).

    A LOCAL set from a value of each instance (``r = diam/2``), or from such a LOCAL, is not shared;
    nor is a FUNCTION's or PROCEDURE's argument (``arguments``: block name -> argument names) where a
    call in the text passes, in its place, anything but shared values (``mh(v)``, a tainted LOCAL, a
    FUNCTION's value not in ``common``), or passes nothing: its value is bound at the call, which no
    assignment shows. A LOCAL assigned under an if on such values (``conditions``: ``around``) is
    not shared either. Repeated until nothing more is tainted, so a LOCAL read before a later line
    taints what it was set from is caught too."""
    tainted: set[str] = set()
    given: dict[str, str] = {}

    def own(expression: str) -> set[str]:
        found = names(expression)
        return (found & tainted) | {n for n in found - common if not n.startswith("_local_")}

    while True:
        before = len(tainted)
        for line, code, _ in flat:
            for m in re.finditer(r"(?<![\w.'])(_local_\w+)\s*(\[[^\]]*\])?\s*=(?!=)([^{};]*)", code):
                if own(m.group(3)) or own(conditions.get(line, "")):
                    tainted.add(m.group(1))
            for m in re.finditer(r"\b(\w+)\s*\(", code):  # a call: each argument bound to what is passed
                if m.group(1) not in arguments:
                    continue
                passed = call_arguments(code, m.end() - 1)
                for k, arg in enumerate(arguments[m.group(1)]):
                    expression = passed[k] if k < len(passed) else ""
                    if (not expression.strip() or own(expression)) and f"_local_{arg}" not in tainted:
                        tainted.add(f"_local_{arg}")
                        written = " ".join(expression.replace("_local_", "").split()) or "nothing"
                        # an argument passed on (nh(y) calling kh(y)): where its value came from
                        inner = "; ".join(given[n] for n in sorted(names(expression) & set(given)))
                        given[f"_local_{arg}"] = (f"{arg} (argument of {m.group(1)}, given {written} at line {line}"
                                                  f"{': ' + inner if inner else ''})")
        if len(tainted) == before:
            break
    every = {n for _, code, _ in flat for n in re.findall(r"_local_\w+", code)}
    return every - tainted, given
