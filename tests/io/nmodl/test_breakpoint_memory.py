"""An ASSIGNED variable a BREAKPOINT with currents reads before it sets it (breakpoint_memory.py):
NEURON's nrn_cur runs BREAKPOINT twice a step, each run from what the previous left. Density
mechanisms and point processes carry it and run BREAKPOINT twice a step too (test_breakpoint_twice.py,
test_point_breakpoint_twice.py, beside NEURON); a max tracker that reaches nothing, and a clamp of a
value set first in the same run, run beside NEURON."""

from __future__ import annotations

import pytest

from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import OWN, mod_file

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


@pytest.mark.neuron
def test_a_running_maximum_and_a_time_set_on_some_paths_run_beside_neuron():
    """nm_bpkeep.mod: vmaxt = t and tlast = t are set on some paths only, so between those they hold
    an earlier run's value (they read 0 here before: vmaxt 2.26 ms off, tlast 4.49 ms, silently).
    The protocol's bound, 1e-6 of each trace's range: the same sums on both sides; the times are
    NEURON's nrn_cur times (t + dt/2), equal to the bit."""
    from excitable.workflows.neuron_compare import compare_mods

    assert {"vmax", "vmaxt", "tlast"} <= set(load_mod(OWN / "nm_bpkeep.mod").states)
    result = compare_mods([OWN / "nm_bpkeep.mod", mod_file("hh")])
    assert result.agrees, result.report()
    rows = {r.trace: r.difference for r in result.rows}
    assert {"nm_bpkeep.vmax", "nm_bpkeep.vmaxt", "nm_bpkeep.tlast"} <= set(rows), sorted(rows)
    assert rows["nm_bpkeep.vmaxt"] == rows["nm_bpkeep.tlast"] == 0.0, rows  # the same nrn_cur times


def test_a_current_free_breakpoint_keeping_values_is_refused_with_its_line(tmp_path):
    """Without a current NEURON runs BREAKPOINT once a step after the SOLVE (nrn_state), keeping the
    values: not run here, refused (Katz et al. 2009's dv_yael.mod ran with vmax read as 0)."""
    from excitable.errors import ModelError
    from excitable.io.nmodl.check import check_file

    path = tmp_path / "bpm_free.mod"
    path.write_text((OWN / "nm_bpkeep.mod").read_text().replace("nm_bpkeep NONSPECIFIC_CURRENT i", "bpm_free")
                    .replace(" i (mA/cm2)", "").replace("    i = g*(v + 65)\n", ""))
    line = path.read_text().splitlines().index("    if (v > vmax) {") + 1
    with pytest.raises(ModelError, match=rf"^{path}:{line}: vmax kept by BREAKPOINT from the previous step \(read "
                                         r"before it is set, or set on some paths only\) in a mechanism with no current"):
        load_mod(path)
    report, bad = check_file(path)
    assert bad == 3 and all("kept by BREAKPOINT from the previous step" in r for r in report[-3:]), report


@pytest.mark.neuron
@pytest.mark.parametrize("mode", [1.0, 2.0])
def test_a_range_parameter_breakpoint_sets_on_some_paths_runs_beside_neuron(mode):
    """nm_bprange.mod: a RANGE PARAMETER BREAKPOINT sets on some paths, read before it is set on
    others (mode 2: izhi2007b.mod's b, set on both paths of a branch another PARAMETER chooses; mode
    1: an accumulator w = w + 0.00002 above -55 mV, which nrn_cur's two runs move twice a step).
    Refused before ("PARAMETER w read in BREAKPOINT before it is assigned there"); now kept per
    instance as an ASSIGNED is. The protocol's bound, 1e-6 of each trace's range: the same sums on
    both sides; w exact (the same additions in the same order)."""
    from excitable.workflows.neuron_compare import compare_mods

    assert "w" in load_mod(OWN / "nm_bprange.mod").states
    result = compare_mods([OWN / "nm_bprange.mod", mod_file("hh")], amplitude_nA=0.3,
                          settings=(f"nm_bprange.mode={mode}",))
    assert result.agrees, result.report()
    rows = {(r.case, r.trace): r.difference for r in result.rows}
    assert rows[("together, current clamp", "nm_bprange.w")] == 0.0, rows
    assert len(result.spikes_ours) == len(result.spikes_neuron) == 1  # the step fires once on both sides


def test_a_global_parameter_breakpoint_reads_before_setting_is_refused_naming_range(tmp_path):
    """A GLOBAL PARAMETER holds one value for all instances (NEURON: the last instance's), so a read
    before BREAKPOINT sets it stays refused; the message says RANGE runs."""
    from excitable.errors import ModelError

    path = tmp_path / "bpm_glob.mod"
    path.write_text((OWN / "nm_bprange.mod").read_text().replace("nm_bprange", "bpm_glob")
                    .replace("RANGE g, e, mode, w", "RANGE g, e, mode"))
    with pytest.raises(ModelError, match=r"PARAMETER w read in BREAKPOINT before it is assigned there \(NEURON: "
                                         r"the previous step's value, one for all instances; RANGE runs\)"):
        load_mod(path)


def test_mod_check_names_the_range_parameter_breakpoint_keeps():
    from excitable.io.nmodl.check import check_file

    report, bad = check_file(OWN / "nm_bprange.mod")
    assert bad == 0
    assert "  parameters its blocks assign, kept from block to block as NEURON keeps them: w (BREAKPOINT)" in report
