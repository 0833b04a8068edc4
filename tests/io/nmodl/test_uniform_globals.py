"""A GLOBAL the SOLVE'd block sets and BREAKPOINT reads runs where every instance writes the same number
(io/nmodl/uniform_values.py): NEURON's nrn_cur reads the value the last instance's nrn_state left,
which is then each instance's own. Mainen & Sejnowski's ``GLOBAL tadj = q10^((celsius - temp)/10)``
(ModelDB 108459 ca.mod, 114359 kca.mod and their copies) was refused; now it runs, and one from v
(a value of each instance: 116862 Iahp.mod's m_inf from cai) is still refused with its line.

Beside NEURON at 36 degC, on a soma and a dendrite whose V and gates differ (a voltage-clamp family
at the soma, and a current clamp that fires): tests/reference/mod/nm_tadjna.mod and nm_tadjg.mod (Na
and K, tadj in the Mainen style; hh is heat-blocked at 36 degC) and nm_tadjfn.mod (qfac from the GLOBAL PARAMETER temp through a FUNCTION, a LOCAL and
an if on it; tw from t alone). Tolerance: every trace within 1e-6 of its largest magnitude (issue 18,
as in test_neuron_side_by_side: both sides float64 with the same formulas, 1e-12..1e-9 expected),
the same spike times within 0.05 ms. A per-instance value in their place moves the traces by far more:
nm_tadjg's tadj at 23 degC instead of 36 is a factor 2.95 on its conductance and time constant.
"""

from __future__ import annotations

import numpy as np
import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from tests.io.nmodl import soma_dendrite
from tests.io.nmodl.neuron_side import OWN, class_loader
from tests.io.nmodl.test_neuron_side_by_side import spike_times, worst
from tests.reference.nrnmech import neuron_loaded

RTOL = 1e-6
CELSIUS = 36.0
STEMS = ("nm_tadjna", "nm_tadjg", "nm_tadjfn")
SECTIONS = (("soma", 20.0, 20.0), ("dend", 200.0, 2.0))
cls = class_loader()


def _states():
    """(record name, suffix, state) of every state of every mechanism."""
    return [(f"{cls(s).__name__}.{st}", cls(s).__name__, st) for s in STEMS for st in cls(s).description.states]


def ours(*, clamp=None, iclamp=None, tstop=25.0, v_init=-65.0):
    return soma_dendrite.ours([cls(s) for s in STEMS], SECTIONS, [n for n, _, _ in _states()], celsius=CELSIUS,
                              clamp=clamp, iclamp=iclamp, tstop=tstop, v_init=v_init, passive=cls("passive"))


def neurons(*, clamp=None, iclamp=None, tstop=25.0, v_init=-65.0):
    h = neuron_loaded([OWN / f"{s}.mod" for s in STEMS], "nrnmech-uniform-globals",
                      "the uniform GLOBAL test files")
    return soma_dendrite.neurons(h, "ug", [cls(s).__name__ for s in STEMS], SECTIONS, _states(), celsius=CELSIUS,
                                 clamp=clamp, iclamp=iclamp, tstop=tstop, v_init=v_init,
                                 globals_=(("tadj", "tadj_nm_tadjg"), ("tw", "tw_nm_tadjfn")))


def compare(**run):
    mine, theirs = ours(**run), neurons(**run)
    diffs = {k: worst(mine[k], theirs[k]) for k in theirs if k in mine.traces}
    assert len(diffs) == len(SECTIONS) * (1 + len(_states())), diffs
    return diffs, mine, theirs


@pytest.mark.neuron
def test_globals_every_instance_sets_alike_match_neuron_on_two_compartments():
    largest: dict[str, float] = {}
    for step in (-60.0, -20.0, 20.0):
        diffs, mine, theirs = compare(clamp=((5.0, -80.0), (15.0, step), (5.0, -80.0)), v_init=-80.0)
        for k, d in diffs.items():
            largest[k] = max(largest.get(k, 0.0), d)
        # the two compartments differ (else one value per instance would be one value for all anyway)
        assert np.max(np.abs(theirs["soma:nm_tadjg.n"] - theirs["dend:nm_tadjg.n"])) > 1e-2
    assert theirs["tadj"][-1] == pytest.approx(2.3 ** ((CELSIUS - 23) / 10), rel=1e-12)  # 2.95: it matters
    assert np.ptp(theirs["tw"]) > 0.4  # tw moves with t
    bad = {k: d for k, d in largest.items() if not d <= RTOL}
    assert not bad, f"largest differences (of each trace's scale): {bad}"

    diffs, mine, theirs = compare(iclamp=(2.0, 15.0, 0.3), tstop=20.0)
    bad = {k: d for k, d in diffs.items() if not d <= RTOL}
    assert not bad, f"largest differences (of each trace's scale): {bad}"
    assert len(spike_times(theirs["soma:v"])) >= 2
    np.testing.assert_allclose(spike_times(mine["soma:v"]), spike_times(theirs["soma:v"]), atol=0.05)  # ms


FROM_V = """NEURON {
    SUFFIX ugv
    NONSPECIFIC_CURRENT i
    GLOBAL g, q10, temp
}
PARAMETER { gbar = 0.001 (S/cm2) q10 = 3 temp = 30 (degC) }
ASSIGNED { v (mV) i (mA/cm2) celsius (degC) g }
STATE { h }
INITIAL { h = 1 }
BREAKPOINT {
    SOLVE s METHOD cnexp
    i = gbar*g*h*(v + 65)
}
DERIVATIVE s {
    rates(v)
    h' = (1 - h)/10
}
PROCEDURE rates(vm (mV)) {
    %s
}
"""


@pytest.mark.parametrize("body, line, why", [
    # through the PROCEDURE's argument: rates(v)
    ("g = q10^((celsius - temp)/10)*exp(vm/50)", 19, "from v, values of each instance"),
    # through a LOCAL and a FUNCTION's argument
    ("LOCAL k\n    k = twice(vm)\n    g = k", 21, "from v, values of each instance"),
    # a uniform value under an if whose condition differs per instance
    ("g = 1\n    if (vm > -50) { g = q10^((celsius - temp)/10) }", 20, "under an if on v, values of each instance"),
    # through a GLOBAL PARAMETER the block assigns from v (one value the instances assign in turn)
    ("q10 = exp(vm/50)\n    g = q10", 20, "from v, values of each instance"),
], ids=["from-v-argument", "through-local-and-function", "under-an-if-on-v", "through-an-assigned-parameter"])
def test_a_global_of_each_instance_is_still_refused_with_its_line(tmp_path, body, line, why):
    path = tmp_path / "ugv.mod"
    path.write_text(FROM_V % body + "FUNCTION twice(x) { twice = 2*x }\n")
    want = (rf"ugv\.mod:{line}: GLOBAL g assigned in the SOLVE'd block and read in BREAKPOINT before BREAKPOINT "
            rf"assigns it, {why} \(NEURON: the last instance's value, for all; declare it RANGE\) not supported")
    with pytest.raises(ModelError, match=want) as err:
        load_mod(path)
    assert "\n" not in str(err.value)
    report, problems = check_file(path)
    assert problems and any(f"ugv.mod:{line}: GLOBAL g" in r for r in report)


@pytest.mark.parametrize("body", [
    "g = q10^((celsius - temp)/10)",
    "LOCAL k\n    k = twice(temp)\n    if (k > 1) { g = k } else { g = 1 }",  # an if on a uniform value
    "g = 1 + t/100 + dt",  # t and dt: the same for every instance at a step
], ids=["constants", "function-local-if", "t-and-dt"])
def test_a_global_every_instance_sets_alike_loads(tmp_path, body):
    path = tmp_path / "ugv.mod"
    path.write_text(FROM_V % body + "FUNCTION twice(x) { twice = 2*x }\n")
    load_mod(path)
    report, problems = check_file(path)
    assert not problems, report


def test_a_global_that_reads_itself_adds_up_over_instances_and_is_refused(tmp_path):
    """``g = g + 1`` in NEURON adds one per instance each step; one value per instance would not."""
    path = tmp_path / "ugv.mod"
    path.write_text(FROM_V % "g = g + 1")
    with pytest.raises(ModelError, match=r"ugv\.mod:19: GLOBAL g .* from g, values of each instance"):
        load_mod(path)


def test_a_uniform_value_set_by_a_call_under_an_if_on_v_is_refused(tmp_path):
    """Only the instances whose V passes the test run rates(): in NEURON their value stays for all."""
    path = tmp_path / "ugv.mod"
    path.write_text((FROM_V % "g = q10^((celsius - temp)/10)").replace("    rates(v)\n", "    if (v > -50) { rates(v) }\n"))
    with pytest.raises(ModelError, match=r"ugv\.mod:19: GLOBAL g .* under an if on v, values of each instance"):
        load_mod(path)
