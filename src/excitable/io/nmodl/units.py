"""Named constants of a UNITS block (``FARADAY = (faraday) (coulomb)``, ``R = (k-mole)
(joule/degC)``, ``R = (mole k) (mV-coulomb/degC)``, ``PI = (pi) (1)``, ``F = 96485.3 (coul)``):
their values as NEURON's nocmodl computes them, the first unit's magnitude over the second's (SI
base units: m, kg, sec, coul, K; the two need not have the same dimensions, nocmodl does not check).

A unit is read the way nocmodl reads it (NEURON 9, src/modlunit/units.cpp, its rules restated here):

- an optional leading number: digits with a '.', a power of ten written as a signed integer right
  after them (``1-3`` is 1e-3, ``6.02214076+23``), ``a|b`` for a/b; none, or 0, means 1. An ``e``
  is no exponent: ``1e-3 coulomb`` is 1 times the charge e times a coulomb, as in NEURON;
- then names separated by a space, a tab or '-' (each multiplies); a digit 1-9 right after a name is
  its power (``cm2``); after the first '/' every later name divides (``joule/K mole`` is
  joule/(K·mole));
- a name is looked up whole (the units of ``_LIB`` below, then those the file's UNITS block declared
  before this line, ``(mV) = (millivolt)``); failing that a long SI prefix is taken off its front
  (milli, micro, kilo ... in ``_PREFIXES``: short ones like ``m`` are not prefixes for NEURON,
  which is why files declare ``(mV)``), and again; failing that a plural 's' is dropped.

``_LIB`` is a subset of share/nrn/lib/nrnunits.lib (the 2019 SI values: e, k and N_A exact),
each unit written as the library writes it, so the values come out of the same arithmetic as
NEURON's, to the last bit. A name outside it and not declared is refused with the file's line,
never guessed: nocmodl itself refuses a name its library does not know (``(avogadro)``,
``(mV)`` undeclared).
"""

from __future__ import annotations

import re

from excitable.errors import ModelError

#: NEURON's unit prefixes, in the order nocmodl tries them (the first that starts a name wins).
_PREFIXES = (("atto", 1e-18), ("femto", 1e-15), ("pico", 1e-12), ("nano", 1e-9), ("micro", 1e-6),
             ("milli", 1e-3), ("centi", 1e-2), ("deci", 1e-1), ("deka", 1e1), ("hecta", 1e2),
             ("hecto", 1e2), ("kilo", 1e3), ("mega", 1e6), ("meg", 1e6), ("giga", 1e9), ("tera", 1e12))
#: Unit name -> its definition in nrnunits.lib (a subset: time, length, volume, mass, the electrical
#: units, temperature and the physical constants files use); "" is the primitive of its dimension.
_LIB = {
    "m": "", "kg": "", "sec": "", "coul": "", "K": "",
    "fuzz": "1", "two": "2", "pi": "3.14159265358979323846", "c": "2.99792458+8 m/sec fuzz",
    "mole": "6.02214076+23 fuzz", "e": "1.602176634-19 coul fuzz",
    "second": "sec", "s": "sec", "minute": "60 sec", "min": "minute", "hour": "60 min", "hr": "hour",
    "day": "24 hr", "ms": "millisec", "us": "microsec", "ns": "nanosec",
    "gram": "millikg", "gm": "gram", "mg": "milligram",
    "meter": "m", "metre": "meter", "cm": "centimeter", "mm": "millimeter", "km": "kilometer",
    "nm": "nanometer", "micron": "micrometer", "angstrom": "decinanometer",
    "cc": "cm3", "liter": "kilocc", "litre": "liter", "ml": "milliliter",
    "newton": "kg-m/sec2", "nt": "newton", "N": "newton", "joule": "nt-m", "cal": "4.1868 joule",
    "coulomb": "coul", "C": "coul", "ampere": "coul/sec", "amp": "ampere", "watt": "joule/sec",
    "volt": "watt/amp", "V": "volt", "ohm": "volt/amp", "mho": "/ohm", "siemens": "/ohm",
    "kilohm": "kiloohm", "megohm": "megaohm", "farad": "coul/volt", "hertz": "/sec", "Hz": "hertz",
    "pascal": "nt/m2", "%": "1|100", "percent": "%",
    "faraday": "e-mole", "boltzmann": "1.380649-23 joule/K", "k": "boltzmann",
    "gasconstant": "k-mole", "R": "gasconstant", "electronvolt": "e-volt", "eV": "e V",
    "degC": "K", "kelvin": "K",
}
_SEPARATORS = frozenset("123456789-/ \t\n")
_DIGITS = frozenset("0123456789")
_LIB_VALUES: dict[str, float] = {}


class _Unknown(Exception):
    """A unit name neither the library subset nor the file declares (args[0]: the name)."""


def _char(text: str, i: int) -> str:
    return text[i] if i < len(text) else "\n"  # nocmodl reads a unit string as one line


def _number(text: str, i: int) -> tuple[float, int]:
    """The leading number of ``text`` from ``i`` (0.0 where there is none) and where it ends:
    digits and points, then a sign and digits as the power of ten, read as C's atof reads them
    (the longest number the characters start with), over the number after a '|'."""
    while _char(text, i) in " \t":
        i += 1
    start = i
    while _char(text, i) in _DIGITS or _char(text, i) == ".":
        i += 1
    digits = text[start:i]
    if _char(text, i) in "+-":
        power = i + 1
        i = power
        while _char(text, i) in _DIGITS:
            i += 1
        digits += "e" + text[power - 1:i]
    m = re.match(r"([0-9]+\.?[0-9]*|\.[0-9]+)(e[-+][0-9]+)?", digits)
    d = float(m.group(0)) if m else 0.0
    if _char(text, i) == "|":
        below, i = _number(text, i + 1)
        if below == 0.0:
            raise _Unknown(text.strip())  # a|0: no magnitude (C's would be inf)
        return d / below, i
    return d, i


def _value(text: str, declared: dict[str, float]) -> float:
    """The magnitude of unit ``text`` in SI base units; _Unknown names a name it cannot find."""
    text = text.replace("\r", "")
    factor, i = _number(text, 0)
    factor = factor or 1.0
    name, den = "", False
    while True:
        c = _char(text, i)
        i += 1
        if c not in _SEPARATORS:
            name += c
            continue
        if name:
            factor = _times(factor, name, den, c, declared)
            name = ""
        den = den or c == "/"
        if c == "\n":
            return factor


def _times(factor: float, name: str, den: bool, after: str, declared: dict[str, float]) -> float:
    """``factor`` times (divided by, after a '/') unit ``name`` to the power ``after`` (a digit)."""
    whole, scale = name, 1.0
    while (q := _known(name, declared)) is None:
        prefix = next(((p, f) for p, f in _PREFIXES if name.startswith(p)), None)
        if prefix is not None:
            scale, name = scale * prefix[1], name[len(prefix[0]):]
        elif len(name) > 1 and name.endswith("s"):
            name = name[:-1]  # a plural
        else:
            raise _Unknown(whole)
    for _ in range(int(after) if after in "23456789" else 1):
        factor = factor / (q * scale) if den else factor * (q * scale)
    return factor


def _known(name: str, declared: dict[str, float]) -> float | None:
    if name == "":
        return 1.0  # what is left of a bare prefix (milli/liter)
    if name in _LIB:
        if name not in _LIB_VALUES:
            _LIB_VALUES[name] = _value(_LIB[name], {}) if _LIB[name] else 1.0
        return _LIB_VALUES[name]
    return declared.get(name)


def unit_value(unit: str, declared: dict[str, float] | None = None) -> float | None:
    """Unit ``unit``'s magnitude in SI base units (``declared``: names a UNITS block declared, with
    their magnitudes), None where a name in it is unknown."""
    try:
        return _value(unit, declared or {})
    except _Unknown:
        return None


def _evaluate(mod) -> tuple[dict[str, float], list[tuple[object, str]]]:
    """name -> value of each factor, and (definition, unknown unit name) of each one refused; the
    block's unit declarations are read in order, each seeing those before it, as nocmodl does."""
    declared: dict[str, float | str] = {}  # name -> magnitude, or the unknown name its definition holds
    values, refused = {}, []
    for block in mod.program.blocks:
        if not block.is_unit_block():
            continue
        for d in block.definitions:
            if d.is_unit_def():
                name = d.unit1.name.eval().strip()
                if name not in declared and _known(name, {}) is None:  # nocmodl keeps the first
                    try:
                        declared[name] = _value(d.unit2.name.eval(), _Declared(declared))
                    except _Unknown as exc:
                        declared[name] = exc.args[0]
            elif d.is_factor_def():
                if d.value is not None:
                    values[d.get_node_name()] = float(d.value.eval())
                    continue
                try:
                    u1, u2 = (_value(u, _Declared(declared)) for u in _units(d))
                    values[d.get_node_name()] = u1 / u2
                except _Unknown as exc:
                    refused.append((d, exc.args[0]))
    return values, refused


class _Declared(dict):
    """Declared magnitudes; a name whose own definition failed raises _Unknown with the name
    inside it (``(mM) = (millimolar)`` with no ``molar`` declared: 'millimolar' is what is unknown)."""

    def __init__(self, declared: dict[str, float | str]):
        super().__init__({k: v for k, v in declared.items() if isinstance(v, float)})
        self.failed = {k: v for k, v in declared.items() if not isinstance(v, float)}

    def get(self, name, default=None):
        if name in self.failed:
            raise _Unknown(self.failed[name])
        return super().get(name, default)


def _units(d) -> tuple[str, str]:
    return d.unit1.name.eval(), d.unit2.name.eval() if d.unit2 is not None else "1"


def _line(lines: list[str], name: str) -> int:
    return next((k + 1 for k, text in enumerate(lines) if re.match(rf"\s*{re.escape(name)}\s*=", text)), 0)


def _refusal(d, unknown: str) -> str:
    u1, u2 = _units(d)
    name = d.get_node_name()
    return (f"unit factor {name} = ({u1}) ({u2}) (unit {unknown!r}: neither a unit excitable reads from NEURON's "
            f"units table nor one the UNITS block declares above it: write the value instead, {name} = <number>)")


def factors(mod) -> dict[str, float]:
    """name -> value of every named constant in the file's UNITS block (dimensionless: the ratio
    of its two units, e.g. R = (mole k) (mV-coulomb/degC) = 8314.46... mV·C/(K·mol))."""
    values, refused = _evaluate(mod)
    if refused:
        d, unknown = refused[0]
        line = _line(mod.text.splitlines(), d.get_node_name())
        raise ModelError(f"{mod.path}:{line}: {_refusal(d, unknown)} not supported")
    return values


def problems(mod, lines: list[str]) -> list[tuple[int, str]]:
    """(line, construct) of each unit factor ``factors`` would refuse (``mod check`` lists them)."""
    return [(_line(lines, d.get_node_name()), _refusal(d, unknown)) for d, unknown in _evaluate(mod)[1]]
