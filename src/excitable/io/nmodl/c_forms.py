"""The C of Blue Brain's synapse files read as tokens, never run (``null_pointers``' forms): a small
tokenizer (words, numbers, strings, punctuation; comments dropped) and the two grammars of those forms.

* ``declarations``: a file-level VERBATIM of preprocessor lines (``#include``, ``#if``/``#ifdef``/
  ``#ifndef``/``#else``/``#elif``/``#endif``, ``#define NAME ...`` of a NAME no NMODL code uses: a
  macro that could rename nothing NEURON's generated code for the file holds), C prototypes and
  ``static`` function definitions nothing in NMODL names;
* ``Reader``: a block body's top-level C and NMODL statements, in order, as ``double`` locals,
  ``if (_p_X) {...} [else {...}]`` tests of a pointer nothing sets (its branch skipped unread),
  assignments of a number or a C local to a C local or to ``_l<function>`` (the FUNCTION's value), a
  FUNCTION's final ``return local;``, and the NMODL statements; anything else raises ``NotForm``
  with the reason and the VERBATIM line it stands in.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r'"(?:\\.|[^"\\\n])*"|\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|[A-Za-z_]\w*'
                    r"|->|==|!=|<=|>=|&&|\|\||\+\+|--|\S")
_NUMBER = re.compile(r"\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?")
_WORD = re.compile(r"[A-Za-z_]\w*")
#: C type words a local declaration or a prototype may use.
_TYPES = {"double", "float", "int", "long", "unsigned", "char", "void", "short", "const", "extern", "static",
          "uint32_t", "int32_t", "size_t"}
_PREPROCESSOR = re.compile(r"\s*#\s*(include\s*[<\"][\w./]+[>\"]|if\b.*|ifdef\s+\w+|ifndef\s+\w+|else|elif\b.*|endif\b.*"
                           r"|define\s+(\w+)\b.*)\s*")


class NotForm(Exception):
    """The C is none of the forms (the reason in words, and the VERBATIM line where one is known)."""


def tokens(c_text: str) -> list[str]:
    """C's tokens, comments dropped (``/* */``, ``//``)."""
    return _TOKEN.findall(re.sub(r"/\*.*?\*/|//[^\n]*", " ", c_text, flags=re.S))


def declarations(c_text: str, words: set[str]) -> None:
    """Raise ``NotForm`` unless ``c_text`` (a file-level VERBATIM) is declarations only; ``words``:
    those of the file's NMODL code."""
    rest = []
    for line in re.sub(r"/\*.*?\*/", " ", c_text, flags=re.S).splitlines():
        line = re.sub(r"//.*", "", line)
        if line.strip().startswith("#"):
            m = _PREPROCESSOR.fullmatch(line)
            if m is None or (m.group(2) and m.group(2) in words):
                raise NotForm(f"preprocessor line {line.strip()!r}")
            continue
        rest.append(line)
    toks, k = tokens("\n".join(rest)), 0
    while k < len(toks):
        head = k
        while k < len(toks) and (toks[k] in _TYPES or toks[k] == "*" or _WORD.fullmatch(toks[k]) and toks[k + 1:k + 2] != ["("]):
            k += 1
        if k >= len(toks) or not _WORD.fullmatch(toks[k]) or toks[k + 1:k + 2] != ["("]:
            raise NotForm("not a prototype")
        name, k = toks[k], _balanced(toks, k + 1, "(", ")")
        if toks[k:k + 1] == [";"]:
            k += 1
        elif toks[k:k + 1] == ["{"] and toks[head] == "static" and name not in words:
            k = _balanced(toks, k, "{", "}")
        else:
            raise NotForm(f"C definition of {name}")


def _balanced(toks: list[str], k: int, opening: str, closing: str) -> int:
    """The index after the ``closing`` matching ``toks[k] == opening``."""
    depth = 0
    for j in range(k, len(toks)):
        depth += (toks[j] == opening) - (toks[j] == closing)
        if depth == 0:
            return j + 1
    raise NotForm(f"unbalanced {opening}")


class Reader:
    """Form (b)'s grammar over a stream of (C token | NMODL statement, its VERBATIM line)."""

    def __init__(self, stream, unset: dict[str, str], function: str | None, line: int):
        self.s, self.k, self.unset, self.function, self.line = stream, 0, unset, function, line
        self.locals: list[str] = []
        self.tested: list[str] = []
        self.steps: list = []

    def read(self):
        while self.k < len(self.s):
            self.statement()
        return tuple(dict.fromkeys(self.tested)), self.steps

    def peek(self, n: int = 0):
        item = self.s[self.k + n][0] if self.k + n < len(self.s) else None
        return item if isinstance(item, str) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or expected is not None and tok != expected:
            self.fail(f"expected {expected or 'C'}, found {tok or 'an NMODL statement'}")
        self.line = self.s[self.k][1] or self.line
        self.k += 1
        return tok

    def fail(self, why: str):
        here = self.s[self.k][1] if self.k < len(self.s) and self.s[self.k][1] else self.line
        raise NotForm(why, here)

    def statement(self):
        item = self.s[self.k][0]
        if not isinstance(item, str):
            self.steps.append(("nmodl", item))
            self.k += 1
            return
        if item == ";":
            self.k += 1
        elif item == "{":
            self.take("{")
            while self.peek() != "}":
                if self.k >= len(self.s):
                    self.fail("unbalanced {")
                self.statement()
            self.take("}")
        elif item == "double":
            self.declaration()
        elif item == "if":
            self.pointer_test()
        elif item == "return":
            self.take()
            value = self.value()
            self.take(";")
            if self.function is None or self.k < len(self.s):
                self.fail("a return other than a FUNCTION's last statement")
            self.steps.append(("c", f"{self.function} = {value}"))
        elif _WORD.fullmatch(item) and self.peek(1) == "=":
            target = self.take()
            if target not in self.locals and target != f"_l{self.function}":
                self.fail(f"an assignment to {target}, not a C local or the FUNCTION's value")
            self.take("=")
            value = self.value()
            self.take(";")
            self.steps.append(("c", f"{self.function if target == f'_l{self.function}' else target} = {value}"))
        else:
            self.fail(f"C statement starting {item!r}")

    def value(self) -> str:
        sign = self.take() if self.peek() in ("-", "+") else ""
        tok = self.take()
        if _NUMBER.fullmatch(tok) or not sign and tok in self.locals:
            return sign + tok
        self.fail(f"{sign}{tok}: only a number or a C local is assigned")

    def declaration(self):
        self.take("double")
        while True:
            name = self.take()
            if not _WORD.fullmatch(name) or name in self.locals:
                self.fail(f"declaration of {name}")
            self.locals.append(name)
            self.steps.append(("local", name))
            if self.peek() == "=":
                self.take()
                self.steps.append(("c", f"{name} = {self.value()}"))
            if self.take() == ";":
                return
            if self.s[self.k - 1][0] != ",":
                self.fail("a declaration other than double name [= number], ...;")

    def pointer_test(self):
        self.take("if")
        self.take("(")
        x = self.take()
        if not (x.startswith("_p_") and x[3:] in self.unset) or self.peek() != ")":
            self.fail(f"if ({x} ...): not a test of a POINTER nothing sets")
        self.take(")")
        self.tested.append(x[3:])
        self.dropped()
        if self.peek() == "else":
            self.take()
            if self.peek() == "if":
                self.fail("else if after if (_p_...)")
            self.statement()

    def dropped(self):
        """Skip the pointer's branch (a block or one statement): it never runs here."""
        depth = 0
        while self.k < len(self.s):
            tok = self.peek()
            if tok is None:
                self.fail("an NMODL statement in the C branch of if (_p_...)")
            self.take()
            depth += (tok == "{") - (tok == "}")
            if depth == 0 and tok in ("}", ";"):
                return
        self.fail("unbalanced {")


