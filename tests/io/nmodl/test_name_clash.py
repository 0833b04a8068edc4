"""A .mod file whose SUFFIX is the name of one of excitable's channels (ModelDB 126637's Leak.mod,
found by the ninth ModelDB sweep): a cell took the second of two different mechanisms of one name
as a re-insert of the first, so the file's class ran with the built-in's values (0.1 mS/cm² read as
0.1 S/cm²), silently; and `mod compare`, whose current clamp adds excitable's Leak, ended in a
traceback. Now the cell refuses the second in one line, and `mod compare` names its own leak so that
no file takes it."""

from __future__ import annotations

import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod

LEAK_MOD = """NEURON {
    SUFFIX Leak
    NONSPECIFIC_CURRENT il
    RANGE gl, el
}
PARAMETER {
    gl = 0.0003 (mho/cm2)
    el = -68 (mV)
}
ASSIGNED {
    v (mV)
    il (mA/cm2)
}
BREAKPOINT {
    il = gl*(v - el)
}
"""


def test_two_mechanisms_of_one_name_on_a_cell_are_refused(tmp_path):
    path = tmp_path / "leak.mod"
    path.write_text(LEAK_MOD)
    mod_leak = load_mod(path)
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(mod_leak())
    with pytest.raises(ModelError, match=r"^insert: another mechanism named 'Leak' is already on this cell "
                                         rf"\({path}, not excitable's Leak\)"):
        cell.insert(ex.channels.Leak(g=0.1, e=-70.0))
    cell.insert(mod_leak(gl=0.001), where="soma")  # the same class again: new values where it says
    assert float(cell.mechanism_at_sites("Leak").gl[0]) == 0.001


@pytest.mark.neuron
def test_mod_compare_runs_a_file_named_like_a_builtin(tmp_path, capsys):
    from tests.workflows.test_neuron_compare_tables import _compare

    path = tmp_path / "leak.mod"
    path.write_text(LEAK_MOD)
    code, out, err = _compare([path], capsys)
    assert code == 0 and err == "" and "same as NEURON" in out and "together, current clamp  Leak.il" in out, out


def test_a_parameter_no_mechanism_has_is_one_line_naming_the_fields(tmp_path):
    """A misspelt parameter (``HH(gna=...)``, NEURON's name for ours ``gNa``) was Python's TypeError,
    naming neither the mechanism's fields nor the value; imported classes alike."""
    with pytest.raises(ModelError, match=r"^HH has no parameter 'gna' \(given 0\.1\); it has gNa, gK, gL, eNa, eK, eL$"):
        ex.HH(gna=0.1)
    path = tmp_path / "leak.mod"
    path.write_text(LEAK_MOD)
    with pytest.raises(ModelError, match=r"^Leak has no parameter 'g' \(given 0\.001\); it has gl, el$"):
        load_mod(path)(g=0.001)
    assert load_mod(path)(gl=0.001).gl == 0.001
