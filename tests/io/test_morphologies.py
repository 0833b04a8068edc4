"""The shipped reconstructions: names -> files, paths, one-line errors, and a wheel that carries them."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io import morphologies
from excitable.io.import3d import read_swc_sections
from excitable.model.morphology import Morphology

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["ca1-pyramidal", "purkinje", "allen-scnn1a", "simple"]
SHIPPED = ["README.md", "allen-scnn1a-177300.01.02.01.swc", "deschutter-10-2012-02-09-001.CNG.swc",
           "simple.swc", "turner-ca1-n120.swc"]


def test_every_name_is_a_shipped_file_and_every_file_has_a_name_and_a_source():
    assert list(morphologies.names()) == NAMES
    files = {morphologies.path(n).name for n in NAMES}
    assert sorted(p.name for p in morphologies.DIRECTORY.iterdir()) == sorted(files | {"README.md"})
    readme = (morphologies.DIRECTORY / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert morphologies.path(name).parent == morphologies.DIRECTORY
        assert f"`{name}`" in readme and morphologies.path(name).name in readme
        assert len(morphologies.names()[name]) > 20  # a description, not an empty string


def test_the_files_are_the_real_cells():
    # what each name promises, measured from the file itself (section counts as in test_swc.py)
    regions = {n: Morphology.from_swc(n).regions for n in NAMES}  # by name, as Cell.from_swc
    assert regions["ca1-pyramidal"] == {"soma", "basal", "apical"}  # no axon in n120
    assert regions["purkinje"] == {"soma", "basal"}
    assert regions["allen-scnn1a"] == {"soma", "axon", "basal", "apical"}
    assert len(Morphology.from_swc("simple").sections) == 7


def test_a_path_is_taken_as_given_str_or_pathlike_relative_or_absolute(tmp_path, monkeypatch):
    own = tmp_path / "own.swc"
    own.write_bytes(morphologies.path("simple").read_bytes())
    assert morphologies.path(own) == own and morphologies.path(str(own)) == own
    monkeypatch.chdir(tmp_path)
    assert morphologies.path("own.swc").resolve() == own.resolve()
    # A file of one's own with a shipped name: the name wins, ./NAME reaches the file.
    (tmp_path / "simple").write_text("1 1 0 0 0 1 -1\n")
    assert morphologies.path("simple").parent == morphologies.DIRECTORY
    assert morphologies.path("./simple").resolve() == (tmp_path / "simple").resolve()


@pytest.mark.parametrize("value, shown", [
    (123, "123"), (None, "None"), (b"cell.swc", "b'cell.swc'"), (1.5, "1.5"), (["x"], "['x']"),
    ("", "''"), ("   ", "'   '"), ("nope.swc", "'nope.swc'"), ("ca1_pyramidal", "'ca1_pyramidal'"),
    ("cell\x00.swc", "'cell\\x00.swc'"),
])
def test_anything_else_is_one_line_naming_the_field_the_value_and_the_names(value, shown):
    with pytest.raises(ModelError) as err:
        morphologies.path(value, field="swc")
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("swc") and shown in msg
    assert all(n in msg for n in NAMES)


def test_a_directory_is_not_a_cell(tmp_path):
    with pytest.raises(ModelError, match=r"^path: is a directory .*ca1-pyramidal"):
        morphologies.path(tmp_path, field="path")


def test_cell_from_swc_takes_a_name_or_a_path_and_nothing_else():
    by_name = ex.Cell.from_swc("simple", nseg=1)
    by_path = ex.Cell.from_swc(morphologies.path("simple"), nseg=1)
    by_str = ex.Cell.from_swc(str(morphologies.path("simple")), nseg=1)
    assert by_name.morphology.names == by_path.morphology.names == by_str.morphology.names
    assert by_name.n == by_path.n == by_str.n > 1
    for bad in (123, None):
        with pytest.raises(ModelError, match=rf"^path must be .*got \w+ {bad}$"):
            ex.Cell.from_swc(bad)
    with pytest.raises(ModelError, match=r"^path: no such file 'purkinje\.swc', and not a shipped cell"):
        ex.Cell.from_swc("purkinje.swc")


def test_naming_a_cell_loads_no_numpy():
    # The command line checks its arguments (swc=NAME among them) before the heavy imports; a fresh
    # process, because this one has NumPy already.
    code = ("import sys\nfrom excitable.io import morphologies as m\nm.names(); m.path('simple')\n"
            "print(sorted(k for k in ('numpy', 'jax', 'excitable.io.swc') if k in sys.modules))")
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[]"
    from excitable.io import read_swc_sections as lazy  # the package still gives the reader
    assert lazy is read_swc_sections


def test_the_wheel_carries_the_cells_and_runs_them_from_any_directory(tmp_path):
    """pip builds the wheel from the repository (hatchling, no build isolation: no network); the
    SWC files and their README must be in it byte for byte, and the wheel unpacked elsewhere (what
    an install does) must find a cell by name with the working directory outside the repository."""
    pytest.importorskip("hatchling", reason="the dev extra installs hatchling (pip wheel without isolation)")
    out = tmp_path / "wheel"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                            "--no-build-isolation", "-q", "-w", str(out)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = out.glob("excitable-*.whl")
    with zipfile.ZipFile(wheel) as z:
        for name in SHIPPED:
            inside = z.read(f"excitable/data/morphologies/{name}")
            assert hashlib.sha256(inside).digest() == \
                hashlib.sha256((morphologies.DIRECTORY / name).read_bytes()).digest(), name
        z.extractall(tmp_path / "site")
    away = tmp_path / "elsewhere"
    away.mkdir()
    script = ("import json, excitable as ex\n"
              "from excitable.io import morphologies as m\n"
              "cell = ex.Cell.from_swc('ca1-pyramidal', d_lambda=0.1)\n"
              "print(json.dumps({'file': ex.__file__, 'swc': str(m.path('ca1-pyramidal')), 'n': cell.n}))\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "EXCITABLE_SERVER": "0"}
    ran = subprocess.run([sys.executable, "-c", script], cwd=away, env=env, capture_output=True,
                         text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    got = json.loads(ran.stdout.splitlines()[-1])
    site = str(tmp_path / "site")
    assert got["file"].startswith(site) and got["swc"].startswith(site)  # the wheel's copy, not src/
    assert got["n"] == ex.Cell.from_swc("ca1-pyramidal", d_lambda=0.1).n
