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
    # x0 is STATE x's starting PARAMETER: nocmodl 9.0.2 refuses it ASSIGNED or CONSTANT ("x0 can't be declared
    # a parameter by default"); it ran here before
    "start_value_assigned": ("", "x0", "STATE { x }\nINITIAL { x0 = 0.3\n x = x0 }\nBREAKPOINT { SOLVE s METHOD cnexp\n"
                             " i = g*x*(v+65) }\nDERIVATIVE s { x' = -x }\n", 7, "x0 declared ASSIGNED beside STATE x"),
    "start_value_constant": ("", "", "CONSTANT { x0 = 0.3 }\nSTATE { x }\nBREAKPOINT { SOLVE s METHOD cnexp\n"
                             " i = g*x*(v+65) }\nDERIVATIVE s { x' = -x }\n", 8, "x0 declared CONSTANT beside STATE x"),
    # `VERBATIM return 0; ENDVERBATIM` is let through where it closes a PROCEDURE's body
    # (tests/reference/mod/nm_procsolve.mod runs so, beside NEURON) and as an early-return guard alone
    # in its if (test_verbatim_forms.py); a guard with an else is C excitable does not run
    "return_inside_if": ("", "", "STATE { x }\nBREAKPOINT { SOLVE s\n i = g*x*(v+65) }\n"
                         "PROCEDURE s() {\n if (v > 0) {\n VERBATIM\n return 0;\n ENDVERBATIM\n } else {\n x = x - 1\n }\n"
                         " x = x + 1\n}\n", 13, "VERBATIM (C code)"),
    "return_in_function": ("", "", "BREAKPOINT { i = g*f()*(v + 65) }\n" + "FUNCTION f() {\n f = 1\n VERBATIM\n return 0;\n ENDVERBATIM\n}\n",
                           11, "VERBATIM (C code)"),
    # a top-level VERBATIM of #include lines only is let through (test below); one with code is not
    "include_and_code": ("", "", BREAKPOINT + "VERBATIM\n#include <stdlib.h>\nstatic double x;\nENDVERBATIM\n", 9,
                         "VERBATIM (C code)"),
    # Zang et al.'s cdp_smooth.mod (ModelDB 266864): `CONSTANT { cao = 2 }` beside `USEION ca READ cao`; nocmodl
    # refuses it ("cao used in USEION statement can not be re-declared in a CONSTANT block"); it ran here
    "ion_constant": ("    USEION ca READ cao WRITE ica", "ica (mA/cm2)", "CONSTANT { cao = 2 (mM) }\n"
                     "BREAKPOINT { ica = g*(v - 120)*cao/2\n i = 0 }\n", 8, "cao of USEION ca declared CONSTANT"),
    # BluePyOpt's ProbAMPANMDA_EMS.mod: NEURON 9's nrnivmodl fails to compile it ("too many arguments to function
    # 'double scop_random()'", checked with the wheel); it was a line-less "takes 0 arguments" here
    "draw_arguments": ("", "x", "INITIAL { x = scop_random(1) }\nBREAKPOINT { i = g*x*(v + 65) }\n", 8,
                       "scop_random() with 1 argument(s) (scop_random takes 0"),
    # cnmodel's nacncoop.mod: nocmodl refuses a METHOD on a PROCEDURE ("Method ... can't be used with Block s");
    # it was an internal KeyError here
    "solve_procedure_with_method": ("", "", "STATE { x }\nBREAKPOINT { SOLVE s METHOD cnexp\n i = g*x*(v+65) }\n"
                                    "PROCEDURE s() { x = x + 0.1*(1 - x) }\n", 9, "SOLVE s METHOD cnexp of a PROCEDURE"),
    "solve_procedure_with_arguments": ("", "", "STATE { x }\nBREAKPOINT { SOLVE s\n i = g*x*(v+65) }\n"
                                       "PROCEDURE s(a) { x = a }\n", 9, "SOLVE s (a PROCEDURE with arguments)"),
    "while": ("", "", "BREAKPOINT { LOCAL k\n k = 0\n WHILE (k < 3) { k = k + 1 }\n i = g*(v+65) }\n", 10,
              "WHILE loop"),
    # nocmodl takes the lowercase spelling too (ModelDB 114359 SynAlphaPoissson.mod's `while( t > t_activation){`)
    "while_lowercase": ("", "", "BREAKPOINT { LOCAL k\n k = 0\n while( k<3 ){ k = k + 1 }\n i = g*(v+65) }\n", 10,
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


@pytest.mark.parametrize("case", ["start_value_assigned", "start_value_constant", "solve_procedure_with_method",
                                  "ion_constant"])
def test_neuron_refuses_them_too(case, tmp_path):
    """The claim in these refusals: nocmodl rejects x0 declared ASSIGNED or CONSTANT beside STATE x,
    a SOLVE of a PROCEDURE with a METHOD and an ion's variable declared CONSTANT; it accepts the same
    file with x0 a PARAMETER, the SOLVE without its METHOD or the variable ASSIGNED, which runs here too."""
    from tests.io.nmodl.test_nonlinear import nocmodl_accepts

    neuron, assigned, rest, _, _ = CASES[case]
    refused, plain = tmp_path / "x0.mod", tmp_path / "plain" / "x0.mod"
    refused.write_text(HEAD % (neuron, assigned) + rest)
    plain.parent.mkdir()
    rest = rest.replace("CONSTANT { x0 = 0.3 }\n", "").replace("INITIAL { x0 = 0.3\n", "INITIAL {\n")
    rest = rest.replace(" METHOD cnexp\n i = g*x*(v+65) }\nPROCEDURE", "\n i = g*x*(v+65) }\nPROCEDURE")
    if case == "ion_constant":
        rest, assigned = rest.replace("CONSTANT { cao = 2 (mM) }\n", ""), assigned + " cao (mM)"
    plain.write_text((HEAD % (neuron, assigned if case == "ion_constant" else "")).replace(
        "PARAMETER { g", "PARAMETER { x0 = 0.3  g") + rest)
    if nocmodl_accepts(plain) is None:
        pytest.skip("the neuron wheel ships no nocmodl")
    assert nocmodl_accepts(plain) and not nocmodl_accepts(refused)
    load_mod(plain)


def test_a_construct_the_compiler_meets_is_named_in_words_with_its_line(tmp_path):
    """``Compiler.fail``'s fallback (a statement no keyword search caught): the AST's class name put in
    words and the line found though the framework re-spells the text (``while( k<3 ){`` prints as
    ``WHILE (k<3) {``); it named the class (``WhileStatement``) and no line before."""
    from excitable.io.nmodl.expressions import Compiler
    from excitable.io.nmodl.parse import parse_text

    path = tmp_path / "loop.mod"
    path.write_text(HEAD % ("", "") + "BREAKPOINT { LOCAL k\n k = 0\n while( k<3 ){ k = k + 1 }\n i = g*(v+65) }\n")
    program = parse_text(path, path.read_text()).program
    loop = next(st for b in program.blocks if b.is_breakpoint_block() for st in b.statement_block.statements
                if st.is_while_statement())
    with pytest.raises(ModelError) as err:
        Compiler(str(path), {}, {}, set()).fail(loop.get_node_type_name(), loop)
    assert str(err.value) == f"{path}:10: WHILE loop (WHILE (k<3) {{) not supported"


def test_after_solve_is_refused_with_what_neuron_does_and_the_rewrite_that_runs():
    """ModelDB djurisic2008 monx.mod's AFTER SOLVE (the largest V and its time) said only "AFTER block":
    now NEURON's timing and the PROCEDURE rewrite, checked beside NEURON below."""
    from tests.io.nmodl.neuron_side import OWN

    path = OWN / "nm_aftersolve.mod"
    with pytest.raises(ModelError) as err:
        load_mod(path)
    assert str(err.value) == (
        f"{path}:15: AFTER SOLVE block (NEURON runs it once per step after every mechanism's SOLVE, at the step's "
        "end t and new v; where it reads only v, t and its mechanism's own variables, the same as BREAKPOINT "
        "{ SOLVE name } with PROCEDURE name() holding its statements, which runs) not supported")


@pytest.mark.neuron
def test_the_after_solve_rewrite_the_message_gives_matches_neuron_running_the_block():
    """nm_aftersolve.mod (AFTER SOLVE) in NEURON, nm_aftersolve_proc.mod (its statements in a SOLVE'd
    PROCEDURE) in NEURON and in excitable, on an hh compartment that fires: NEURON gives the two the same
    vmax and tvmax at every step (0 difference: the same statements at the same t and v), and ours is
    within 1e-6 of each trace's largest magnitude (issue 18, as test_neuron_side_by_side; 2.8e-13 seen;
    tvmax, a step time, exactly)."""
    import numpy as np

    import excitable as ex
    from tests.io.nmodl.neuron_side import DT, OWN, mod_file
    from tests.io.nmodl.test_neuron_side_by_side import spike_times, worst
    from tests.reference.nrnmech import neuron_loaded

    h = neuron_loaded([OWN / "nm_aftersolve.mod", OWN / "nm_aftersolve_proc.mod"], "nrnmech-aftersolve",
                      "the AFTER SOLVE test files")
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0)
    cell.insert(load_mod(mod_file("hh"))())
    cell.insert(load_mod(OWN / "nm_aftersolve_proc.mod")())
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.1, delay=2.0, duration=20.0))
    sim.record("v")
    for n in ("vmax", "tvmax"):
        sim.record(f"nm_aftersolve_proc.{n}")
    ours = sim.run(30.0)

    sec = h.Section(name="aftersolve")
    sec.L = sec.diam = 10.0
    for s in ("hh", "nm_aftersolve", "nm_aftersolve_proc"):
        sec.insert(s)
    h.usetable_hh = 0
    stim = h.IClamp(sec(0.5))
    stim.delay, stim.dur, stim.amp = 2.0, 20.0, 0.1
    vecs = {f"{m}.{n}": h.Vector().record(getattr(getattr(sec(0.5), m), f"_ref_{n}"))
            for m in ("nm_aftersolve", "nm_aftersolve_proc") for n in ("vmax", "tvmax")}
    vecs["v"] = h.Vector().record(sec(0.5)._ref_v)
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(30.0)
    theirs = {k: np.array(x) for k, x in vecs.items()}
    del stim, sec

    assert len(spike_times(theirs["v"])) >= 1 and theirs["nm_aftersolve.vmax"][-1] > 30.0
    for n in ("vmax", "tvmax"):
        np.testing.assert_array_equal(theirs[f"nm_aftersolve.{n}"], theirs[f"nm_aftersolve_proc.{n}"])
        assert worst(ours[f"nm_aftersolve_proc.{n}"], theirs[f"nm_aftersolve.{n}"]) <= 1e-6, n
    assert worst(ours["v"], theirs["v"]) <= 1e-6
