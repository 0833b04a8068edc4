"""``workflows.nrnivmodl.compile_mods``: the same .mod files compiled by two processes (or threads)
at once are compiled once; the second waits for the first's folder (two pytest workers compiled
the NMODL test files twice over, each several seconds a file). nrnivmodl is replaced here by a
script that takes a second and counts its runs, so the test needs no NEURON."""

from __future__ import annotations

import threading

import pytest

from excitable.workflows import nrnivmodl as compiler

FAKE = """#!/bin/sh
echo run >> "{count}"
sleep 1
mkdir -p x86_64 && touch x86_64/libnrnmech.so
"""


@pytest.fixture
def fake_tool(tmp_path, monkeypatch):
    count = tmp_path / "runs.txt"
    tool = tmp_path / "nrnivmodl"
    tool.write_text(FAKE.format(count=count))
    tool.chmod(0o755)
    monkeypatch.setattr(compiler, "nrnivmodl", lambda: str(tool))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return count


def test_two_compilations_of_the_same_files_at_once_run_nrnivmodl_once(tmp_path, fake_tool):
    pytest.importorskip("fcntl")
    mod = tmp_path / "k.mod"
    mod.write_text("NEURON { SUFFIX k }\n")
    results = []
    threads = [threading.Thread(target=lambda: results.append(compiler.compile_mods([mod], "same")))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fake_tool.read_text().splitlines() == ["run"]
    assert len(results) == 2 and results[0] == results[1] and results[0][1] == ""
    assert (results[0][0] / "x86_64" / "libnrnmech.so").exists()
    # other files: compiled again (the digest names the folder)
    mod.write_text("NEURON { SUFFIX k2 }\n")
    folder, why = compiler.compile_mods([mod], "same")
    assert why == "" and folder != results[0][0] and len(fake_tool.read_text().splitlines()) == 2
