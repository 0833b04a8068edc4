"""`excitable mod compare` where NEURON itself crashes (interfaces/cli/neuron_guard.py): the command
line runs the comparison in a child process and, where the child dies of a signal, prints one line
naming what NEURON was running, exit status 2, instead of exiting 139 in silence (the sixth ModelDB
sweep: 139421's MyExp2SynBB.mod).

tests/reference/mod/pt_nrncrash.mod has that file's form: a GLOBAL written in NET_RECEIVE of a
THREADSAFE point process, which NEURON 9.0.2's generated code reads through a null pointer at the
first event (a segmentation fault in NEURON alone too). Its copy without THREADSAFE runs in NEURON,
and through the same child the comparison agrees (exit 0): the child's output and status pass
through."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.neuron
FILE = Path(__file__).parents[2] / "reference" / "mod" / "pt_nrncrash.mod"
EXE = os.path.join(os.path.dirname(sys.executable), "excitable")


def _compare(path):
    pytest.importorskip("neuron")
    env = {**os.environ, "EXCITABLE_SERVER": "0"}
    return subprocess.run([EXE, "mod", "compare", str(path)], capture_output=True, text=True, env=env, timeout=600)


def test_neuron_crashing_is_one_line_with_status_2():
    proc = _compare(FILE)
    if "nrnivmodl" in proc.stderr:
        pytest.skip(proc.stderr)  # NEURON's compiler (or a C compiler) is missing here
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr == ("excitable: error: mod compare: the process crashed (SIGSEGV) while NEURON ran "
                           "pt_nrncrash under the spike train: NEURON itself cannot run this file (try it in "
                           "NEURON alone), so there is nothing to compare\n"), proc.stderr
    assert proc.stdout == ""


def test_without_threadsafe_it_runs_and_the_child_passes_its_verdict_through(tmp_path):
    path = tmp_path / "pt_nrncrash.mod"
    path.write_text(FILE.read_text().replace("    THREADSAFE\n", ""))
    proc = _compare(path)
    assert proc.returncode == 0 and proc.stderr == "", proc.stdout + proc.stderr
    assert "same as NEURON" in proc.stdout and "pt_nrncrash train  pt_nrncrash.g" in proc.stdout, proc.stdout
