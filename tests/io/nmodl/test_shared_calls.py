"""GLOBAL PARAMETERs that INITIAL sets through a PROCEDURE's argument or from a FUNCTION of shared values
(io/nmodl/bound_arguments.py, used by parameter_writes.py): ModelDB 258643's SNc channels
(Rumbell & Kozloski 2019: bk_sncda.mod's ``setVhalf(Vhalf)`` and ``setTauMod(taumod)``, cal_sncda.mod's
``tadj = tadj_ca_l()``) give every instance the same number, so NEURON's one value is each
compartment's own and the file runs; they were refused as "from _local_Vhalf, values of each
instance". An argument given v, a STATE, diam or a RANGE value, or a FUNCTION reading v, is still
refused, with the assignment's line and the file's names.

tests/reference/mod/nm_gpcall.mod beside NEURON on a soma and a dendrite (the soma + dendrite helper):
vh from setvh(Vhalf) through a second PROCEDURE, tk from setk(celsius), tadj = qfac() of q10, temp and
celsius, each read by the DERIVATIVE's rates. Tolerance: every trace within 1e-6 of its largest
magnitude (as test_shared_arguments: both sides float64 with the same formulas and cnexp, 1e-12..1e-9
expected), spike times within 0.05 ms (two steps of 0.025 ms). A value left at its default moves them
by far more: vh -20 mV instead of -40 shifts sodium activation by 20 mV, tk 10 instead of 20 halves
the inactivation's time constant, tadj 1 instead of 1.41 slows every gate.
"""

from __future__ import annotations

import numpy as np
import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from tests.io.nmodl import soma_dendrite
from tests.io.nmodl.neuron_side import OWN, class_loader
from tests.io.nmodl.test_neuron_side_by_side import spike_times
from tests.reference.nrnmech import neuron_loaded

RTOL = 1e-6
CELSIUS = 20.0
SECTIONS = (("soma", 20.0, 20.0), ("dend", 100.0, 2.0))  # (name, L um, diam um)
TRACES = ("v", "nm_gpcall.m", "nm_gpcall.h", "nm_gpcall.n")
TEXT = (OWN / "nm_gpcall.mod").read_text()
cls = class_loader()


def _variant(tmp_path, *swaps) -> str:
    """nm_gpcall.mod with each (old, new) of ``swaps`` replaced."""
    text = TEXT
    for old, new in swaps:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "nm_gpcall.mod"
    path.write_text(text)
    return str(path)


def test_shared_arguments_and_functions_load_and_check_clean():
    report, problems = check_file(OWN / "nm_gpcall.mod")
    assert not problems and report[-1].strip() == "supported: yes (ex.load_mod runs it)", report


TAIL = r", values of each instance, and read before a later block assigns it \(NEURON keeps one value"


@pytest.mark.parametrize("swaps, why", [
    # v through both PROCEDUREs: the message follows it back to the call INITIAL makes
    ([("setvh(Vhalf)", "setvh(v)")],
     r"nm_gpcall\.mod:50: GLOBAL PARAMETER vh assigned in INITIAL from y \(argument of sethalf, given w at line 47: "
     r"w \(argument of setvh, given v at line 30\)\)" + TAIL),
    ([("setvh(Vhalf)", "setvh(m)")], r"nm_gpcall\.mod:50: .* given m at line 30\)\)" + TAIL),  # a STATE
    ([("setk(celsius)", "setk(diam)"), ("ASSIGNED { v (mV)", "ASSIGNED { diam (um) v (mV)")],
     r"nm_gpcall\.mod:53: GLOBAL PARAMETER tk assigned in INITIAL from c \(argument of setk, given diam at line 31\)"
     + TAIL),
    ([("setk(celsius)", "setk(gk)")], r"nm_gpcall\.mod:53: .* from c \(argument of setk, given gk at line 31\)" + TAIL),
    ([("qfac = q10^((celsius - temp)/(10 (degC)))", "qfac = q10^((celsius - temp)/(10 (degC)))*exp(0*v/(1 (mV)))")],
     r"nm_gpcall\.mod:32: GLOBAL PARAMETER tadj assigned in INITIAL from qfac \(a FUNCTION reading v\)" + TAIL),
    # a FUNCTION of shared values given v
    ([("tadj = qfac()", "tadj = qfac(v)"), ("FUNCTION qfac()", "FUNCTION qfac(x (mV))")],
     r"nm_gpcall\.mod:32: GLOBAL PARAMETER tadj assigned in INITIAL from v" + TAIL),
    # through a LOCAL of INITIAL's
    ([("    setvh(Vhalf)\n", "    LOCAL u\n    u = v\n    setvh(u)\n")],
     r"nm_gpcall\.mod:52: .* given w at line 49: w \(argument of setvh, given u at line 32\)\)" + TAIL),
], ids=["argument-v", "argument-state", "argument-diam", "argument-range", "function-reads-v", "function-given-v",
        "local-from-v"])
def test_values_of_each_instance_stay_refused_with_the_file_s_names(tmp_path, swaps, why):
    path = _variant(tmp_path, *swaps)
    with pytest.raises(ModelError, match=why) as err:
        load_mod(path)
    assert "_local_" not in str(err.value) and "\n" not in str(err.value)
    report, problems = check_file(path)
    assert problems and "_local_" not in "\n".join(report)


@pytest.mark.parametrize("swaps", [
    [("tadj = qfac()", "tadj = qfac(Vhalf)"), ("FUNCTION qfac()", "FUNCTION qfac(x (mV))")],
    [("    setvh(Vhalf)\n", "    LOCAL u\n    u = Vhalf + 1 (mV)\n    setvh(u)\n")],  # a LOCAL of shared values
    [("setk(celsius)", "setk(celsius - temp + 15 (degC))")],
], ids=["function-given-a-global", "local-of-globals", "celsius-expression"])
def test_shared_values_through_calls_and_locals_load(tmp_path, swaps):
    load_mod(_variant(tmp_path, *swaps))


def ours(**run):
    return soma_dendrite.ours([cls("nm_gpcall")], SECTIONS, TRACES, celsius=CELSIUS, passive=cls("passive"), **run)


def neurons(**run):
    h = neuron_loaded([OWN / "nm_gpcall.mod"], "nrnmech-shared-calls", "nm_gpcall.mod")
    traces = [(f"nm_gpcall.{var}", "nm_gpcall", var) for var in ("m", "h", "n")]
    return soma_dendrite.neurons(h, "sc", ["nm_gpcall"], SECTIONS, traces, celsius=CELSIUS,
                                 globals_=(("vh", "vh_nm_gpcall"), ("tk", "tk_nm_gpcall"),
                                           ("tadj", "tadj_nm_gpcall")), **run)


@pytest.mark.neuron
@pytest.mark.parametrize("run", [dict(clamp=((2.0, -65.0), (5.0, -20.0), (3.0, -65.0)), tstop=10.0),
                                 dict(iclamp=(2.0, 8.0, 0.3), tstop=12.0)], ids=["vclamp", "iclamp"])
def test_globals_set_through_calls_match_neuron_on_two_compartments(run):
    mine, theirs = ours(**run), neurons(**run)
    soma_dendrite.differences(mine, theirs, len(SECTIONS) * len(TRACES), RTOL)
    # NEURON's one value of each GLOBAL, against the closed forms INITIAL computes (exact arithmetic)
    assert np.all(theirs["vh"] == -40.0) and np.all(theirs["tk"] == CELSIUS)
    assert theirs["tadj"][-1] == pytest.approx(2.0 ** ((CELSIUS - 15.0) / 10.0), rel=1e-15)
    if "clamp" in run:  # the clamped soma and the dendrite differ (a value of each instance would matter)
        assert np.max(np.abs(theirs["soma:v"] - theirs["dend:v"])) > 6.0
    else:
        assert len(spike_times(theirs["soma:v"])) >= 2
        np.testing.assert_allclose(spike_times(mine["soma:v"]), spike_times(theirs["soma:v"]), atol=0.05)  # ms
