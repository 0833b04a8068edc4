"""An ASSIGNED that the SOLVE'd block (through the PROCEDURE it calls) reads before it assigns it:
NEURON reads the previous call's value, kept in the instance. org.neuroml.export writes every
gateHHratesTauInf gate so (OSB MiglioreEtAl14's kamt.mod: ``m_timeCourse_ALPHA`` from ``m_alpha``
before ``m_alpha = ...``; its INITIAL calls rates() twice). It was read as 0: tests/reference/mod/
nm_prevcall.mod's q 0.72 of its range off and V 4.2 mV (silently, `mod check` said "supported"),
kamt.mod NaN at the first step. Now carried as a state (procedure_solves.memory) where NEURON calls
the block once a step (cnexp, euler); refused with its line where Newton's method calls it again
at every iteration (derivimplicit, KINETIC).

Reference: NEURON 9.0.2 compiling the same file, side by side by ``compare_mods`` (the voltage-clamp
family and a current clamp with hh). Tolerance 1e-9 of each trace's range: both sides float64 with the
same expressions (2.2e-11 measured); alpha read as 0 moves q by 0.7 of its range.
"""

from __future__ import annotations

import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from tests.io.nmodl.neuron_side import OWN, mod_file

FILE = OWN / "nm_prevcall.mod"
RTOL = 1e-9


@pytest.mark.neuron
def test_the_previous_calls_value_is_read_as_in_neuron():
    from excitable.workflows.neuron_compare import compare_mods

    assert "alpha" in load_mod(FILE).states  # carried from step to step
    result = compare_mods([FILE, mod_file("hh")], tolerance=RTOL)
    assert result.agrees, result.report()
    rows = {r.trace: r.difference for r in result.rows}
    assert {"nm_prevcall.q", "nm_prevcall.alpha", "ik", "v"} <= set(rows), sorted(rows)
    assert max(rows.values()) < RTOL


def test_a_block_newton_calls_again_is_refused_with_the_line(tmp_path):
    path = tmp_path / "nm_prevcalli.mod"
    path.write_text(FILE.read_text().replace("nm_prevcall", "nm_prevcalli").replace("METHOD cnexp", "METHOD derivimplicit"))
    line = path.read_text().splitlines().index("    tau = 1 + 10*alpha") + 1
    message = (rf"^{path}:{line}: alpha read before the block states \(METHOD derivimplicit\) assigns it \(NEURON: the "
               r"previous call's value, and derivimplicit calls the block again at every Newton iteration\) not supported$")
    with pytest.raises(ModelError, match=message):
        load_mod(path)
    report, bad = check_file(path)
    assert bad == 1 and report[-1].strip().startswith(f"{path}:{line}: alpha read before"), report
