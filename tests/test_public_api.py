"""The public API: every name of ``excitable`` resolves, is listed, and is seen by static tools;
``import excitable`` stays light; ``ex.fit``/``ex.sweep`` are the functions whatever was imported
first (their modules are ``excitable.workflows.fitting``/``sweeping``); every ``ex.NAME`` the README
and docs/ use exists; ``ex.channels``/``ex.receptors`` hold every mechanism of the catalogue."""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import excitable as ex

ROOT = Path(__file__).resolve().parents[1]
INIT = Path(ex.__file__)


def fresh(code: str) -> str:
    """stdout of ``code`` run by a new interpreter (this one has imported everything already)."""
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    return ran.stdout.strip()


def type_checking_names() -> dict[str, str]:
    """{name: module} imported under ``if TYPE_CHECKING:`` in excitable/__init__.py."""
    out = {}
    for node in ast.parse(INIT.read_text()).body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom), ast.unparse(imp)
                for alias in imp.names:
                    out[alias.asname or alias.name] = f"{imp.module}.{alias.name}"
    return out


def test_every_public_name_resolves_and_is_listed():
    assert ex.__all__ == sorted(set(ex.__all__))
    for name in ex.__all__:
        assert getattr(ex, name) is not None, name
    assert set(ex.__all__) <= set(dir(ex))
    namespace: dict = {}
    exec("from excitable import *", namespace)
    assert set(ex.__all__) <= set(namespace)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        ex.Nope  # noqa: B018


def test_static_tools_see_every_public_name_as_what_it_is_at_run_time():
    # An editor's completion and a type checker read the TYPE_CHECKING imports, not __getattr__.
    seen = type_checking_names()
    assert sorted(seen) == ex.__all__
    for name, where in seen.items():
        module, _, attr = where.rpartition(".")
        try:
            expected = getattr(importlib.import_module(module), attr)
        except AttributeError:  # `from excitable.io import morphologies`: a submodule
            expected = importlib.import_module(where)
        assert getattr(ex, name) is expected, name


def test_import_excitable_loads_no_jax_nor_numpy():
    got = fresh("import sys, excitable\nprint(sorted(m for m in ('jax', 'numpy', 'typing') if m in sys.modules))")
    assert got == "[]"


@pytest.mark.parametrize(("name", "module"), [("fit", "excitable.workflows.fitting"),
                                              ("sweep", "excitable.workflows.sweeping")])
def test_fit_and_sweep_are_the_functions_whichever_is_imported_first(name, module):
    # Their modules are named for the activity (fitting, sweeping), so importing one sets no
    # attribute ``ex.fit``/``ex.sweep`` on the package: the lazy export is the function either way.
    assert getattr(ex, name) is getattr(importlib.import_module(module), name) and callable(getattr(ex, name))
    checks = (f"import sys\n"
              f"fn = sys.modules['{module}'].{name}\n"
              f"from excitable import {name} as imported\n"
              f"print(json.dumps([callable(ex.{name}), ex.{name} is fn, imported is fn]))\n")
    module_first = f"import json\nimport {module}\nimport excitable as ex\n" + checks
    package_first = (f"import json\nimport excitable as ex\nbefore = ex.{name}\n"
                     f"import {module}\nassert ex.{name} is before\n") + checks
    for code in (module_first, package_first):
        assert json.loads(fresh(code)) == [True, True, True]


def test_the_fit_and_sweep_modules_are_importable_by_their_full_names():
    from excitable.workflows.features import Features
    from excitable.workflows.fitting import fit
    from excitable.workflows.sweeping import LOCAL_BATCH, sweep

    assert (ex.fit, ex.sweep, ex.Features) == (fit, sweep, Features) and LOCAL_BATCH > 0
    assert importlib.import_module("excitable.workflows.fitting").__name__ == "excitable.workflows.fitting"


def test_no_exported_function_or_class_shares_its_name_with_a_module_of_the_package():
    # Importing a submodule ``excitable.NAME`` sets ``ex.NAME`` to it, over a function of that name.
    root = INIT.parent
    submodules = {p.stem for p in root.glob("*.py")} | {p.parent.name for p in root.glob("*/__init__.py")}
    clashes = sorted(name for name in ex.__all__
                     if name in submodules and getattr(ex, name) is not importlib.import_module(f"excitable.{name}"))
    assert clashes == []


def test_a_patched_function_is_seen_and_the_patch_undone(monkeypatch):
    real = ex.fit
    monkeypatch.setattr(ex, "fit", len)
    assert ex.fit is len
    monkeypatch.undo()
    assert ex.fit is real


def test_channels_and_receptors_hold_every_mechanism_of_the_catalogue():
    from excitable.physics.catalogue import CHANNELS, RECEPTORS

    for namespace, catalogue in ((ex.channels, CHANNELS), (ex.receptors, RECEPTORS)):
        for name in namespace.__all__:
            assert hasattr(namespace, name), (namespace.__name__, name)
        for name, cls in catalogue.items():
            assert getattr(namespace, name) is cls, (namespace.__name__, name)
    assert ex.channels.HH is ex.HH and ex.channels.Leak is ex.Leak
    assert [c.name for c in ex.channels.textbook().channels] == ["Leak", "NaTraub", "KdTraub", "KMYamada"]


def test_experiments_and_morphologies_are_reached_from_the_package():
    assert callable(ex.experiments.run) and callable(ex.experiments.describe)
    assert "action-potential" in ex.experiments.names()
    assert "ca1-pyramidal" in ex.morphologies.names() and ex.morphologies.path("simple").is_file()


def documented_names() -> set[str]:
    """Every ``ex.NAME`` and ``from excitable import NAME`` in README.md and docs/."""
    names = set()
    for md in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = md.read_text(encoding="utf-8")
        names |= set(re.findall(r"\bex\.([A-Za-z_]\w*)", text))
        for imported in re.findall(r"from excitable import ([\w, ]+)", text):
            names |= {n.strip().split(" as ")[0] for n in imported.split(",") if n.strip()}
    return names


def test_every_name_the_readme_and_docs_use_is_public():
    names = documented_names()
    assert {"Cell", "Simulation", "IClamp", "HH", "broadcast", "with_param", "experiments"} <= names
    missing = sorted(n for n in names if n not in ex.__all__)
    assert missing == [], f"used in README.md or docs/ but not in excitable.__all__: {missing}"
