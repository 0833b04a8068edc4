"""benchmarks/nmodl_table.py (docs/nmodl.md's comparison table) runs the tests' own set-ups, reached
by name (``t.h``, ``test_array_memory.DENSITY``): a test module that renames or drops one breaks the
table's regeneration, which no test runs (it takes minutes). It did (``test_model_parameters._compiled``,
gone with the switch to nrnmech.neuron_loaded). Checked here by reading the script: every attribute
it takes from a test module it imports exists there, every file its forms name exists."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "nmodl_table.py"


def _test_module_aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> module, for the script's ``from tests... import x [as y]`` of test modules."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests"):
            for alias in node.names:
                parent = importlib.import_module(node.module)
                if hasattr(parent, "__path__") and importlib.util.find_spec(f"{node.module}.{alias.name}"):
                    out[alias.asname or alias.name] = f"{node.module}.{alias.name}"  # a module, not a function
    return out


def test_every_name_the_table_takes_from_the_tests_exists():
    tree = ast.parse(SCRIPT.read_text())
    functions = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)]
    used, missing = set(), []
    for function in functions:  # each function's own imports: ``t`` is a different test module in each
        aliases = _test_module_aliases(function)
        used |= set(aliases.values())
        for node in ast.walk(function):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                module = importlib.import_module(aliases[node.value.id])
                if not hasattr(module, node.attr):
                    missing.append(f"{aliases[node.value.id]}.{node.attr} (benchmarks/nmodl_table.py:{node.lineno})")
    assert len(used) > 20, used  # the script does draw on the tests' modules
    assert not missing, missing


def test_the_forms_name_files_that_exist():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        table = importlib.import_module("nmodl_table")
    finally:
        sys.path.remove(str(SCRIPT.parent))
    from tests.io.nmodl.neuron_side import mod_file

    forms = table.PUBLISHED_FORMS + table.later_forms()
    paths = [mod_file(s) if isinstance(s, str) else Path(s) for _, files, _ in forms for s in files]
    assert len(paths) > 40 and all(p.is_file() for p in paths), [p for p in paths if not p.is_file()]
