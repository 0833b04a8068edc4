"""Every experiment teaches (issue 16, item 3): its declaration has a plain answer, the headline numbers
a learner reads (with units as printed: µ and ²), "try this" suggestions that are valid parameter
changes, and its protocol module's docstring explains the mechanism in a few paragraphs.

Read from the declarations and the protocol modules' source (``ast``): nothing is run or imported
beyond the declarations, so this costs well under a second. That each answer's format fields exist in
the default run's summary is checked in the experiments' own tests, which run them.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import string

import pytest

from excitable import experiments

NAMES = experiments.names()

#: Units as code spells them, never as a learner should read them.
ASCII_UNITS = re.compile(r"\b(uA|uS|um|um2|cm2|mS/cm2|degC|MOhm|ohm)\b|/cm2\b")
#: A test specification is not an explanation ("R^2 > 0.99", "within 2 %").
TEST_SPEC = re.compile(r"R\^2|R²\s*[>≥]|within \d+(\.\d+)? ?%")


CASES = list(NAMES)


def _docstring(name: str) -> str:
    spec = importlib.util.find_spec(experiments.REGISTRY[name])
    with open(spec.origin, encoding="utf-8") as f:
        return ast.get_docstring(ast.parse(f.read())) or ""


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


@pytest.mark.parametrize("name", CASES)
def test_the_declaration_answers_shows_headline_numbers_and_suggests(name):
    d = experiments.declaration(name)
    assert d.answer.strip(), f"{name}: no plain answer"
    fields = [f for _, f, _, _ in string.Formatter().parse(d.answer) if f]
    assert fields, f"{name}: the answer states no measured number"
    assert d.headline, f"{name}: no headline numbers"
    for h in d.headline:
        assert h.key and h.label.strip(), f"{name}: headline {h}"
        assert not ASCII_UNITS.search(h.unit), f"{name}: {h.key}'s unit {h.unit!r} (write µ and ²)"
    assert 1 <= len(d.suggestions) <= 4, f"{name}: {len(d.suggestions)} suggestions (1-4)"
    for s in d.suggestions:
        assert s.text.strip() and s.changes, f"{name}: suggestion {s}"
        d.resolve(s.changes)  # every change is a valid parameter value (ModelError otherwise)
    assert d.model_note.strip() or "model" not in d.params, f"{name}: which model, and why?"


@pytest.mark.parametrize("name", CASES)
def test_the_protocol_docstring_explains_the_mechanism(name):
    doc = _docstring(name)
    title, *rest = _paragraphs(doc) or [""]
    assert title.strip(), f"{name}: no docstring"
    mechanism = [p for p in rest if not p.startswith((">>>", "Example", "Reference"))]
    assert len(mechanism) >= 2, f"{name}: the mechanism in {len(mechanism)} paragraph(s), not >= 2"
    assert not TEST_SPEC.search(doc), f"{name}: a test specification in the docstring"
    for p in mechanism:  # nothing cut mid-sentence
        assert p.rstrip()[-1] in ".:)!?", f"{name}: a paragraph ends mid-sentence: ...{p[-40:]!r}"
