"""VERBATIM blocks with no C in them (white space and C comments only, ModelDB 3511 gapvdep.mod's
empty one in BREAKPOINT) run as NEURON compiles them: as nothing. One with any C is still refused.

Reference: NEURON 9.0.2 side by side through ``compare_mods`` (1e-6 of each trace's scale).
"""

from __future__ import annotations

import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import OWN

FILE = OWN / "nm_emptyverbatim.mod"


def test_a_verbatim_with_c_in_it_is_still_refused_with_its_line(tmp_path):
    text = FILE.read_text().replace("\t/* nothing to do in C here */", "\twinf = 0.5;")
    (tmp_path / "nm_emptyverbatim.mod").write_text(text)
    line = 1 + text.splitlines().index("\twinf = 0.5;") - 1  # the VERBATIM above it
    with pytest.raises(ModelError, match=rf"nm_emptyverbatim.mod:{line}: VERBATIM \(C code\) not supported$"):
        load_mod(tmp_path / "nm_emptyverbatim.mod")


@pytest.mark.neuron
def test_empty_verbatim_blocks_run_beside_neuron():
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods([FILE])
    assert result.agrees, result.report()
    assert "nm_emptyverbatim.w" in {r.trace for r in result.rows}


@pytest.mark.neuron
def test_an_initial_ending_in_a_return_runs_beside_neuron(tmp_path):
    """``VERBATIM return; ENDVERBATIM`` closing INITIAL (123815's ichan2.mod) does nothing; m starts
    at INITIAL's 0.5 on both sides. The same return before INITIAL's last statement would skip it:
    refused with its line."""
    from excitable.workflows.neuron_compare import compare_mods

    path = OWN / "nm_initreturn.mod"
    result = compare_mods([path])
    assert result.agrees, result.report()
    assert "nm_initreturn.m" in {r.trace for r in result.rows}
    early = path.read_text().replace("\tm = 0.5\n\tVERBATIM\n\treturn;\n\tENDVERBATIM\n",
                                     "\tVERBATIM\n\treturn;\n\tENDVERBATIM\n\tm = 0.5\n")
    (tmp_path / "nm_initreturn.mod").write_text(early)
    line = early.splitlines().index("\tVERBATIM") + 1
    with pytest.raises(ModelError, match=rf"nm_initreturn.mod:{line}: VERBATIM \(C code\) not supported$"):
        load_mod(tmp_path / "nm_initreturn.mod")
