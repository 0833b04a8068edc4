"""Every construct excitable does not run is refused with ``file:line: <construct> not supported``
(a ModelError; `excitable mod check` exits 2), never run with a part silently dropped."""

from __future__ import annotations

import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file

HEAD = """NEURON {
    SUFFIX bad
    NONSPECIFIC_CURRENT i
%s
}
PARAMETER { g = 0.001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) %s }
"""
BREAKPOINT = "BREAKPOINT { i = g*(v + 65) }\n"

#: construct -> (NEURON block lines, ASSIGNED extra, the rest of the file, the line it is on, message)
CASES = {
    "verbatim": ("", "", BREAKPOINT + "VERBATIM\n  double x = 1;\nENDVERBATIM\n", 9, "VERBATIM (C code)"),
    # a POINTER read runs (test_pointer.py, beside NEURON); a write through one would change V elsewhere
    "pointer_write": ("    POINTER p", "p", "BREAKPOINT { p = v\n i = g*(v + 65) }\n", 8, "write through POINTER p"),
    "watch": ("", "", BREAKPOINT + "NET_RECEIVE (w) {\n  WATCH (v > 0) 2\n}\n", 10,
              "WATCH outside the NET_RECEIVE of a POINT_PROCESS"),  # in a point process: test_watch.py
    "artificial_cell": ("    ARTIFICIAL_CELL Foo", "", BREAKPOINT, 4, "ARTIFICIAL_CELL"),
    # normrand ... run (test_random_draws.py); a seed set at every step would repeat one draw
    "random": ("", "", "BREAKPOINT { set_seed(1)\n i = g*normrand(0, 1) }\n", 8, "set_seed()"),
    "net_send": ("", "", BREAKPOINT + "PROCEDURE f() { net_send(1, 1) }\n", 9, "net_send()"),
    # a statement at_time(del) runs (a no-op, as in NEURON's fixed step: test_at_time.py); its value does not
    "at_time_value": ("", "", "BREAKPOINT { i = g*(v + 65)*at_time(1) }\n", 8, "at_time() used for its value"),
    "longitudinal_diffusion": ("    USEION ca READ cai WRITE cai", "cai (mM)",
                               BREAKPOINT + "KINETIC k { LONGITUDINAL_DIFFUSION 1 {cai} }\n", 9,
                               "LONGITUDINAL_DIFFUSION of cai without a COMPARTMENT"),  # runs with one: test_longitudinal.py
    "writes_concentration": ("    USEION ca READ ica WRITE cai", "cai (mM) ica (mA/cm2)", BREAKPOINT, 4,
                             "WRITE cai that no block assigns (an inside concentration is run only where it is a "
                             "STATE or the SOLVE'd DERIVATIVE or KINETIC block sets it, as a pool's)"),
    # ModelDB 123453 Caint.mod (the Khaliq/Akemann Purkinje pools): a STATE copied to cai in BREAKPOINT after
    # the SOLVE, refused at the line that writes it (the USEION line before, the supported forms as its words)
    "writes_concentration_in_breakpoint": ("    USEION ca READ ica WRITE cai", "cai (mM) ica (mA/cm2)",
                                           "STATE { ca (mM) }\nBREAKPOINT { SOLVE s METHOD cnexp\n cai = ca\n"
                                           " i = g*(v + 65) }\nDERIVATIVE s { ca' = -ica - ca }\n", 10,
                                           "cai written in BREAKPOINT outside the SOLVE'd block (an inside concentration "
                                           "is run only where it is a STATE or the SOLVE'd DERIVATIVE or KINETIC block "
                                           "sets it, as a pool's) not supported"),
    "writes_concentration_in_initial": ("    USEION k READ ik WRITE ko", "ko (mM) ik (mA/cm2)",
                                        "INITIAL {\n ko = 5\n}\n" + BREAKPOINT, 9,
                                        "ko written in INITIAL, not in the SOLVE'd block (an outside concentration"),
    # written by the SOLVE'd block but declared nowhere: declared in ASSIGNED, it runs (test below)
    "writes_concentration_undeclared": ("    USEION ca READ ica WRITE cai", "ica (mA/cm2)",
                                        "STATE { c (mM) }\nBREAKPOINT { SOLVE s METHOD cnexp\n i = g*(v + 65) }\n"
                                        "DERIVATIVE s { c' = -ica - c\n cai = c }\n", 12,
                                        "cai written by the SOLVE'd block DERIVATIVE s but not declared (declare it "
                                        "in ASSIGNED, as a pool's cai (mM))"),
    "writes_reversal_potential": ("    USEION ca READ cai WRITE eca", "cai (mM) eca (mV)",
                                  "BREAKPOINT { eca = 12.5*log(2/cai)\n i = g*(v + 65) }\n", 4, "WRITE eca (a reversal"),
    # another ion's concentrations run with its VALENCE (test_other_ions.py, beside NEURON); NEURON
    # refuses a new ion whose valence no file gives
    "other_ion_concentration": ("    USEION h READ hi WRITE ih", "hi (mM) ih (mA/cm2)", BREAKPOINT, 4,
                                "USEION h with its concentrations hi and no VALENCE"),
    "solve_method": ("", "", "STATE { x }\nBREAKPOINT { SOLVE s METHOD runge\n i = g*x*(v+65) }\n"
                     "DERIVATIVE s { x' = -x }\n", 9, "SOLVE s METHOD runge"),
    # a value from v read by the SOLVE'd block runs (test_breakpoint_feeds.py); one BREAKPOINT also reads first does not
    "voltage_into_solve": ("", "gx", ("STATE { s }\nBREAKPOINT { SOLVE d METHOD cnexp\n gx = gx/2 + g*v\n i = gx*s*(v+65) }\n"
                                      "DERIVATIVE d { s' = gx - s }\n"), 9, "BREAKPOINT setting gx from v"),
    "parameter_array": ("", "", "PARAMETER { w[3] }\n" + BREAKPOINT, 8, "PARAMETER arrays"),
    # ModelDB 150240's SineWaveCurrent.mod sets its current in a SOLVE'd PROCEDURE: NEURON's nrn_cur takes the
    # previous SOLVE's value, excitable's currents come from BREAKPOINT (it ran with 0: 1.0 of the range off)
    "current_from_solve": ("", "", "STATE { x }\nBREAKPOINT { SOLVE s METHOD cnexp }\nDERIVATIVE s { x' = -x\n"
                           " i = g*x*(v+65) }\n", 11, "current i set by the SOLVE'd block, not by BREAKPOINT"),
    # Li & Cleland's cadecay.mod (ModelDB): NEURON's nocmodl refuses it too (test below)
    "global_state": ("    GLOBAL x", "", "STATE { x }\nBREAKPOINT { SOLVE s METHOD cnexp\n i = g*x*(v+65) }\n"
                     "DERIVATIVE s { x' = -x }\n", 4, "a STATE declared GLOBAL (x"),
    # `VERBATIM return 0; ENDVERBATIM` is let through only where it closes a PROCEDURE's body
    # (tests/reference/mod/nm_procsolve.mod runs so, beside NEURON); an early return changes what runs
    "return_inside_if": ("", "", "STATE { x }\nBREAKPOINT { SOLVE s\n i = g*x*(v+65) }\n"
                         "PROCEDURE s() {\n if (v > 0) {\n VERBATIM\n return 0;\n ENDVERBATIM\n }\n x = x + 1\n}\n",
                         13, "VERBATIM (C code)"),
    "return_in_function": ("", "", "BREAKPOINT { i = g*f()*(v + 65) }\n" + "FUNCTION f() {\n f = 1\n VERBATIM\n return 0;\n ENDVERBATIM\n}\n",
                           11, "VERBATIM (C code)"),
    # a top-level VERBATIM of #include lines only is let through (test below); one with code is not
    "include_and_code": ("", "", BREAKPOINT + "VERBATIM\n#include <stdlib.h>\nstatic double x;\nENDVERBATIM\n", 9,
                         "VERBATIM (C code)"),
    "solve_procedure_with_arguments": ("", "", "STATE { x }\nBREAKPOINT { SOLVE s\n i = g*x*(v+65) }\n"
                                       "PROCEDURE s(a) { x = a }\n", 9, "SOLVE s (a PROCEDURE with arguments)"),
    "while": ("", "", "BREAKPOINT { LOCAL k\n k = 0\n WHILE (k < 3) { k = k + 1 }\n i = g*(v+65) }\n", 10,
              "WHILE loop"),
    # LINEAR blocks (linear.py): NEURON's nocmodl refuses both (unequal counts; a term with two states)
    "linear_count": ("", "", "STATE { x y }\nBREAKPOINT { SOLVE lin\n i = g*x*(v+65) }\nLINEAR lin {\n ~ x + y = 1\n}\n",
                     11, "LINEAR lin with 1 equation for 2 unknowns (x, y"),
    "linear_nonlinear": ("", "", ("STATE { x y }\nBREAKPOINT { SOLVE lin\n i = g*x*(v+65) }\n"
                                  "LINEAR lin {\n ~ x + y = 1\n ~ x*y = 0.1\n}\n"), 13,
                         "an equation not linear in the unknowns (x, y) of LINEAR lin"),
    "linear_method": ("", "", ("STATE { x }\nBREAKPOINT { SOLVE lin METHOD sparse\n i = g*x*(v+65) }\n"
                               "LINEAR lin {\n ~ x = 1\n}\n"), 9, "SOLVE lin METHOD sparse (a LINEAR block)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_unsupported_construct_is_refused_with_its_line(case, tmp_path):
    neuron, assigned, rest, line, what = CASES[case]
    path = tmp_path / f"{case}.mod"
    path.write_text(HEAD % (neuron, assigned) + rest)
    with pytest.raises(ModelError) as err:
        load_mod(path)
    message = str(err.value)
    assert message.startswith(f"{path}:") and "not supported" in message and "\n" not in message
    report, n = check_file(path)
    assert n >= 1 and any(r.strip().startswith(f"{path}:{line}: {what}") for r in report), report


def test_a_concentration_the_solved_block_writes_runs_once_declared(tmp_path):
    """What the writes_concentration_undeclared refusal advises: the same file, cai declared in ASSIGNED, loads."""
    neuron, _, rest, _, _ = CASES["writes_concentration_undeclared"]
    path = tmp_path / "declared.mod"
    path.write_text(HEAD % (neuron, "ica (mA/cm2) cai (mM)") + rest)
    assert load_mod(path)().g == 0.001


def test_a_syntax_error_is_one_line_with_the_line(tmp_path):
    path = tmp_path / "broken.mod"
    path.write_text("NEURON { SUFFIX broken }\nPARAMETER { g = }\n")
    with pytest.raises(ModelError, match=r"broken\.mod: line 2"):
        load_mod(path)


def test_an_undeclared_variable_is_named_when_the_file_is_loaded(tmp_path):
    path = tmp_path / "undeclared.mod"
    path.write_text("NEURON { SUFFIX u NONSPECIFIC_CURRENT i }\nASSIGNED { v i }\nBREAKPOINT { i = zz*v }\n")
    with pytest.raises(ModelError, match=r"undeclared\.mod: variable 'zz' is used but never declared"):
        load_mod(path)


def test_paths_that_are_not_mod_files_are_named(tmp_path):
    with pytest.raises(ModelError, match="no such file"):
        load_mod(tmp_path / "missing.mod")
    with pytest.raises(ModelError, match="has no .mod files"):
        load_mod(tmp_path)
    (tmp_path / "x.txt").write_text("")
    with pytest.raises(ModelError, match="expected a .mod file"):
        load_mod(tmp_path / "x.txt")


def test_a_solve_inside_a_called_function_is_refused(tmp_path):
    """NEURON runs a SOLVE in a FUNCTION when it is called; excitable refuses it then (an uncalled
    one, as cabpump.mod's ss(), is harmless: tests/io/nmodl/test_pools.py loads that file)."""
    path = tmp_path / "fsolve.mod"
    path.write_text("NEURON { SUFFIX fsolve NONSPECIFIC_CURRENT i }\nASSIGNED { v (mV) i (mA/cm2) }\n"
                    "STATE { x }\nINITIAL { x = settle() }\nBREAKPOINT { SOLVE d METHOD cnexp\n i = 1e-3*x*(v + 65) }\n"
                    "DERIVATIVE d { x' = 1 - x }\nFUNCTION settle() { SOLVE d STEADYSTATE derivimplicit\n settle = x }\n")
    with pytest.raises(ModelError, match=r"fsolve\.mod:8: SOLVE inside settle\(\) .*not supported") as err:
        load_mod(path)
    assert "\n" not in str(err.value)


def test_a_top_level_include_is_harmless(tmp_path):
    """Published files put ``VERBATIM #include <stdlib.h> ENDVERBATIM`` (with C comments) at the top
    to quiet a compiler warning: nothing the mechanism computes; the file loads."""
    path = tmp_path / "include.mod"
    path.write_text("VERBATIM\n#include <stdlib.h> /* quiets a warning\n   about free() */\nENDVERBATIM\n"
                    + HEAD % ("", "") + BREAKPOINT)
    assert load_mod(path)().g == 0.001


def test_neuron_refuses_a_global_state_too(tmp_path):
    """The claim in the global_state refusal: NEURON's own translator rejects a STATE declared
    GLOBAL ("x is a STATE variable and hence cannot be declared as GLOBAL"), and accepts the same
    file with x per instance, so the refusal keeps nothing from a user that NEURON would run."""
    from tests.io.nmodl.test_nonlinear import nocmodl_accepts

    neuron, assigned, rest, _, _ = CASES["global_state"]
    refused, plain = tmp_path / "gstate.mod", tmp_path / "plain" / "gstate.mod"
    refused.write_text(HEAD % (neuron, assigned) + rest)
    plain.parent.mkdir()
    plain.write_text(HEAD % ("", assigned) + rest)
    if nocmodl_accepts(plain) is None:
        pytest.skip("the neuron wheel ships no nocmodl")
    assert nocmodl_accepts(plain) and not nocmodl_accepts(refused)
    load_mod(plain)
