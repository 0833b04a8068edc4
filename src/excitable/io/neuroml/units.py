"""NeuroML 2 quantities ("120 mS_per_cm2", "-65mV", "0.1per_ms") in excitable's units.

NeuroML writes every dimensional value as a number and a unit from its own list (NeuroMLCoreDimensions);
we read the units its models use and refuse any other with one line that names the field, the value
and the units accepted.
"""

from __future__ import annotations

import math
import re

from excitable.errors import ModelError

#: dimension -> (excitable's unit, {NeuroML unit: factor to it}).
UNITS: dict[str, tuple[str, dict[str, float]]] = {
    "voltage": ("mV", {"mV": 1.0, "V": 1e3, "uV": 1e-3}),
    "rate": ("1/ms", {"per_ms": 1.0, "per_s": 1e-3, "Hz": 1e-3, "kHz": 1.0, "per_min": 1e-3 / 60}),
    "time": ("ms", {"ms": 1.0, "s": 1e3, "us": 1e-3, "min": 6e4}),
    "conductanceDensity": ("mS/cm2", {"mS_per_cm2": 1.0, "S_per_cm2": 1e3, "S_per_m2": 0.1,
                                      "nS_per_um2": 1e5, "pS_per_um2": 100.0, "mS_per_um2": 1e11}),
    "specificCapacitance": ("uF/cm2", {"uF_per_cm2": 1.0, "F_per_m2": 100.0, "pF_per_um2": 100.0}),
    "resistivity": ("ohm cm", {"ohm_cm": 1.0, "kohm_cm": 1e3, "ohm_m": 100.0, "Mohm_um": 100.0}),
    "temperature": ("degC", {"degC": 1.0}),
    "concentration": ("mM", {"mM": 1.0, "mol_per_m3": 1.0, "mol_per_cm3": 1e6, "M": 1e3, "uM": 1e-3, "nM": 1e-6}),
    "length": ("um", {"um": 1.0, "m": 1e6, "cm": 1e4, "mm": 1e3, "nm": 1e-3}),
    "rho": ("mol/(m A s)", {"mol_per_m_per_A_per_s": 1.0}),
    "permeability": ("cm/s", {"cm_per_s": 1.0, "m_per_s": 100.0, "um_per_ms": 0.1, "cm_per_ms": 1e3}),
    "dimensionless": ("", {"": 1.0}),
}

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z_][A-Za-z_0-9]*)?\s*$")


def quantity(text, dimension: str, field: str) -> float:
    """The value of ``text`` (a NeuroML quantity) in excitable's unit of ``dimension`` ("voltage": mV,
    "rate": 1/ms, "time": ms, "conductanceDensity": mS/cm2, "specificCapacitance": uF/cm2,
    "resistivity": ohm cm, "temperature": degC (K accepted), "concentration": mM, "permeability":
    cm/s, "dimensionless"). ``field`` names it in
    the error.

    Example:
        >>> quantity("3.0 S_per_m2", "conductanceDensity", "leak condDensity")
        0.3
    """
    m = _QUANTITY.match(str(text)) if text is not None else None
    if m is None:
        raise ModelError(f"{field}: {text!r} is not a NeuroML quantity (a number and a unit, e.g. '-65mV')")
    value, unit = float(m.group(1)), m.group(2) or ""
    if not math.isfinite(value):
        raise ModelError(f"{field}: {text!r} is not finite")
    if dimension == "temperature" and unit == "K":
        return value - 273.15
    _ours, factors = UNITS[dimension]
    if unit not in factors:
        raise ModelError(f"{field}: unit {unit!r} of {text!r} is not a {dimension} unit NeuroML models use "
                         f"here; give one of {', '.join(u or '(none)' for u in factors)}")
    return value * factors[unit]


def write(value: float, unit: str) -> str:
    """A NeuroML quantity string, ``repr`` of the float so that reading it back gives the same number."""
    return f"{float(value)!r}{unit}" if unit else repr(float(value))
