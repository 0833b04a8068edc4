"""`excitable mod check FILE.mod ...`: parameters with units and defaults, states, ions read and
written, solves; every refused construct with its line and exit status 2; a bad file in one line."""

from __future__ import annotations

from pathlib import Path

from excitable.interfaces.cli.main import main
from tests.io.nmodl.neuron_side import share


def test_check_lists_what_a_file_declares(capsys):
    hh = share() / "modfile" / "hh.mod"
    assert main(["mod", "check", str(hh)]) == 0
    out = capsys.readouterr().out
    assert f"{hh}: hh (density mechanism)" in out
    assert "gnabar = 0.12 S/cm2" in out and "el = -54.3 mV" in out  # hh.mod's PARAMETER block
    assert "states: m, h, n" in out
    assert "ion na: reads ena (default 50); writes ina" in out
    assert "nonspecific currents: il" in out and "states by cnexp" in out


def test_check_names_each_unsupported_construct_and_exits_2(capsys, tmp_path):
    bad = tmp_path / "bad.mod"
    bad.write_text("NEURON {\n  SUFFIX bad\n  NONSPECIFIC_CURRENT i\n}\nASSIGNED { v i }\n"
                   "BREAKPOINT { i = 0 }\nVERBATIM\nreturn 0;\nENDVERBATIM\n")
    cabpump = share() / "nrn" / "demo" / "release" / "cabpump.mod"
    assert main(["mod", "check", str(bad), str(cabpump)]) == 2
    out = capsys.readouterr().out
    assert f"{bad}:7: VERBATIM (C code) not supported" in out
    # cabpump's arrays, COMPARTMENT and << are run (tests/io/nmodl/test_pools.py compares it with NEURON)
    assert f"{cabpump}: cadifpmp (density mechanism)" in out and "supported: yes" in out.split(str(cabpump))[-1]


def test_an_unreadable_file_is_one_line(capsys, tmp_path):
    broken = tmp_path / "broken.mod"
    broken.write_text("NEURON { SUFFIX x }\nPARAMETER { g = }\n")
    assert main(["mod", "check", str(broken)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("excitable: error:") and "line 2" in err and "\n" not in err


def test_check_says_which_geometry_a_mechanism_reads(capsys):
    geom = Path(__file__).parents[2] / "reference" / "mod" / "nm_geom.mod"
    assert main(["mod", "check", str(geom)]) == 0
    out = capsys.readouterr().out
    assert "reads the compartment's diam and area (per segment, as NEURON)" in out
    assert "supported: yes" in out


def test_neurons_own_variables_in_parameter_are_not_listed(capsys, tmp_path):
    """Published files often declare v, celsius and dt in PARAMETER (Destexhe's thalamic channels):
    they are NEURON's variables, not parameters a user could set."""
    mod = tmp_path / "own.mod"
    mod.write_text("NEURON {\n  SUFFIX own\n  NONSPECIFIC_CURRENT i\n  RANGE g\n}\n"
                   "PARAMETER {\n  v (mV)\n  celsius (degC)\n  dt (ms)\n  g = 0.1 (S/cm2)\n  k = 2 (1)\n}\n"
                   "ASSIGNED { i (mA/cm2) }\nBREAKPOINT { i = g * k * (v + 65) }\n")
    assert main(["mod", "check", str(mod)]) == 0
    assert "  parameters: g = 0.1 S/cm2, k = 2\n" in capsys.readouterr().out


def test_parameter_defaults_are_the_six_digits_neuron_runs(capsys):
    """nocmodl writes PARAMETER defaults with %g: nm_digits.mod's k = 0.12499989351294442 runs as
    0.125 in NEURON (its traces match NEURON's only so: test_neuron_side_by_side, 3e-6 otherwise)."""
    mod = Path(__file__).parents[2] / "reference" / "mod" / "nm_digits.mod"
    assert main(["mod", "check", str(mod)]) == 0
    assert "gbar = 0.0123457 S/cm2, vh = -40.1235 mV, k = 0.125 /mV" in capsys.readouterr().out


def test_check_says_which_parameters_bound_a_from_loop(capsys):
    """A PARAMETER bounding a FROM loop is one number per run (loop_bounds.py; beside NEURON in
    test_from_parameter.py); an ASSIGNED bound no statement sets is listed as a parameter (default 0)."""
    ref = Path(__file__).resolve().parents[2] / "reference" / "mod"
    assert main(["mod", "check", str(ref / "nm_fromparam.mod"), str(ref / "nm_fromparam_hoc.mod")]) == 0
    out = capsys.readouterr().out
    assert "n = 4 (one value per run: it bounds a FROM loop)" in out and "pw = 0 (one value per run" in out
    assert "gbar = 0.01 S/cm2," in out and "gbar = 0.01 S/cm2 (" not in out  # the others are unmarked
