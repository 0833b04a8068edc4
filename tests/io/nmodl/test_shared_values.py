"""A file-level LOCAL or an ASSIGNED GLOBAL that INITIAL sets from values of each instance and a
later block reads is one value in NEURON (the last instance's INITIAL wins, for every compartment):
refused with its line (io/nmodl/shared_values.py), where excitable would keep one per compartment
(ModelDB's internal_ions.mod, ``LOCAL volin`` = PI*diam^2/4 as its COMPARTMENT volume: 3.8 of cai's
range off NEURON's on a soma and dendrite, found by a sweep). What NEURON gives every instance alike
runs: a value from constants under a shared flag (the NEURON Book's cadifus.mod pattern, the wheel's
cabpump.mod: tests/io/nmodl/test_pools.py beside NEURON), one used only within INITIAL, one declared
RANGE."""

from __future__ import annotations

import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file

TEXT = """NEURON {
    SUFFIX shared
    NONSPECIFIC_CURRENT i
    %s
}
PARAMETER { g = 0.001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) diam (um) %s }
%s
INITIAL {
%s
}
BREAKPOINT { i = g*(v + 65)*%s }
"""


@pytest.mark.parametrize("neuron, assigned, top, initial, use, line, what", [
    ("", "", "LOCAL area1", "    area1 = diam*diam", "area1", 10,
     "file-level LOCAL area1 assigned in INITIAL from diam, values of each instance"),
    ("GLOBAL scale", "scale", "", "    scale = 2*diam", "scale", 10,
     "GLOBAL scale assigned in INITIAL from diam, values of each instance"),
    ("", "", "LOCAL k", "    if (diam > 5) { k = 1 } else { k = 2 }", "k", 10,
     "file-level LOCAL k assigned in INITIAL under an if on diam, values of each instance"),
    # through a LOCAL of INITIAL's: the per-instance value is followed through it
    ("", "", "LOCAL area1", "    LOCAL r\n    r = diam/2\n    area1 = r*r", "area1", 12,
     "file-level LOCAL area1 assigned in INITIAL from r, values of each instance"),
    # through a shared flag INITIAL sets under an if on diam: the if on it picks per instance
    ("GLOBAL flag, k", "flag k", "", "    flag = 0\n    if (diam > 5) { flag = 1 }\n    if (flag) { k = 1 } else { k = 2 }",
     "k", 12, "GLOBAL k assigned in INITIAL under an if on flag, values of each instance"),
], ids=["local-from-diam", "global-from-diam", "local-under-an-if-on-diam", "through-a-local", "through-a-shared-flag"])
def test_a_shared_value_of_each_instance_is_refused_with_its_line(tmp_path, neuron, assigned, top, initial, use,
                                                                   line, what):
    path = tmp_path / "shared.mod"
    path.write_text(TEXT % (neuron, assigned, top, initial, use))
    with pytest.raises(ModelError, match=rf"shared\.mod:{line}: {what}") as err:
        load_mod(path)
    assert "declare it RANGE" in str(err.value) and "\n" not in str(err.value)
    report, problems = check_file(path)
    assert problems and any(f"shared.mod:{line}: {what}" in r for r in report)


@pytest.mark.parametrize("neuron, assigned, top, initial, use", [
    ("", "", "LOCAL done, f", "    if (done == 0) {\n        f = 3.5\n        done = 1\n    }", "f"),  # cadifus's flag
    ("RANGE x", "x", "LOCAL area1", "    area1 = diam*diam\n    x = area1", "x"),  # used within INITIAL only
    ("RANGE scale", "scale", "", "    scale = 2*diam", "scale"),  # RANGE: one per instance in NEURON too
    # an if of each instance in a FUNCTION (sKCa.mod's llog(x) guard, x from cai) is no if around r
    ("GLOBAL r", "r", "FUNCTION llog(x) {\n    if (x > 1e-11) { llog = log(x) } else { llog = 0 }\n}",
     "    LOCAL q\n    q = llog(diam)\n    if (g > 0) { r = 2 } else { r = 1 }", "r"),
], ids=["constants-under-a-shared-flag", "used-in-initial-only", "range", "an-if-in-a-function-called-elsewhere"])
def test_what_neuron_gives_every_instance_alike_runs(tmp_path, neuron, assigned, top, initial, use):
    path = tmp_path / "shared.mod"
    path.write_text(TEXT % (neuron, assigned, top, initial, use))
    load_mod(path)
    report, problems = check_file(path)
    assert not problems, report


SOLVED = """NEURON {
    SUFFIX sharedsolve
    NONSPECIFIC_CURRENT i
    GLOBAL minf
}
PARAMETER { g = 0.001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) minf }
STATE { h }
INITIAL { h = 1 }
BREAKPOINT {
    SOLVE s METHOD cnexp
    i = g*minf*h*(v + 65)
}
DERIVATIVE s {
    minf = 1/(1 + exp(-(v + 40)/5))
    h' = (1 - h)/10
}
"""


def test_a_global_the_solve_sets_and_breakpoint_reads_is_refused(tmp_path):
    """NEURON's nrn_cur reads the GLOBAL the last instance's nrn_state left (one value for every
    compartment); excitable would carry each compartment's own: refused at the assignment."""
    path = tmp_path / "sharedsolve.mod"
    path.write_text(SOLVED)
    with pytest.raises(ModelError, match=r"sharedsolve\.mod:15: GLOBAL minf assigned in the SOLVE'd block and read "
                                         r"in BREAKPOINT before BREAKPOINT assigns it"):
        load_mod(path)
    path.write_text(SOLVED.replace("GLOBAL minf", "RANGE minf"))
    load_mod(path)  # RANGE: one per instance in NEURON too
