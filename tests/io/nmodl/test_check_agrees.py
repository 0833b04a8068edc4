"""``excitable mod check`` says what ``ex.load_mod`` does (issue 18): a file check calls supported
loads, and a file load_mod refuses is listed by check with the same one-line refusal, file:line.

Found in ModelDB 113997's ipulse3.mod (a pulse train whose amplitude is ``amp[pcount]``, an array
indexed by a counter known only in a run): check printed "supported: yes (ex.load_mod runs it)"
and load_mod refused it, the refusal being met while the blocks are compiled, which check did not
run. No numbers are claimed here: the outcome (loads / the refusal's text) is compared.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from excitable.errors import ModelError
from excitable.interfaces.cli.main import main
from excitable.io.nmodl.check import check_file
from excitable.io.nmodl.loader import load_file

HERE = Path(__file__).parent
FILES = sorted((HERE.parents[1] / "reference" / "mod").glob("*.mod")) + sorted((HERE / "mod_events").glob("*.mod"))

#: ipulse3.mod's form: an ELECTRODE-like current whose amplitude is read from an array at an index
#: INITIAL and BREAKPOINT compute (here a PARAMETER k, set per run in NEURON).
DYNAMIC_INDEX = """NEURON { SUFFIX dynidx NONSPECIFIC_CURRENT i RANGE k }
PARAMETER { k = 0  g = 0.001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) w[3] }
INITIAL { w[0] = 1  w[1] = 2  w[2] = 3 }
BREAKPOINT {
  i = g*w[k]*(v + 65)
}
"""


def _load_outcome(path) -> str | None:
    try:
        load_file(path)
    except ModelError as exc:
        return str(exc)
    return None


def test_a_run_time_array_index_into_elements_initial_set_loads_and_check_says_so(tmp_path, capsys):
    """ipulse3.mod's form was refused by load_mod while check said it ran (the issue); then refused by
    both at its line, as nothing kept INITIAL's w[] for BREAKPOINT. Now the elements are kept between
    blocks (array_memory.py; beside NEURON in test_array_memory.py): both say it runs (exit 0)."""
    path = tmp_path / "dynidx.mod"
    path.write_text(DYNAMIC_INDEX)
    assert _load_outcome(path) is None
    lines, count = check_file(path)
    assert count == 0 and lines[-1] == "  supported: yes (ex.load_mod runs it)", lines
    assert main(["mod", "check", str(path)]) == 0
    assert "supported: yes" in capsys.readouterr().out


def test_a_refusal_met_while_compiling_is_listed_by_check_with_its_line(tmp_path, capsys):
    """A refusal met only while load_mod builds the class (a GLOBAL array rewritten in the run and
    read before the run sets it: array_memory.kept) is listed by check, same line, exit 2."""
    path = tmp_path / "dynglob.mod"
    path.write_text(DYNAMIC_INDEX.replace("RANGE k }", "RANGE k GLOBAL w }")
                    .replace("  i = g*w[k]*(v + 65)", "  w[1] = v\n  i = g*w[k]*(v + 65)"))
    refused = _load_outcome(path)
    assert refused is not None and refused.startswith(f"{path}:7: GLOBAL array w used before"), refused
    lines, count = check_file(path)
    assert count >= 1 and f"  {refused}" in lines and not any("supported: yes" in line for line in lines)
    assert main(["mod", "check", str(path)]) == 2  # exit 2: something is not run (the CLI's convention)
    assert refused in capsys.readouterr().out


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_check_and_load_mod_agree_on_every_test_file(path):
    refused = _load_outcome(path)
    lines, count = check_file(path)
    if refused is None:
        assert count == 0 and lines[-1] == "  supported: yes (ex.load_mod runs it)", lines
    else:
        assert count >= 1 and not any("supported: yes" in line for line in lines)
        # the first refusal load_mod meets is among those check lists (both name file:line)
        assert any(line.strip() == refused for line in lines), (refused, lines)


def test_an_error_the_compiler_does_not_name_is_one_line_in_check(tmp_path, monkeypatch):
    """Whatever load_mod's path raises, check reports it in one line naming the file (no traceback)."""
    import excitable.io.nmodl.loader as loader

    path = tmp_path / "odd.mod"
    path.write_text(DYNAMIC_INDEX.replace("w[k]", "w[1]"))

    def broken(p, tables=None):
        raise RuntimeError("first line\nsecond line")

    monkeypatch.setattr(loader, "load_file", broken)
    lines, count = check_file(path)
    assert count == 1 and lines[-1] == f"  {path}: cannot be imported (RuntimeError: first line)"


#: SOLVE forms whose refusal check and load_mod word alike, and what check's "solves:" line says.
#: NEURON 9.0.2's nocmodl compiles a DERIVATIVE's SOLVE without METHOD into a derivimplicit call
#: whose block computes only the derivatives, not the residual (read in the C it writes): the state
#: stays where INITIAL put it (measured: w' = (1/(1+exp(-(v+40)/10)) - w^2)/0.5 from 0.1 under a clamp
#: stays 0.1; derivimplicit moves it to 0.22 in 0.5 ms). Once worded "SOLVE d METHOD (none)", under
#: "solves: d (a PROCEDURE ...)".
SOLVES = {
    "derivative_without_method": (
        "NEURON { SUFFIX nometh NONSPECIFIC_CURRENT i }\nASSIGNED { v (mV) i (mA/cm2) }\nSTATE { x }\n"
        "BREAKPOINT {\n SOLVE d\n i = 0.001*x*(v + 65)\n}\nDERIVATIVE d { x' = -x/5 }\n",
        "solves: d (no METHOD)",
        ":5: SOLVE d without a METHOD (NEURON's code then leaves its states unmoved: name one, e.g. METHOD cnexp) not supported"),
    "point_procedure_with_arguments": (
        "NEURON { POINT_PROCESS ppargs NONSPECIFIC_CURRENT i }\nASSIGNED { v (mV) i (nA) n }\n"
        "BREAKPOINT {\n SOLVE count\n i = 0\n}\nPROCEDURE count(a) { n = n + a }\n",
        "solves: count (a PROCEDURE NEURON calls once per step)",
        ":4: SOLVE count (a PROCEDURE with arguments) not supported"),
}


@pytest.mark.parametrize("case", sorted(SOLVES))
def test_solve_refusals_are_worded_alike_by_check_and_load_mod(case, tmp_path):
    text, solves, refusal = SOLVES[case]
    path = tmp_path / f"{case}.mod"
    path.write_text(text)
    assert _load_outcome(path) == f"{path}{refusal}"
    lines, count = check_file(path)
    assert count == 1 and f"  {solves}" in lines and lines[-1] == f"  {path}{refusal}"
