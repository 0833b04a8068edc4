"""Ions without waiting (POST /api/ions): the Nernst potential of each ion and the GHK resting
potential in closed form, each with its formula and the numbers substituted, in well under a
millisecond. Plain ``math`` with the physics' own constants (``excitable.units``), the same
formulas as ``excitable.physics.ions`` (which the tests compare against), without JAX's dispatch.

The request: ``{"temperature": 37, "inside": {"k": 140, ...}, "outside": {...},
"permeability": {"k": 1, "na": 0.04, "cl": 0.45}}`` (mM, degC; what is missing is the textbook
mammalian value of ``physics.ions.MAMMALIAN`` with PK:PNa:PCl = 1:0.04:0.45).
"""

from __future__ import annotations

import math

from excitable.interfaces.lab.api import ApiError
from excitable.units import FARADAY, GAS_CONSTANT, ZERO_CELSIUS

#: ion -> (valence, symbol, [X]i, [X]o in mM, relative permeability): the resting-potential page's defaults.
IONS = {"k": (+1, "K+", 140.0, 5.0, 1.0), "na": (+1, "Na+", 12.0, 145.0, 0.04),
        "cl": (-1, "Cl-", 10.0, 110.0, 0.45)}
_E_NAME = {"k": "E_K", "na": "E_Na", "cl": "E_Cl"}


def _number(value, field: str, *, positive: bool = True, low: float | None = None, high: float | None = None):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ApiError(422, f"{field} must be a number, got {value!r:.60}", field)
    try:
        x = float(value)
    except ValueError:
        raise ApiError(422, f"{field} must be a number, got {value!r:.60}", field) from None
    if not math.isfinite(x):
        raise ApiError(422, f"{field} must be finite, got {value!r:.60}", field)
    if positive and not x > 0:
        raise ApiError(422, f"{field} must be > 0, got {value!r:.60}", field)
    if (low is not None and x < low) or (high is not None and x > high):
        raise ApiError(422, f"{field} must be in [{low:g}, {high:g}], got {value!r:.60}", field)
    return x


def _section(body: dict, name: str) -> dict:
    part = body.get(name) or {}
    if not isinstance(part, dict):
        raise ApiError(422, f"{name} must be an object such as {{\"k\": 140}}, got {part!r:.60}", name)
    unknown = [k for k in part if k not in IONS]
    if unknown:
        raise ApiError(422, f"{name}: unknown ion {unknown[0]!r}; known: {', '.join(IONS)}", f"{name}.{unknown[0]}")
    return part


def _fmt(x: float) -> str:
    return f"{x:.1f}".replace("-", "−")


def answer(body: dict) -> dict:
    """The page's numbers and formulas for ``body`` (see module doc); 422 naming a bad field."""
    unknown = [k for k in body if k not in ("temperature", "inside", "outside", "permeability")]
    if unknown:
        raise ApiError(422, f"unknown field {unknown[0]!r}; known: temperature, inside, outside, permeability",
                       unknown[0])
    celsius = _number(body.get("temperature", 37.0), "temperature", positive=False, low=-10, high=60)
    inside, outside, perm = (_section(body, n) for n in ("inside", "outside", "permeability"))
    t_kelvin = ZERO_CELSIUS + celsius
    rt_f = 1e3 * GAS_CONSTANT * t_kelvin / FARADAY  # mV
    ci = {k: _number(inside.get(k, IONS[k][2]), f"inside.{k}") for k in IONS}
    co = {k: _number(outside.get(k, IONS[k][3]), f"outside.{k}") for k in IONS}
    p = {k: _number(perm.get(k, IONS[k][4]), f"permeability.{k}", positive=False, low=0, high=1e6) for k in IONS}
    nernst, formulas = {}, {}
    for k, (z, sym, *_) in IONS.items():
        e = rt_f / z * math.log(co[k] / ci[k])
        nernst[k] = e
        formulas[k] = (f"{_E_NAME[k]} = (RT/zF) ln([{sym}]o/[{sym}]i) = (8.314 × {t_kelvin:.2f} / "
                       f"({z:+d} × 96485)) × ln({co[k]:g} / {ci[k]:g}) = {_fmt(e)} mV")
    num = sum(p[k] * (co[k] if IONS[k][0] > 0 else ci[k]) for k in IONS)
    den = sum(p[k] * (ci[k] if IONS[k][0] > 0 else co[k]) for k in IONS)
    if not (num > 0 and den > 0):
        raise ApiError(422, "permeability: at least one ion must be permeant (all are 0)", "permeability")
    ghk = rt_f * math.log(num / den)
    formulas["ghk"] = ("V = (RT/F) ln((P_K[K+]o + P_Na[Na+]o + P_Cl[Cl-]i) / (P_K[K+]i + P_Na[Na+]i + "
                       f"P_Cl[Cl-]o)) = {rt_f:.3f} mV × ln(({p['k']:g}×{co['k']:g} + {p['na']:g}×{co['na']:g} + "
                       f"{p['cl']:g}×{ci['cl']:g}) / ({p['k']:g}×{ci['k']:g} + {p['na']:g}×{ci['na']:g} + "
                       f"{p['cl']:g}×{co['cl']:g})) = {_fmt(ghk)} mV")
    return {"temperature": celsius, "inside": ci, "outside": co, "permeability": p,
            "thermal_voltage_mV": round(rt_f, 4), "nernst_mV": {k: round(v, 4) for k, v in nernst.items()},
            "ghk_mV": round(ghk, 4), "formulas": formulas}
