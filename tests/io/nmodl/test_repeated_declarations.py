"""A name declared GLOBAL twice (io/nmodl/parse.py ``_once_global``): nrnivmodl accepts it (ModelDB
267140's cal4.mod, 105385's bk_gp.mod and hcn12_gp.mod), NEURON's NMODL framework refused it with a
RuntimeError that reached the user as a traceback. The repeat is dropped, so the file runs.

Reference: NEURON 9.0.2 side by side through ``compare_mods`` (1e-6 of each trace's scale, issue 18).
"""

from __future__ import annotations

import pytest

from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from tests.io.nmodl.neuron_side import OWN

FILE = OWN / "nm_dupglobal.mod"


def test_a_repeated_global_is_one_parameter():
    import dataclasses

    assert [f.name for f in dataclasses.fields(load_mod(FILE))] == ["g", "e", "tau"]
    lines, bad = check_file(FILE)  # was a RuntimeError traceback ("Re-declaration of g [GlobalVar]")
    assert bad == 0 and "  parameters: g = 0.001 S/cm2, e = -70 mV, tau = 2 ms" in lines, lines


@pytest.mark.neuron
def test_a_repeated_global_runs_beside_neuron():
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods([FILE])
    assert result.agrees, result.report()
    assert "nm_dupglobal.w" in {r.trace for r in result.rows}
