"""Named constants of a UNITS block (io/nmodl/units.py), against their closed forms: the SI 2019
exact constants NEURON's unit database (nrnunits.lib) uses, so the comparisons are exact to the
last bit or two (rel 1e-15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from excitable.errors import ModelError
from excitable.io.nmodl.check import check_file
from excitable.io.nmodl.parse import parse_text
from excitable.io.nmodl.units import factors

E, NA = 1.602176634e-19, 6.02214076e23  # C, 1/mol: exact since 2019

TEXT = """NEURON { SUFFIX u NONSPECIFIC_CURRENT i }
UNITS {
    FARADAY = (faraday) (10000 coulomb)
    F2 = (faraday) (kilocoulombs)
    PI = (pi) (1)
    %s
}
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = 0.001*(v + 65) }
"""


def test_a_factor_of_a_number_times_a_unit_is_that_number_times_it():
    # the NEURON Book's cdp.mod and cabpump.mod: FARADAY = (faraday) (10000 coulomb) = F / 1e4
    got = factors(parse_text(Path("u.mod"), TEXT % ""))
    assert got["FARADAY"] == pytest.approx(E * NA / 1e4, rel=1e-15)
    assert got["F2"] == pytest.approx(E * NA / 1e3, rel=1e-15)


def test_an_unknown_unit_is_refused_by_load_and_listed_by_check_with_its_line(tmp_path):
    path = tmp_path / "u.mod"
    path.write_text(TEXT % "X = (furlong) (coulomb)")
    with pytest.raises(ModelError, match=r"unit factor X = \(furlong\) \(coulomb\)"):
        factors(parse_text(path, path.read_text()))
    report, n = check_file(path)
    assert n == 1 and any(r.strip().startswith(f"{path}:6: unit factor X") and r.endswith("not supported")
                          for r in report), report
