"""An ASSIGNED variable a BREAKPOINT with currents reads before it sets it (breakpoint_memory.py):
NEURON's nrn_cur runs BREAKPOINT twice a step, each run from what the previous left. A density
mechanism carries it and runs BREAKPOINT twice a step too (test_breakpoint_twice.py, beside
NEURON); a point process keeps nothing its BREAKPOINT writes, so there a value that reaches a
current is refused with its line; a max tracker that reaches nothing, and a clamp of a value set
first in the same run, run beside NEURON."""

from __future__ import annotations

import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import OWN

MESSAGE = r"ASSIGNED {x} read in BREAKPOINT before it is set there in a point process \(NEURON keeps what the previous run left"

# the accumulator as a point process (nA): point.py would run it the same wrong way (mod compare,
# before the refusal: 0.65 of i's range off, the second spike 0.175 ms early)
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


@pytest.mark.parametrize("name, text, line, var", [("bpm_pacc", POINT, 6, "n")])
def test_a_value_a_point_process_breakpoint_reads_before_setting_is_refused(name, text, line, var, tmp_path):
    path = tmp_path / f"{name}.mod"
    path.write_text(text)
    with pytest.raises(ModelError, match=rf"^{path}:{line}: {MESSAGE.format(x=var)}.* not supported$"):
        load_mod(path)


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
