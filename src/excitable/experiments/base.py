"""What every experiment declares: the words of its declaration (Param, Range, Intervention, Signal,
Experiment) and the resolved values its protocol receives (Values).

An experiment is a declaration, an ``Experiment(...)`` in its family's ``declarations`` module, and a
protocol, the module ``run(**params) -> Result`` beside it (``excitable.experiments.REGISTRY``). The
declaration says everything a page about the experiment needs without running it (and without JAX):
the question, each parameter's unit, default, bounds and widget (a slider's range, a select's choices,
a switch), the one-click interventions of the bench (TTX, ouabain ...), the recorded signals worth
showing, whether the protocol runs in batches, and the cheaper settings of a quick tour.

Parameter values arrive as Python values (API) or strings (CLI ``--set key=value``); ``coerce``
converts and validates both the same way, raising ModelError with a one-line message that names the
parameter and the value (a long value shortened).

Example:
    >>> from excitable.experiments.base import Experiment, Param, steps
    >>> demo = Experiment("demo", "Does it work?", family="excitability",
    ...                   params={"delay": Param(5.0, "ms", "onset", minimum=0, slider=steps(0, 50, 0.5))})
    >>> demo.resolve({"delay": "7"}).delay
    7.0
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from excitable.errors import ModelError


def _shown(value, limit: int = 80) -> str:
    """``repr(value)``, shortened to about ``limit`` characters: a message stays one readable line."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit - 20]}...{text[-12:]} ({len(text)} characters)"


@dataclass(frozen=True)
class Range:
    """Where a slider for a number goes, in the parameter's unit: from ``low`` to ``high`` in steps of
    ``step``, or on a logarithmic scale (``log``) for a quantity that spans decades (dt, a tolerance)."""

    low: float
    high: float
    step: float | None = None
    log: bool = False

    def __contains__(self, value) -> bool:
        return value is not None and self.low <= value <= self.high


def steps(low: float, high: float, step: float) -> Range:
    """A linear slider from ``low`` to ``high`` in steps of ``step``."""
    return Range(low, high, step)


def decades(low: float, high: float) -> Range:
    """A logarithmic slider from ``low`` to ``high`` (both > 0)."""
    return Range(low, high, log=True)


@dataclass(frozen=True)
class Param:
    """One parameter: default, unit, help text; ``kind`` is float, int, str or bool.

    ``unit`` is "" for a dimensionless number (a factor, a fraction, a count) or a word choice, and
    None only when undeclared (a test refuses that). ``minimum``, ``maximum`` and ``positive`` are
    what ``coerce`` enforces; ``slider`` is the range a page offers (within those bounds), derived
    from ``minimum`` and ``maximum`` when not given. A default of None means "chosen by the protocol"
    (the help says how); ``default_note`` says it in a few words where a listing would show the
    default, e.g. "6.3 for hh, 37 for textbook" for a model's own temperature.
    """

    default: Any
    unit: str | None = None
    help: str = ""
    kind: type = float
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False
    slider: Range | None = None
    default_note: str = ""

    @property
    def shown_default(self) -> str:
        """The default as a listing shows it, with its unit: ``5.0 ms``; for a default chosen by the
        protocol (None), ``default_note`` (or "set by the run") with the unit in brackets."""
        unit = f" {self.unit}" if self.unit else ""
        if self.default is not None:
            return f"{self.default}{unit}"
        note = self.default_note or "set by the run"
        return f"{note} ({self.unit})" if self.unit else note

    @property
    def widget(self) -> str:
        """How a page asks for it: "switch" (bool), "select" (choices), "slider" (a number with a
        range), "number" (a number without one) or "text" (a free string, e.g. a list of values)."""
        if self.kind is bool:
            return "switch"
        if self.choices:
            return "select"
        if self.kind in (int, float):
            return "slider" if self.range is not None else "number"
        return "text"

    @property
    def range(self) -> Range | None:
        """The slider's range: ``slider``, else [minimum, maximum] in about a hundred round steps."""
        if self.slider is not None or self.kind not in (int, float):
            return self.slider
        if self.minimum is None or self.maximum is None:
            return None
        step = 10.0 ** math.floor(math.log10((self.maximum - self.minimum) / 100.0))
        return Range(self.minimum, self.maximum, max(1, round(step)) if self.kind is int else step)

    def coerce(self, name: str, value):
        if value is None:
            return None
        if self.kind is bool:
            if isinstance(value, str):
                low = value.strip().lower()
                if low in ("1", "true", "yes", "on"):
                    return True
                if low in ("0", "false", "no", "off"):
                    return False
                raise ModelError(f"{name} must be true or false, got {_shown(value)}")
            return bool(value)
        if self.kind is str:
            value = str(value)
            if self.choices and value not in self.choices:
                raise ModelError(f"{name} must be one of {', '.join(self.choices)}, got {_shown(value)}")
            return value
        shown = _shown(value)
        try:
            if self.kind is int and not isinstance(value, str):
                f = float(value)
                if f != int(f):  # 2.5 is not an integer, and must not quietly become 2
                    raise ValueError
                x = int(f)
            else:
                x = self.kind(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
            raise ModelError(f"{name} must be {'an integer' if self.kind is int else 'a number'}, "
                             f"got {shown}") from None
        if isinstance(x, float) and not math.isfinite(x):
            raise ModelError(f"{name} must be finite, got {shown}")
        if self.positive and not x > 0:
            raise ModelError(f"{name} must be > 0, got {shown}")
        if self.minimum is not None and x < self.minimum:
            raise ModelError(f"{name} must be >= {self.minimum:g}, got {shown}")
        if self.maximum is not None and x > self.maximum:
            raise ModelError(f"{name} must be <= {self.maximum:g}, got {shown}")
        return x


@dataclass(frozen=True)
class Intervention:
    """A named one-click change of parameters, as at the bench: a drug, a lesion, a knock-out.

    Example: ``Intervention("TTX", {"gNa_scale": 0.0}, "tetrodotoxin blocks the Na+ channels")``.
    """

    label: str
    changes: dict[str, Any]
    help: str = ""


@dataclass(frozen=True)
class Signal:
    """A recorded trace worth showing: its label in ``Result.traces`` (``*`` stands for any text,
    e.g. ``"v@*um"`` for every recording site), its unit ("" for a fraction) and what it is."""

    label: str
    unit: str
    help: str = ""

    def matches(self, trace: str) -> bool:
        pattern = ".*".join(re.escape(part) for part in self.label.split("*"))
        return re.fullmatch(pattern, trace) is not None


class Values(dict):
    """Resolved parameter values: a dict (JSON, ``**values``, ``dict(values, key=...)``) that also
    reads as attributes (``p.amplitude``) and refuses changes; ``replace`` gives a changed copy."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no parameter {name!r}; known: {', '.join(self)}") from None

    def _read_only(self, *args, **kwargs):
        raise TypeError("parameter values are read-only; use values.replace(name=value)")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def replace(self, **changes) -> Values:
        return Values({**self, **changes})

    def __reduce__(self):  # pickle builds a dict subclass item by item: through __setitem__
        return Values, (dict(self),)


@dataclass(frozen=True)
class Headline:
    """A measured number worth showing a learner: the summary ``key`` it comes from, a readable
    ``label`` ("Peak of the spike") and the ``unit`` as printed (with µ and ²: "µA/cm²"; "" for a
    count or a fraction)."""

    key: str
    label: str
    unit: str = ""


@dataclass(frozen=True)
class Suggestion:
    """A "try this": what to do, in words ("Block half the K+ channels: the spike widens"), and the
    parameter ``changes`` that do it (the CLI line and the lab's link are made from them)."""

    text: str
    changes: dict[str, Any] = field(default_factory=dict)


def _format_answer(template: str, summary: dict[str, Any]) -> str:
    """``template`` with ``{key}`` / ``{key:.1f}`` fields filled from ``summary``; "" when a field
    is missing or not a number (a run with other parameters may not measure it)."""
    try:
        return template.format_map(summary)
    except (KeyError, ValueError, TypeError, IndexError, AttributeError):
        return ""


def _set_options(changes: dict[str, Any]) -> str:
    """``--set key=value`` options for the CLI (booleans as true/false)."""
    return " ".join(f"--set {k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in changes.items())


@dataclass(frozen=True)
class Experiment:
    """An experiment's declaration: what a page, the CLI and the tour know before running it.

    ``family``: the package it lives in (``excitable.experiments.FAMILIES``); ``batches``: whether
    its protocol module defines ``prepare`` and ``finish`` (one simulation, built then run, so points
    run as one vmapped batch: ``excitable.experiments.common.batching``); ``quick``: cheaper
    parameters that still show the phenomenon (``excitable tour --quick``).
    """

    name: str
    question: str
    params: dict[str, Param] = field(default_factory=dict)
    family: str = ""
    interventions: tuple[Intervention, ...] = ()
    signals: tuple[Signal, ...] = ()
    batches: bool = False
    quick: dict[str, Any] = field(default_factory=dict)
    #: One plain sentence that answers the question, with measured numbers as format fields over
    #: the summary: "Yes: for {overlap_ms:.1f} ms both gates are open ...". ``answer_for(summary)``.
    answer: str = ""
    #: The numbers a learner should read, outputs only (inputs are the parameters), in order.
    headline: tuple[Headline, ...] = ()
    #: "Try this" suggestions, each a few words and the parameter changes that do it.
    suggestions: tuple[Suggestion, ...] = ()
    #: Which model the default uses and why, in one sentence ("the textbook mammalian neuron at
    #: 37 °C: the numbers of a typical neuron"; "the squid axon: HH's own measurement").
    model_note: str = ""

    def resolve(self, given: dict[str, Any]) -> Values:
        """Defaults overridden by ``given``, each coerced; unknown keys are errors."""
        unknown = sorted((k for k in given if k not in self.params), key=str)
        if unknown:
            raise ModelError(f"unknown parameter {_shown(unknown[0])} for {self.name}; known: "
                             f"{', '.join(self.params)}")
        out = {k: p.default for k, p in self.params.items()}
        for k, v in given.items():
            out[k] = self.params[k].coerce(k, v)
        return Values(out)

    def answer_for(self, summary: dict[str, Any]) -> str:
        """The plain answer with this run's numbers ("" when the run did not measure them)."""
        return _format_answer(self.answer, summary) if self.answer else ""

    def cli_line(self, changes: dict[str, Any] | None = None) -> str:
        """The command that runs this experiment with ``changes``: ``excitable run NAME --set k=v``."""
        sets = _set_options(changes or {})
        return f"excitable run {self.name}" + (f" {sets}" if sets else "")

    def describe(self) -> str:
        lines = [f"{self.name}: {self.question}", "parameters (--set key=value):"]
        for k, p in self.params.items():
            choice = f" [{'|'.join(p.choices)}]" if p.choices else ""
            lines.append(f"  {k} = {p.shown_default}{choice}  {p.help}")
        if self.interventions:
            lines.append("interventions:")
            for iv in self.interventions:
                sets = _set_options(iv.changes)
                lines.append(f"  {iv.label}: {sets}  {iv.help}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """Everything declared, as JSON-able values: what a web page is generated from."""
        def param(k: str, p: Param) -> dict[str, Any]:
            r = p.range
            return {"name": k, "default": p.default, "default_note": p.default_note, "unit": p.unit,
                    "help": p.help,
                    "kind": p.kind.__name__, "widget": p.widget, "choices": list(p.choices),
                    "minimum": p.minimum, "maximum": p.maximum, "positive": p.positive,
                    "range": None if r is None else {"low": r.low, "high": r.high, "step": r.step,
                                                     "log": r.log}}

        return {"name": self.name, "family": self.family, "question": self.question,
                "batches": self.batches, "quick": dict(self.quick),
                "params": [param(k, p) for k, p in self.params.items()],
                "interventions": [{"label": i.label, "changes": dict(i.changes), "help": i.help}
                                  for i in self.interventions],
                "signals": [{"label": s.label, "unit": s.unit, "help": s.help} for s in self.signals],
                "answer": self.answer, "model_note": self.model_note,
                "headline": [{"key": h.key, "label": h.label, "unit": h.unit} for h in self.headline],
                "suggestions": [{"text": g.text, "changes": dict(g.changes), "cli": self.cli_line(g.changes)}
                                for g in self.suggestions]}
