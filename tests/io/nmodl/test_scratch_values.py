"""Values a mechanism's blocks assign and read back in the same block run, and values NEURON's nrn_cur
leaves in the instance (io/nmodl/parameter_writes.py, array_elements.py, mechanism.py's ``advance``),
beside NEURON on a soma and a dendrite whose V, area and gates differ:

- nm_gscratch.mod: GLOBAL PARAMETERs used as scratch (org.neuroml.export's cad__*.mod, OpenSourceBrain
  Thalamocortical): ``x0 = v + 0.01*area`` in INITIAL, ``sa = area`` in rates(), each read right
  after the same instance's assignment. Refused before ("values of each instance"); a later block
  reading x0 without assigning it first is still refused.
- nm_gcalla.mod: GLOBAL arrays ``Inf[2]`` (constant subscripts) and ``Tau[2]`` (a FROM loop) set in
  mh(v), which BREAKPOINT and the DERIVATIVE call before reading them (Lytton's naf.mod, OSB
  WangBuzsaki1996). Refused before; an element no path assigns is still refused.
- nm_bpparam.mod: a RANGE PARAMETER x and a RANGE ASSIGNED y that INITIAL and a BREAKPOINT with a
  current both assign (OSB M1NetworkModel cal_mig.mod's ggk). x was recorded at INITIAL's value all
  run long (1.5 of its scale off NEURON's); NEURON's is nrn_cur's, from the step's start V and s.

Tolerance: every trace within 1e-6 of its largest magnitude (issue 18, as test_neuron_side_by_side:
both sides float64 with the same formulas, 1e-12..1e-9 measured), the same spike times within 0.05 ms.
A shared-value or stale-value bug moves them by far more: the two compartments' x0 differ by 6 mV
(their areas), nm_bpparam's x by 10 mV*s from y and by 0.5*v at t = 0.
"""

from __future__ import annotations

import numpy as np
import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.array_elements import first_problem
from tests.io.nmodl import soma_dendrite
from tests.io.nmodl.neuron_side import OWN, class_loader
from tests.io.nmodl.test_neuron_side_by_side import spike_times
from tests.reference.nrnmech import neuron_loaded

RTOL = 1e-6
CELSIUS = 6.3
STEMS = ("nm_gscratch", "nm_gcalla", "nm_bpparam")
SECTIONS = (("soma", 20.0, 20.0), ("dend", 100.0, 2.0))  # (name, L um, diam um): areas 1257 and 628 um2
#: (trace, suffix, variable) recorded in each section
TRACES = (("nm_gscratch.s", "nm_gscratch", "s"), ("nm_gcalla.h", "nm_gcalla", "h"),
          ("nm_bpparam.s", "nm_bpparam", "s"), ("nm_bpparam.x", "nm_bpparam", "x"),
          ("nm_bpparam.y", "nm_bpparam", "y"))
cls = class_loader()


def ours(*, clamp=None, iclamp=None, tstop=15.0):
    return soma_dendrite.ours([cls(s) for s in STEMS], SECTIONS, [n for n, _, _ in TRACES], celsius=CELSIUS,
                              clamp=clamp, iclamp=iclamp, tstop=tstop, passive=cls("passive"))


def neurons(*, clamp=None, iclamp=None, tstop=15.0):
    h = neuron_loaded([OWN / f"{s}.mod" for s in STEMS], "nrnmech-scratch-values", "the scratch value test files")
    return soma_dendrite.neurons(h, "sv", STEMS, SECTIONS, TRACES, celsius=CELSIUS, clamp=clamp, iclamp=iclamp,
                                 tstop=tstop)


def compare(**run):
    mine, theirs = ours(**run), neurons(**run)
    soma_dendrite.differences(mine, theirs, len(SECTIONS) * (1 + len(TRACES)), RTOL)
    return mine, theirs


@pytest.mark.neuron
def test_scratch_globals_global_arrays_and_nrn_cur_values_match_neuron_on_two_compartments():
    mine, theirs = compare(clamp=((2.0, -65.0), (6.0, -20.0), (7.0, -65.0)))
    # the compartments' scratch values differ (x0 = v + 0.01*area: 6.3 mV), so one value for both would show
    assert abs(theirs["soma:nm_gscratch.s"][0] - theirs["dend:nm_gscratch.s"][0]) > 6.0
    assert np.max(np.abs(theirs["soma:nm_gcalla.h"] - theirs["dend:nm_gcalla.h"])) > 1e-2
    # x at t = 0 is finitialize's nrn_cur's (v = -65), not INITIAL's 0.5*v; then it follows V and s
    assert theirs["soma:nm_bpparam.x"][0] == pytest.approx(-65.0, abs=1e-12)
    assert np.ptp(theirs["soma:nm_bpparam.x"]) > 40.0 and np.ptp(theirs["soma:nm_bpparam.x"] - theirs["soma:nm_bpparam.y"]) > 1.0

    mine, theirs = compare(iclamp=(2.0, 10.0, 0.3))
    assert len(spike_times(theirs["soma:v"])) >= 1
    np.testing.assert_allclose(spike_times(mine["soma:v"]), spike_times(theirs["soma:v"]), atol=0.05)  # ms


@pytest.mark.parametrize("stem, old, new, why", [
    # BREAKPOINT reads INITIAL's x0 without assigning it: NEURON's is the last instance's, for all
    ("nm_gscratch", "i = g*(v - s)", "i = g*(v - x0)",
     r"nm_gscratch\.mod:21: GLOBAL PARAMETER x0 assigned in INITIAL from area, v, values of each instance, "
     r"and read before a later block assigns it"),
    # the same in the DERIVATIVE
    ("nm_gscratch", "s' = rate", "s' = rate + (x0 - s)/(1 (ms))", r"nm_gscratch\.mod:21: GLOBAL PARAMETER x0"),
    # Inf[1] assigned by no path: the DERIVATIVE's read sees what another instance left (mh's argument
    # is given v: a value of each instance, test_shared_arguments.py)
    ("nm_gcalla", "    Inf[1] = 1/(1 + exp((v + 60)/7))\n", "", r"nm_gcalla\.mod:\d+: GLOBAL Inf assigned in INITIAL from v"),
    # Tau[1] likewise, the loop covering element 0 only
    ("nm_gcalla", "FROM j = 0 TO 1", "FROM j = 0 TO 0", r"nm_gcalla\.mod:\d+: GLOBAL Tau assigned in INITIAL from"),
], ids=["bp-reads-x0", "derivative-reads-x0", "element-never-set", "loop-short-of-the-array"])
def test_a_value_another_instance_may_have_left_is_still_refused(tmp_path, stem, old, new, why):
    text = (OWN / f"{stem}.mod").read_text()
    assert old in text
    path = tmp_path / f"{stem}.mod"
    text = text.replace(old, new)
    path.write_text(text)
    with pytest.raises(ModelError, match=why) as err:
        load_mod(path)
    assert "declare it RANGE" in str(err.value) or "RANGE x0 runs" in str(err.value)
    assert "\n" not in str(err.value)


def test_a_global_array_element_no_path_assigns_is_a_read_before_its_assignment(tmp_path):
    """What shared_values asks of the SOLVE'd block (its ``_read_first``): Inf[1] unset by mh."""
    from excitable.io.nmodl.describe import describe
    from excitable.io.nmodl.parameter_writes import Writes, _first_problem
    from excitable.io.nmodl.parse import parse_text, read_text

    text = (OWN / "nm_gcalla.mod").read_text()
    derivative = text.splitlines().index("    h' = (Inf[1] - h)/Tau[1]") + 1  # its line
    for body, line in ((text, 0), (text.replace("    Inf[1] = 1/(1 + exp((v + 60)/7))\n", ""), derivative)):
        path = tmp_path / "nm_gcalla.mod"
        path.write_text(body)
        mod = parse_text(*read_text(path))
        flat = Writes(describe(mod), mod.text).flat
        assert _first_problem(flat["BREAKPOINT"], "Inf") == 0  # BREAKPOINT reads Inf[0] only, after mh(v)
        assert _first_problem(flat["SOLVE"], "Inf") == line  # the DERIVATIVE's h' = (Inf[1] - h)/Tau[1]


def _flat(*codes, cond=()):
    return [(i + 1, c, i + 1 in cond) for i, c in enumerate(codes)]


@pytest.mark.parametrize("flat, line", [
    (_flat("a[0] = 1", "a[1] = 2", "x = a[0] + a[1]"), 0),
    (_flat("FROM j = 0 TO 1 {", "a[j] = j", "}", "x = a[1]"), 0),
    (_flat("a[0] = 1", "x = a[1]"), 2),  # element 1 unset
    (_flat("a[0] = 1", "a[1] = 2", "x = a[k]"), 3),  # an index of no known range: any element
    (_flat("FROM j = 0 TO 1 {", "a[j] = j", "}", "j = 7", "x = a[j]"), 5),  # j is no longer the loop's
    (_flat("a[0] = a[0] + 1"), 1),  # reads itself first
    (_flat("if (v > 0) { a[0] = 1 }", "a[1] = 1", "x = a[0]", cond=(1,)), 1),  # conditional first assignment
    (_flat("a[0] = 1", "a[1] = 2", "if (v > 0) { a[1] = 3 }", "f(a)", cond=(3,)), 4),  # the whole array
])
def test_array_elements_are_assigned_one_by_one_before_they_are_read(flat, line):
    assert first_problem(flat, "a") == line
