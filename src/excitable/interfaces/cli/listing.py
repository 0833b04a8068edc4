"""excitable list: one line per experiment, its name and the question it answers.

Reads only the declarations (no JAX); an experiment that cannot be loaded is listed with the reason,
so one broken module does not hide the others.
"""

from __future__ import annotations

import argparse


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``list`` subcommand to the CLI's subparsers."""
    return sub.add_parser("list", help="list the experiments")


def run(args) -> int:
    """Print the experiments, one a line; exit status 0."""
    from excitable import experiments

    for name in experiments.names():
        try:
            question = experiments.declaration(name).question
        except Exception as e:  # one broken module should not hide the others
            question = f"(cannot be loaded: {type(e).__name__}: {e})"
        print(f"{name:22s} {question}")
    return 0
