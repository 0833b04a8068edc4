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
from excitable.interfaces.cli.main import main
from excitable.workflows.neuron_side import neuron_failure

pytestmark = pytest.mark.neuron
FLOOR = Path(__file__).parents[1] / "reference" / "mod" / "nm_zero_floor.mod"


def _compare(argv, capsys):
    pytest.importorskip("neuron")
    code = main(["mod", "compare", *map(str, argv)])
    out, err = capsys.readouterr()
    if code == 2 and "nrnivmodl" in err:
        pytest.skip(err)  # NEURON's compiler (or a C compiler) is missing here
    return code, out, err


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
