"""Errors a user can cause. Each message is one line that names the field and the value."""

from __future__ import annotations

import math


class ModelError(ValueError):
    """A model, stimulus or protocol was given a value it cannot use."""


class SimulationError(RuntimeError):
    """The simulation went numerically unstable (NaN or runaway voltage)."""


def check_number(field: str, value, *, positive: bool = False, nonnegative: bool = False,
                 finite: bool = True) -> float:
    """Convert ``value`` to float or raise ModelError naming ``field``.

    Example:
        >>> check_number("dt", 0.025, positive=True)
        0.025
    """
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ModelError(f"{field} must be a number, got {value!r}") from None
    if finite and not math.isfinite(x):
        raise ModelError(f"{field} must be finite, got {value!r}")
    if positive and not x > 0:
        raise ModelError(f"{field} must be > 0, got {value!r}")
    if nonnegative and not x >= 0:
        raise ModelError(f"{field} must be >= 0, got {value!r}")
    return x
