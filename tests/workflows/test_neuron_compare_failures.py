"""``excitable mod compare`` where NEURON itself cannot run the file: one line naming the mechanism,
the protocol and NEURON's own words, exit status 2 (bad input, as the CLI documents it), no
traceback and no table (nothing was compared). Exit 1 stays "some trace differs".

- tests/reference/mod/nm_zero_floor.mod (the form of ModelDB 266797 cacumm.mod): NEURON's
  derivimplicit Newton iteration does not converge, "scopmath library error";
- the same floor in a POINT_PROCESS (the point processes' protocol, neuron_side_point.neuron_run);
- ``neuron_side.neuron_failure``, which all three NEURON runs (density, point process, --cell) go
  through, with a hoc error raised directly (h.execerror), and NEURON's printing kept after a run
  that succeeds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from excitable.errors import ModelError
from excitable.workflows.neuron_side import neuron_failure
from tests.workflows.test_neuron_compare_tables import _compare

pytestmark = pytest.mark.neuron
FLOOR = Path(__file__).parents[1] / "reference" / "mod" / "nm_zero_floor.mod"


def test_a_file_neuron_cannot_integrate_is_one_line(capsys):
    code, out, err = _compare([FLOOR], capsys)
    assert code == 2 and out == "", out
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("excitable: error: NEURON cannot run nm_zfloor under the voltage clamp"), err
    assert "scopmath library error" in err and "Convergence not achieved" in err, err


def test_a_point_process_neuron_cannot_integrate_is_one_line(tmp_path, capsys):
    text = FLOOR.read_text().replace("SUFFIX nm_zfloor", "POINT_PROCESS nm_zfloor_pp")
    (tmp_path / "nm_zfloor_pp.mod").write_text(text.replace("ica (mA/cm2)", "ica (nA)"))
    code, out, err = _compare([tmp_path / "nm_zfloor_pp.mod"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1, out + err
    assert "NEURON cannot run nm_zfloor_pp under the" in err and "scopmath library error" in err, err


def test_neuron_failure_is_a_model_error_and_keeps_neurons_printing(capfd):
    h = pytest.importorskip("neuron").h
    with pytest.raises(ModelError, match=r"^NEURON cannot run the thing: boom here; NEURON's own run failed"):
        with neuron_failure("the thing"):
            h.execerror("boom", "here")
    capfd.readouterr()
    with neuron_failure("the thing"):
        h.printf("said by hoc\n")
    assert "said by hoc" in "".join(capfd.readouterr())  # held during the run, printed after it


#: A current that is 0/0 with its parameter at its default, 0 (kc.mod's all-zero defaults, ModelDB
#: 84589): NaN in NEURON's C and here, so neither side has anything to compare.
NAN_AT_DEFAULTS = """
NEURON { SUFFIX nm_nandefault NONSPECIFIC_CURRENT i RANGE g, s }
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { g = 0.001 (S/cm2) s = 0 }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g*(s/s)*(v + 65) }
"""


def test_a_file_unstable_on_both_sides_is_one_line_not_a_verdict(tmp_path, capsys):
    (tmp_path / "nm_nandefault.mod").write_text(NAN_AT_DEFAULTS)
    code, out, err = _compare([tmp_path / "nm_nandefault.mod"], capsys)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, out + err
    assert err.startswith("excitable: error: mod compare: nothing could be compared: nm_nandefault clamp"), err
    assert "NEURON's traces are not finite either" in err, err
    # with the parameter given, both sides run and agree (the same file, so the NaN was the defaults')
    code, out, err = _compare([tmp_path / "nm_nandefault.mod", "--set", "nm_nandefault.s=1"], capsys)
    assert code == 0 and "same as NEURON" in out, out + err


#: A pool state that is -x/0 with its time constant at its default, 0 (ModelDB 116096 cadspine.mod's
#: GLOBALs left at 0): NaN on both sides while V, which nothing of it feeds, stays finite.
NAN_STATE = """
NEURON { SUFFIX nm_nanstate USEION ca READ cai WRITE cai RANGE k }
PARAMETER { k = 0 (ms) cai (mM) }
STATE { ca (mM) }
INITIAL { ca = 1e-4 cai = ca }
BREAKPOINT { SOLVE state METHOD euler }
DERIVATIVE state { ca' = -ca/k cai = ca }
"""


def test_a_state_nan_on_both_sides_is_named_and_not_a_difference(tmp_path, capsys):
    (tmp_path / "nm_nanstate.mod").write_text(NAN_STATE)
    code, out, err = _compare([tmp_path / "nm_nanstate.mod"], capsys)
    # was exit 1, "DIFFERS" with an infinite V difference and "V reached nan mV", V finite on both sides
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, out + err
    assert "nm_nanstate.ca became NaN while V stayed finite" in err, err
    assert "NEURON's nm_nanstate.ca, nm_nanstate.cai are not finite either" in err, err
    code, out, err = _compare([tmp_path / "nm_nanstate.mod", "--set", "nm_nanstate.k=50"], capsys)
    assert code == 0 and "same as NEURON" in out, out + err
