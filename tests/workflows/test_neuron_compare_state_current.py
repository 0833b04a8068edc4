"""``mod compare`` of a point process whose ELECTRODE_CURRENT is also a STATE (org.neuroml.export's
pulseGenerator: ``STATE { i (nA) }``, set in BREAKPOINT from t; every NeuroML model exported to NEURON
with a <pulseGenerator> has one). It stopped with "record: label 'i' is already used" and compared
nothing else in the folder. Beside NEURON 9.0.2: the pulse fires the hh compartment; V within the
protocol's 1e-6 of its range (the same sums: 1e-15 measured), i exact, the same spike."""

from __future__ import annotations

import pytest

PULSE = """NEURON { POINT_PROCESS pgs ELECTRODE_CURRENT i RANGE delay, duration, amplitude }
UNITS { (nA) = (nanoamp) }
PARAMETER { delay = 2 (ms) duration = 5 (ms) amplitude = 0.3 (nA) }
STATE { i (nA) }
BREAKPOINT {
    if (t < delay) { i = 0 }
    if (t >= delay && t < duration + delay) { i = amplitude }
    if (t >= duration + delay) { i = 0 }
}
"""


@pytest.mark.neuron
def test_a_current_that_is_a_state_is_one_trace(tmp_path):
    from excitable.workflows.neuron_compare import compare_mods

    (tmp_path / "pgs.mod").write_text(PULSE)
    result = compare_mods([tmp_path])
    assert result.agrees, result.report()
    rows = {r.trace: r.difference for r in result.rows}
    assert rows["pgs.i"] == 0.0 and rows["v"] < 1e-6, rows
    assert any(len(theirs) >= 1 for _, _, theirs in result._sets())  # the pulse fires the cell in NEURON too
