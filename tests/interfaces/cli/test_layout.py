"""Where the command line's pieces live, checked by reading their imports (function-level ones too).

One module per subcommand, none importing another; what they share is ``arguments``; nothing imports a
``__main__``; the warm server's modules import in one direction (protocol <- client, protocol <-
daemon, never client <-> daemon); no import cycle anywhere in ``excitable.interfaces``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import excitable.interfaces

ROOT = Path(excitable.interfaces.__file__).parent
SUBCOMMANDS = {"listing", "run", "tour", "sweep", "server_command"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each module of ``excitable.interfaces`` -> the ``excitable.*`` modules it imports anywhere."""
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from package import module` imports the module; `from module import name` the module
                found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                          for a in node.names}
        graph[name] = {m for m in found if m.startswith("excitable")}
    return graph


def short(name: str) -> str:
    return name.removeprefix("excitable.interfaces.cli.")


def test_no_subcommand_imports_another_and_nothing_imports_a_main():
    graph = imports()
    for name, imported in graph.items():
        assert not {m for m in imported if m.endswith("__main__")}, name
        if short(name) in SUBCOMMANDS:
            assert not {short(m) for m in imported} & (SUBCOMMANDS - {short(name)}), name


def test_the_warm_server_imports_in_one_direction():
    graph = {short(k): {short(m) for m in v} for k, v in imports().items()}
    assert graph["server.protocol"] == set()  # the standard library only
    assert graph["server.jobenv"] == set()
    assert graph["server.client"] == {"server.protocol", "server.jobenv"}
    assert "server.client" not in graph["server.daemon"] | graph["server.job"]


def test_no_import_cycle_in_interfaces():
    graph = imports()

    def visit(name, path):
        for nxt in sorted(graph.get(name, ())):
            assert nxt not in path, " -> ".join([*path, nxt])
            visit(nxt, [*path, nxt])

    for name in graph:
        visit(name, [name])


def test_a_served_run_imports_only_the_client():
    # What `excitable run ...` imports before it knows whether a server will run it: no JAX, no
    # NumPy, no subcommand, no argparse (a served run takes ~0.05 s; JAX alone takes ~0.5 s).
    code = ("import sys; from excitable.interfaces.cli.main import entry; "
            "from excitable.interfaces.cli.server import client; "
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('excitable', 'jax', 'numpy', 'argparse'))))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())
    assert loaded == {"excitable", "excitable.interfaces", "excitable.interfaces.cli",
                      "excitable.interfaces.cli.main", "excitable.interfaces.cli.server",
                      "excitable.interfaces.cli.server.client", "excitable.interfaces.cli.server.jobenv",
                      "excitable.interfaces.cli.server.protocol"}
