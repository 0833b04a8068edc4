"""An ASSIGNED variable a BREAKPOINT with currents reads before it sets it (breakpoint_memory.py):
NEURON's nrn_cur runs BREAKPOINT twice a step, each run from what the previous left. Density
mechanisms and point processes carry it and run BREAKPOINT twice a step too (test_breakpoint_twice.py,
test_point_breakpoint_twice.py, beside NEURON); a max tracker that reaches nothing, and a clamp of a
value set first in the same run, run beside NEURON."""

from __future__ import annotations

import pytest

from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import OWN

# the accumulator as a point process (nA): refused before point processes ran BREAKPOINT twice a step
# (point.py ran it once a step: 0.65 of i's range off, the second spike 0.175 ms early); its numbers
# beside NEURON: test_point_breakpoint_twice.py's pt_pacc, the same accumulator in a synapse
POINT = """NEURON { POINT_PROCESS bpm_pacc NONSPECIFIC_CURRENT i RANGE n, g }
PARAMETER { g = 0.0001 (uS) }
ASSIGNED { v (mV) i (nA) n }
INITIAL { n = 0 }
BREAKPOINT {
  n = n + 1
  i = g*(v + 65)*(1 + 0.001*n)
}
"""
# set on both branches before any read: runs (NEURON's first run sets it again, so one run is two)
BOTH = """NEURON { SUFFIX bpm_both NONSPECIFIC_CURRENT i RANGE x, g }
PARAMETER { g = 0.0001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) x }
BREAKPOINT {
  if (v > -60) { x = 2 } else { x = 1 }
  i = g*x*(v + 65)
}
"""


def test_a_value_a_point_process_breakpoint_reads_before_setting_is_carried(tmp_path):
    path = tmp_path / "bpm_pacc.mod"
    path.write_text(POINT)
    assert "n" in load_mod(path).states  # kept between BREAKPOINT's runs, as NEURON's instance keeps it


def test_a_value_set_on_every_branch_first_runs(tmp_path):
    path = tmp_path / "bpm_both.mod"
    path.write_text(BOTH)
    load_mod(path)  # no refusal; its numbers: mod compare gave 2.2e-11 of V's range


@pytest.mark.neuron
def test_a_max_tracker_and_a_same_run_clamp_run_beside_neuron():
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods([OWN / "nm_bpmem_max.mod", OWN / "nm_bpmem_clamp.mod"])
    # the protocol's bound, 1e-6 of each trace's range: the currents are the same closed forms on
    # both sides (vmax feeds none; x = min(s, xmax) of this run's s), so only rounding separates them
    assert result.agrees, result.report()
    assert {"nm_bpmem_max.i", "nm_bpmem_clamp.i", "nm_bpmem_clamp.s"} <= {r.trace for r in result.rows}
