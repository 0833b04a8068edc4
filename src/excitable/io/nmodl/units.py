"""Named constants of a UNITS block (``FARADAY = (faraday) (coulomb)``, ``R = (k-mole)
(joule/degC)``, ``PI = (pi) (1)``, ``F = 96485.3 (coul)``): their values as NEURON's unit database
(share/nrn/lib/nrnunits.lib, 2019 SI values) gives them. A factor between units this table does
not know is refused with its name, never guessed.
"""

from __future__ import annotations

import math
import re

from excitable.errors import ModelError

_E = 1.602176634e-19        # elementary charge, C (exact, SI 2019)
_K = 1.380649e-23           # Boltzmann constant, J/K (exact)
_NA = 6.02214076e23         # Avogadro's number, 1/mol (exact)
#: Unit -> value in SI base units (only ratios of two of them are used).
BASE = {
    "1": 1.0, "faraday": _E * _NA, "coulomb": 1.0, "coulombs": 1.0, "coul": 1.0,
    "kilocoulombs": 1e3, "kilocoulomb": 1e3, "k-mole": _K * _NA, "joule/degC": 1.0, "joule/K": 1.0,
    "joule/kelvin": 1.0, "k": _K, "boltzmann": _K, "e": _E, "pi": math.pi, "mole": _NA,
    "avogadro": _NA, "degC": 1.0, "kelvin": 1.0, "K": 1.0,
}


def unit_value(unit: str) -> float | None:
    """A unit's value in SI base units, None where unknown: a name of ``BASE``, or a number times
    one (``10000 coulomb``, the NEURON Book's ``FARADAY = (faraday) (10000 coulomb)``, 9.6485...)."""
    m = re.fullmatch(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s+(\S+)\s*", unit)
    if m:
        base = BASE.get(m.group(2))
        return None if base is None else float(m.group(1)) * base
    return BASE.get(unit.strip())


def _definitions(mod):
    for block in mod.program.blocks:
        if block.is_unit_block():
            yield from (d for d in block.definitions if d.is_factor_def())


def _units(d) -> tuple[str, str]:
    return d.unit1.name.eval(), d.unit2.name.eval() if d.unit2 is not None else "1"


def _refusal(d) -> str:
    u1, u2 = _units(d)
    return f"unit factor {d.get_node_name()} = ({u1}) ({u2}) (known units: {', '.join(sorted(BASE))}, or a number times one)"


def factors(mod) -> dict[str, float]:
    """name -> value of every named constant in the file's UNITS block."""
    out = {}
    for d in _definitions(mod):
        name = d.get_node_name()
        if d.value is not None:
            out[name] = float(d.value.eval())
            continue
        u1, u2 = (unit_value(u) for u in _units(d))
        if u1 is None or u2 is None:
            raise ModelError(f"{mod.path}: {_refusal(d)} not supported")
        out[name] = u1 / u2
    return out


def problems(mod, lines: list[str]) -> list[tuple[int, str]]:
    """(line, construct) of each unit factor ``factors`` would refuse (``mod check`` lists them)."""
    out = []
    for d in _definitions(mod):
        if d.value is None and None in (unit_value(u) for u in _units(d)):
            name = d.get_node_name()
            line = next((k + 1 for k, text in enumerate(lines) if re.match(rf"\s*{re.escape(name)}\s*=", text)), 0)
            out.append((line, _refusal(d)))
    return out
