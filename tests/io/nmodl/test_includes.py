"""INCLUDE "file" (io/nmodl/includes.py): the named file's text is part of the mechanism, as NEURON's
nocmodl reads it; every file:line message names the file and line a construct stands on, an
included one too; a missing file, a cycle and an INCLUDE inside a block are one-line refusals.

Reference: NEURON 9.0.2 side by side through ``compare_mods`` (nrnivmodl given the included files
beside the .mod file, as nocmodl reads them): 1e-6 of each trace's scale at every step (issue 18).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file

SYN = Path(__file__).parent / "mod_events" / "inc_syn.mod"
LEAK = """NEURON {{ SUFFIX {name} NONSPECIFIC_CURRENT i }}
{include}
ASSIGNED {{ v (mV) i (mA/cm2) }}
BREAKPOINT {{ i = g*(v - e) }}
"""


@pytest.mark.neuron
def test_a_synapse_whose_event_and_parameters_are_included_runs_beside_neuron():
    from excitable.workflows.neuron_compare import compare_mods

    cls = load_mod(SYN)
    assert {f.name for f in dataclasses.fields(cls)} >= {"tau", "e"}  # the included PARAMETERs
    result = compare_mods([SYN], weight=0.01)
    assert result.agrees, result.report()
    assert "inc_syn.g" in {r.trace for r in result.rows}
    # the included NET_RECEIVE reached the synapse: the compartment fired (same times: ``agrees``)
    assert any(len(ours) for _, ours, _ in result.spike_sets), result.report()


def _leak(tmp_path, include: str, name: str = "nm_incleak") -> Path:
    path = tmp_path / f"{name}.mod"
    path.write_text(LEAK.format(name=name, include=include))
    return path


def test_a_construct_in_an_included_file_is_refused_with_that_files_line(tmp_path):
    (tmp_path / "c.inc").write_text("PARAMETER { g = 0.001 (S/cm2) e = -65 (mV) }\n\nVERBATIM\n  x = 1;\nENDVERBATIM\n")
    path = _leak(tmp_path, 'INCLUDE "c.inc"')
    with pytest.raises(ModelError, match=rf"^{tmp_path / 'c.inc'}:3: VERBATIM \(C code\) not supported$"):
        load_mod(path)
    lines, bad = check_file(path)
    assert bad == 1 and f"  {tmp_path / 'c.inc'}:3: VERBATIM (C code) not supported" in lines


@pytest.mark.parametrize("include, message", [
    ('INCLUDE "none.inc"', r':2: INCLUDE "none\.inc": no such file in .* \(nor in the folders of MODL_INCLUDE\)$'),
    ('INCLUDE "self.inc"', r'self\.inc:1: INCLUDE "self\.inc" includes itself \(a cycle\)$'),
])
def test_a_missing_or_cyclic_include_is_one_line(tmp_path, include, message):
    (tmp_path / "self.inc").write_text('INCLUDE "self.inc"\n')
    with pytest.raises(ModelError, match=message):
        load_mod(_leak(tmp_path, include))


def test_an_include_inside_a_block_is_refused(tmp_path):
    (tmp_path / "p.inc").write_text("g = 0.001 (S/cm2) e = -65 (mV)\n")
    with pytest.raises(ModelError, match=r":3: INCLUDE inside a block not supported"):
        load_mod(_leak(tmp_path, 'PARAMETER {\nINCLUDE "p.inc"\n}'))


def test_modl_include_is_searched_and_a_changed_include_is_a_new_class(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "p.inc").write_text("PARAMETER { g = 0.001 (S/cm2) e = -65 (mV) }\n")
    path = _leak(tmp_path, 'INCLUDE "p.inc"', "nm_incpath")
    with pytest.raises(ModelError, match="no such file"):
        load_mod(path)
    monkeypatch.setenv("MODL_INCLUDE", f"{tmp_path / 'nowhere'}:{shared}")
    assert load_mod(path)().e == -65.0
    (shared / "p.inc").write_text("PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) }\n")
    assert load_mod(path)().e == -70.0  # the loader's cache is keyed on the text with its includes


def test_a_refusal_while_compiling_an_included_function_names_its_line(tmp_path):
    """What only building the class refuses (an array indexed by a value known at run time, ModelDB
    113997 ipulse3.mod's ``amp[pcount]``, here written into a GLOBAL array whose other elements NEURON
    keeps from another instance's call, then read: array_memory.kept) names the included file's own
    line too."""
    (tmp_path / "f.inc").write_text("PARAMETER { g = 0.001 (S/cm2) e = -65 (mV) }\nASSIGNED { w[2] }\n"
                                    "FUNCTION pick(k) {\n  w[k] = 1\n  pick = 1 + 0*w[0]\n}\n")
    path = tmp_path / "nm_incpick.mod"
    path.write_text('NEURON { SUFFIX nm_incpick NONSPECIFIC_CURRENT i GLOBAL w }\nINCLUDE "f.inc"\n'
                    "ASSIGNED { v (mV) i (mA/cm2) }\nBREAKPOINT { i = g*(v - e)*pick(v) }\n")
    with pytest.raises(ModelError, match=rf"^{tmp_path / 'f.inc'}:4: GLOBAL array w used before "):
        load_mod(path)


@pytest.mark.neuron
def test_two_breakpoint_and_initial_blocks_run_in_neurons_order_beside_neuron():
    """nocmodl runs a second BREAKPOINT (or INITIAL) after the first, in the order it reads them,
    an INCLUDEd one where the INCLUDE stands (ModelDB 168874's NMDA.mod; it was a traceback, the
    framework's "re-insert SymbolTable BreakpointBlock"). Either order reversed changes the current
    (scaled or not) and the state's start (0.4 or 0.2)."""
    from excitable.workflows.neuron_compare import compare_mods

    path = Path(__file__).parents[2] / "reference" / "mod" / "nm_twoblocks.mod"
    result = compare_mods([path])
    assert result.agrees, result.report()
    assert {"nm_twoblocks.w", "nm_twoblocks.i"} <= {r.trace for r in result.rows}
