"""``excitable mod compare FOLDER`` where NEURON's own nrnivmodl refuses one of the files that
excitable runs: a name both RANGE and FUNCTION (ModelDB 112685 Golgi_hcn1.mod's ``r``, 116835
GRC_NA.mod's ``alfa``, ``beta``, ``teta``), which NEURON 9's nocmodl rejects ("r used as both
variable and function in file X.mod"). The folder's other files are compared beside NEURON without
it, a note giving nocmodl's line (exit 0); exit 2, one line, only where nothing is left.

``mod check`` says what excitable makes of such a name: each ``r(...)`` runs the FUNCTION; a RANGE
``r`` declared nowhere else holds nothing (a recording of it is refused); an ASSIGNED ``r`` is a
value of its own, what the blocks assign to it. Checked here on a run against the closed form.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from excitable.errors import ModelError
from excitable.interfaces.cli.main import main
from excitable.workflows.neuron_compare_files import named

#: RANGE r and FUNCTION r (Golgi_hcn1.mod's clash, one gate): NEURON 9 refuses it, excitable runs it
REFUSED = """NEURON { SUFFIX nm_nrnrefused NONSPECIFIC_CURRENT i RANGE g, r%s }
UNITS { (mA) = (milliamp) (mV) = (millivolt) }
PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) %s }
BREAKPOINT { %s i = g*r(v)*(v - e) }
FUNCTION r(x (mV)) { r = 1/(1 + exp(-(x + 60)/5)) }
"""
#: a plain leak: the folder's other file, which NEURON compiles
LEAK = """NEURON { SUFFIX nm_nrnleak NONSPECIFIC_CURRENT i RANGE g, e }
UNITS { (mA) = (milliamp) (mV) = (millivolt) }
PARAMETER { g = 0.0001 (S/cm2) e = -65 (mV) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g*(v - e) }
"""
VERBATIM = "NEURON { SUFFIX nm_nrnverb }\nVERBATIM\n  double x = 1;\nENDVERBATIM\n"
NOCMODL = "Error: r used as both variable and function in file nm_nrnrefused.mod"


def _write(folder: Path, **texts) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.mod").write_text(text)
    return folder


def _compare(argv, capsys):
    """The CLI's exit status, stdout and stderr; skipped where NEURON or its nrnivmodl is missing,
    or where this NEURON (before 9) builds the file (nothing refused to leave out)."""
    from tests.io.nmodl.test_nonlinear import nocmodl_accepts
    from excitable.workflows.nrnivmodl import nrnivmodl

    pytest.importorskip("neuron")
    if nrnivmodl() is None:
        pytest.skip("no nrnivmodl here")
    probe = _write(argv[0].parent / "probe", nm_nrnrefused=REFUSED % ("", "", ""))
    if nocmodl_accepts(probe / "nm_nrnrefused.mod") is not False:
        pytest.skip("this NEURON builds a name both RANGE and FUNCTION (NEURON 9 refuses it)")
    code = main(["mod", "compare", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.neuron
def test_a_file_neuron_refuses_is_left_out_and_the_others_compared(tmp_path, capsys):
    folder = _write(tmp_path / "cell", nm_nrnrefused=REFUSED % ("", "", ""), nm_nrnleak=LEAK)
    code, out, err = _compare([folder], capsys)
    assert code == 0, out + err
    assert (f"note: nm_nrnrefused: not compared: NEURON does not compile it: {NOCMODL}; inserted on neither "
            "side (left out of NEURON's build too), so the other files are compared without it") in out, out
    # the leak beside NEURON, by the protocol's own verdict: every trace within 1e-6 of its scale
    # (the bound; a leak agrees to round-off, 1e-11 measured) and the same spikes
    assert "nm_nrnleak clamp" in out and "together, current clamp  nm_nrnleak.i" in out, out
    assert "same as NEURON" in out and "1 not compared (notes)" in out, out


@pytest.mark.neuron
def test_nothing_left_after_neurons_refusal_is_one_line(tmp_path, capsys):
    one = _write(tmp_path / "one", nm_nrnrefused=REFUSED % ("", "", ""))
    code, out, err = _compare([one / "nm_nrnrefused.mod"], capsys)
    assert code == 2 and out == "" and err == f"excitable: error: mod compare: nrnivmodl failed: {NOCMODL}\n", out + err
    # with a file excitable refuses beside it: every reason on the one line
    two = _write(tmp_path / "two", nm_nrnrefused=REFUSED % ("", "", ""), nm_nrnverb=VERBATIM)
    code, out, err = _compare([two], capsys)
    assert code == 2 and out == "", out + err
    assert err == (f"excitable: error: mod compare: nothing could be compared: nm_nrnverb: not compared: {two}/"
                   f"nm_nrnverb.mod:2: VERBATIM (C code) not supported | nm_nrnrefused: not compared: NEURON does "
                   f"not compile it: {NOCMODL}\n"), err

    # --with names it beside a point process: without it that cell would be another, so one line too
    syn = "NEURON { POINT_PROCESS nm_nrnsyn NONSPECIFIC_CURRENT i }\nASSIGNED { v (mV) i (nA) }\nBREAKPOINT { i = 0 }\n"
    three = _write(tmp_path / "three", nm_nrnrefused=REFUSED % ("", "", ""), nm_nrnsyn=syn)
    code, out, err = _compare([three, "--with", "nm_nrnrefused"], capsys)
    assert code == 2 and out == "" and err == (f"excitable: error: mod compare: --with nm_nrnrefused: NEURON does not "
                                               f"compile it: {NOCMODL}\n"), out + err


def test_the_file_a_build_failure_names():
    files = [Path("d/nm_a.mod"), Path("d/nm_b.mod")]
    assert named("nrnivmodl failed: Error: r used as both variable and function at line 6 in file nm_b.mod",
                 files) == files[1]
    assert named("nrnivmodl failed: /c/x86_64/nm_a.cpp:12:3: error: expected ';'", files) == files[0]
    assert named("nrnivmodl failed: /c/x86_64/mod_func.cpp:3:1: error: x", files) is None  # no file's
    assert named("nrnivmodl not found (pip install 'excitable[nmodl]' installs NEURON's)", files) is None


def test_mod_check_says_which_r_a_call_and_a_recording_reach(tmp_path, capsys):
    """RANGE r alone holds nothing (a recording of it is refused); an ASSIGNED r that BREAKPOINT sets
    to 3 is recorded as 3, while the current still calls the FUNCTION: i = g r(v) (v - e) with
    r(v) = 1/(1 + exp(-(v + 60)/5)), the closed form at each sample's V to 1e-12 of its scale
    (float64 round-off of a few operations; with r = 3 it would be 3/r(-65) = 11x off)."""
    import excitable as ex

    folder = _write(tmp_path, nm_nrnrefused=REFUSED % ("", "", ""),
                    nm_clashrec=(REFUSED % ("", "r", "r = 3 ")).replace("nm_nrnrefused", "nm_clashrec"))
    assert main(["mod", "check", str(folder / "nm_nrnrefused.mod"), str(folder / "nm_clashrec.mod")]) == 0
    out = capsys.readouterr().out
    assert ("  r: RANGE and FUNCTION: each r(...) runs the FUNCTION; the RANGE r declares no value: a recording "
            "or --set of r is refused (there is none). NEURON 9's nocmodl refuses the file (\"r used as both "
            "variable and function\")") in out, out
    assert ("  r: RANGE and ASSIGNED and FUNCTION: each r(...) runs the FUNCTION; the ASSIGNED r is a value of "
            "its own: a recording of it reads what the blocks assign to it outside the FUNCTION") in out, out
    mechs = ex.load_mod(folder)
    cell = ex.Cell.cylinder(length=10, diameter=10).insert(mechs["nm_clashrec"]()).insert(mechs["nm_nrnrefused"]())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3)
    with pytest.raises(ModelError, match="nm_nrnrefused has no state, current or conductance 'r'"):
        sim.record("nm_nrnrefused.r")
    for name in ("v", "nm_clashrec.r", "nm_clashrec.i"):
        sim.record(name)
    traces = sim.run(0.25).traces
    v = np.ravel(traces["v"])
    closed = 1e3 * 0.001 / (1 + np.exp(-(v + 60) / 5)) * (v + 70)  # µA/cm² (the file's mA/cm² x 1000)
    assert np.allclose(np.ravel(traces["nm_clashrec.r"]), 3.0, rtol=0, atol=0)
    assert np.max(np.abs(np.ravel(traces["nm_clashrec.i"]) - closed)) <= 1e-12 * np.max(np.abs(closed))
