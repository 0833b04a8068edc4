"""What every experiment declares: its name, the question it answers, and typed parameters.

An experiment module has ``EXPERIMENT``, an ``Experiment(...)``, and a function ``run(**params) -> Result``.
The declarations live apart from the protocols, in ``excitable.experiments.declarations`` (no JAX
there), and each module imports its own, so parameters are listed and checked without the engine.
Parameter values arrive as Python values (API) or strings (CLI ``--set key=value``); ``coerce``
converts and validates both the same way, raising ModelError with a one-line message that names the
parameter and the value (a long value shortened).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from excitable.errors import ModelError


def _shown(value, limit: int = 80) -> str:
    """``repr(value)``, shortened to about ``limit`` characters: a message stays one readable line."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit - 20]}...{text[-12:]} ({len(text)} characters)"


@dataclass(frozen=True)
class Param:
    """One parameter: default, unit, help text; ``kind`` is float, int, str or bool."""

    default: Any
    unit: str = ""
    help: str = ""
    kind: type = float
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False

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
class Experiment:
    name: str
    question: str
    params: dict[str, Param] = field(default_factory=dict)

    def resolve(self, given: dict[str, Any]) -> dict[str, Any]:
        """Defaults overridden by ``given``, each coerced; unknown keys are errors."""
        unknown = sorted((k for k in given if k not in self.params), key=str)
        if unknown:
            raise ModelError(f"unknown parameter {_shown(unknown[0])} for {self.name}; known: "
                             f"{', '.join(self.params)}")
        out = {k: p.default for k, p in self.params.items()}
        for k, v in given.items():
            out[k] = self.params[k].coerce(k, v)
        return out

    def describe(self) -> str:
        lines = [f"{self.name}: {self.question}", "parameters (--set key=value):"]
        for k, p in self.params.items():
            unit = f" {p.unit}" if p.unit else ""
            choice = f" [{'|'.join(p.choices)}]" if p.choices else ""
            lines.append(f"  {k} = {p.default}{unit}{choice}  {p.help}")
        return "\n".join(lines)
