"""Named constants of a UNITS block (``FARADAY = (faraday) (coulomb)``, ``R = (k-mole)
(joule/degC)``, ``PI = (pi) (1)``, ``F = 96485.3 (coul)``): their values as NEURON's unit database
(share/nrn/lib/nrnunits.lib, 2019 SI values) gives them. A factor between units this table does
not know is refused with its name, never guessed.
"""

from __future__ import annotations

import math

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


def factors(mod) -> dict[str, float]:
    """name -> value of every named constant in the file's UNITS block."""
    out = {}
    for block in mod.program.blocks:
        if not block.is_unit_block():
            continue
        for d in block.definitions:
            if not d.is_factor_def():
                continue
            name = d.get_node_name()
            if d.value is not None:
                out[name] = float(d.value.eval())
                continue
            u1, u2 = d.unit1.name.eval(), d.unit2.name.eval() if d.unit2 is not None else "1"
            if u1 not in BASE or u2 not in BASE:
                raise ModelError(f"{mod.path}: unit factor {name} = ({u1}) ({u2}) not supported "
                                 f"(known units: {', '.join(sorted(BASE))})")
            out[name] = BASE[u1] / BASE[u2]
    return out
