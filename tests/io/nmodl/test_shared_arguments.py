"""A GLOBAL that INITIAL sets through a PROCEDURE's argument (io/nmodl/shared_values.py): NEURON keeps
one value for all instances, the last INITIAL's, so where a later block reads it before setting it,
``mh(v)`` gives every compartment the last one's v (a silent wrong run where excitable kept each
compartment's own: the argument, bound at the call, was taken for a shared value). Refused with the
assignment's line, naming the argument and what the call gave it. ``mh(celsius)`` and ``nh(-65)``
give every instance the same number and run: tests/reference/mod/nm_garg.mod beside NEURON on a soma
and a dendrite whose diam (20 and 2 um) gives them different mk through mh's other argument.

Tolerance: every trace within 1e-6 of its largest magnitude (as test_scratch_values: both sides
float64 with the same formulas, 1e-12..1e-9 measured). One shared value where NEURON keeps one per
compartment, or the reverse, moves them by far more: m starts at mk*minf, 10 times larger on the soma.
"""

from __future__ import annotations

import numpy as np
import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from tests.io.nmodl import soma_dendrite
from tests.io.nmodl.neuron_side import OWN, class_loader
from tests.reference.nrnmech import neuron_loaded

RTOL = 1e-6
CELSIUS = 16.0
SECTIONS = (("soma", 20.0, 20.0), ("dend", 100.0, 2.0))  # (name, L um, diam um): mk = diam/20 um, 1 and 0.1
TRACES = ("v", "nm_garg.m", "nm_garg.n")
TEXT = (OWN / "nm_garg.mod").read_text()
cls = class_loader()


def _variant(tmp_path, *swaps, extra: str = "") -> str:
    """nm_garg.mod with each (old, new) of ``swaps`` replaced and ``extra`` (a block) appended."""
    text = TEXT
    for old, new in swaps:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "nm_garg.mod"
    path.write_text(text + extra)
    return str(path)


KH = "PROCEDURE kh(z (mV)) {\n    ninf = 1/(1 + exp(-(z + 60)/(5 (mV))))\n}\n"


@pytest.mark.parametrize("swaps, why", [
    # the brief's case: v of each instance through mh's argument x
    ([("mh(celsius, diam)", "mh(v, diam)")],
     r"nm_garg\.mod:31: GLOBAL minf assigned in INITIAL from x \(argument of mh, given v at line 17\), "
     r"values of each instance, and read after it"),
    ([("nh(-65)", "nh(v)")], r"nm_garg\.mod:35: GLOBAL ninf assigned in INITIAL from y \(argument of nh, given v "),
    ([("mh(celsius, diam)", "mh(diam, diam)")], r":31: GLOBAL minf assigned in INITIAL from x \(argument of mh, given diam "),
    # a shared value plus one of each instance is one of each instance
    ([("nh(-65)", "nh(-65 + 0*v)")], r":35: GLOBAL ninf assigned in INITIAL from y \(argument of nh, given -65 \+ 0\*v "),
    # through a LOCAL of INITIAL's
    ([("    mh(celsius, diam)\n", "    LOCAL u\n    u = v\n    mh(u, diam)\n")],
     r":33: GLOBAL minf assigned in INITIAL from x \(argument of mh, given u at line 19\)"),
    # passed on from nh to kh: the message follows it back to v
    ([("nh(-65)", "nh(v)"), ("    ninf = 1/(1 + exp(-(y + 60)/(5 (mV))))\n", "    kh(y)\n"), ("KH", "")],
     r":38: GLOBAL ninf assigned in INITIAL from z \(argument of kh, given y at line 35: y \(argument of nh, "
     r"given v at line 18\)\)"),
    # an if on the argument: which branch runs is each instance's
    ([("nh(-65)", "nh(v)"), ("    ninf = 1/(1 + exp(-(y + 60)/(5 (mV))))\n",
                            "    if (y > -60) { ninf = 1 } else { ninf = 0 }\n")],
     r":35: GLOBAL ninf assigned in INITIAL under an if on y \(argument of nh, given v at line 18\)"),
], ids=["mh-v", "nh-v", "mh-diam", "nh-sum-with-v", "through-a-local", "passed-on", "if-on-the-argument"])
def test_a_global_set_from_an_argument_of_each_instance_is_refused(tmp_path, swaps, why):
    extra = KH if ("KH", "") in swaps else ""  # kh appended after the file's last block
    path = _variant(tmp_path, *(s for s in swaps if s != ("KH", "")), extra=extra)
    with pytest.raises(ModelError, match=why) as err:
        load_mod(path)
    assert "declare it RANGE" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("swaps", [
    [],  # the file: mh(celsius, diam), nh(-65)
    [("mh(celsius, diam)", "mh(celsius, v)")],  # v into the RANGE mk only
    [("nh(-65)", "nh(celsius - 81)")],
    [("nh(-65)", "nh(t - 65)")],  # finitialize runs every instance's INITIAL at t = 0
    # every instance's DERIVATIVE sets ninf on every path before reading it: the INITIAL value of
    # another instance is never read (nm_euler.mod's settle(v), beside NEURON in test_neuron_side_by_side)
    [("nh(-65)", "nh(v)"), ("    ninf = 1/(1 + exp(-(y + 60)/(5 (mV))))\n",
                           "    if (y > -60) { ninf = 1 } else { ninf = 0 }\n"),
     ("    m' = (minf - m)/(3 (ms))\n", "    nh(v)\n    m' = (minf - m)/(3 (ms))\n")],
], ids=["file", "v-into-a-range-variable", "celsius-expression", "t", "derivative-sets-it-first"])
def test_a_global_set_from_shared_arguments_runs(tmp_path, swaps):
    load_mod(_variant(tmp_path, *swaps))


def test_without_its_else_the_derivative_may_read_another_instance_s_value(tmp_path):
    """The last case above with the else taken out: a path of the DERIVATIVE reads ninf unset."""
    swaps = [("nh(-65)", "nh(v)"), ("    ninf = 1/(1 + exp(-(y + 60)/(5 (mV))))\n", "    if (y > -60) { ninf = 1 }\n"),
             ("    m' = (minf - m)/(3 (ms))\n", "    nh(v)\n    m' = (minf - m)/(3 (ms))\n")]
    with pytest.raises(ModelError, match=r":36: GLOBAL ninf assigned in INITIAL under an if on y \(argument of nh"):
        load_mod(_variant(tmp_path, *swaps))


def ours(*, clamp=None, iclamp=None, tstop=10.0):
    return soma_dendrite.ours([cls("nm_garg")], SECTIONS, TRACES, celsius=CELSIUS, clamp=clamp, iclamp=iclamp,
                              tstop=tstop, passive=cls("passive"))


def neurons(*, clamp=None, iclamp=None, tstop=10.0):
    h = neuron_loaded([OWN / "nm_garg.mod"], "nrnmech-shared-arguments", "nm_garg.mod")
    traces = [(f"nm_garg.{var}", "nm_garg", var) for var in ("m", "n")]
    return soma_dendrite.neurons(h, "sa", ["nm_garg"], SECTIONS, traces, celsius=CELSIUS, clamp=clamp,
                                 iclamp=iclamp, tstop=tstop)


@pytest.mark.neuron
@pytest.mark.parametrize("run", [dict(clamp=((2.0, -65.0), (5.0, -30.0), (3.0, -65.0))), dict(iclamp=(2.0, 5.0, 0.2))],
                         ids=["vclamp", "iclamp"])
def test_shared_arguments_match_neuron_on_two_compartments(run):
    mine, theirs = ours(**run), neurons(**run)
    soma_dendrite.differences(mine, theirs, len(SECTIONS) * len(TRACES), RTOL)
    # m starts at mk*minf: minf the same number in both (from celsius), mk each one's own (from diam)
    minf = 0.2 + 0.6 / (1 + np.exp(-(CELSIUS - 10) / 4))  # mh's formula at x = celsius: closed form
    assert theirs["soma:nm_garg.m"][0] == pytest.approx(minf, rel=1e-12)
    assert theirs["dend:nm_garg.m"][0] == pytest.approx(0.1 * minf, rel=1e-12)
    assert np.ptp(theirs["soma:v"]) > 5.0 and np.ptp(theirs["soma:nm_garg.n"]) > 0.1
