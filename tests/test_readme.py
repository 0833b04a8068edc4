"""The README's examples run as written: every ```python block (a fresh interpreter, an empty working
directory) and the cheap command lines of "Ask a question, get a figure" (no warm server)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: the console script that ``make`` installs into .venv/bin, next to this interpreter
SCRIPT = Path(sys.executable).with_name("excitable")

#: The README's command lines of the "Ask a question" block that run in seconds; the others run whole
#: experiments with figures (their code is tested in tests/experiments and tests/interfaces).
CHEAP = [
    ".venv/bin/excitable list",
    ".venv/bin/excitable run action-potential --set model=textbook --json",
    ".venv/bin/excitable run all-or-none --params",
]


def blocks(language: str) -> list[str]:
    """The fenced code blocks of the README that open with ```language (```` ``` ```` for none)."""
    return re.findall(rf"^```{language}\n(.*?)^```$", README, flags=re.S | re.M)


def section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start:end if end > 0 else len(README)]


def env() -> dict[str, str]:
    return {**os.environ, "EXCITABLE_SERVER": "0", "MPLBACKEND": "Agg"}


def test_the_readme_has_python_examples_and_keeps_its_first_two_commands():
    assert blocks("python"), "README.md has no ```python block"
    first = blocks("")[0].splitlines()
    assert [line.split("#")[0].strip() for line in first[:2]] == ["make demo", "make test"]


@pytest.mark.parametrize("k", range(len(blocks("python"))))
def test_python_example_runs_as_written(tmp_path, k):
    code = blocks("python")[k]
    ran = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env(), capture_output=True,
                         text=True, timeout=600)
    assert ran.returncode == 0, f"README python block {k} failed:\n{ran.stderr[-3000:]}"


@pytest.mark.parametrize("line", CHEAP)
def test_cheap_command_lines_of_ask_a_question_run(tmp_path, line):
    if not SCRIPT.exists():
        pytest.skip(f"no console script {SCRIPT} (install excitable into this interpreter's environment)")
    listed = [ln.split("  #")[0].strip() for b in blocks("") for ln in b.splitlines()]
    assert line in listed and line in section("Ask a question, get a figure"), "the README no longer says it"
    args = shlex.split(line)
    ran = subprocess.run([str(SCRIPT), *args[1:]], cwd=tmp_path, env=env(), capture_output=True, text=True,
                         timeout=600)
    assert ran.returncode == 0, ran.stderr[-3000:]
    if "--json" in args:
        summary = json.loads(ran.stdout)
        assert -80 < summary["rest_mV"] < -60 and summary["peak_mV"] > 0  # the textbook cell fires
    else:
        assert ran.stdout.strip()
