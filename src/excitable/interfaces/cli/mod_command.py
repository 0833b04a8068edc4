"""excitable mod check FILE.mod ...: what excitable makes of NMODL files, before a run.

Lists each mechanism's parameters (units, defaults), states, ions read and written, SOLVE methods,
and every construct it does not run with ``file:line``. Exit status 0 when every file is supported,
2 when something is not (or a file cannot be read or parsed: one line).
"""

from __future__ import annotations

import argparse


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``mod`` subcommand to the CLI's subparsers."""
    p = sub.add_parser("mod", help="check NMODL (.mod) files: parameters, states, ions, what is not supported",
                       description=__doc__.split("\n\n", 1)[1])
    p.add_argument("action", choices=["check"], help="check: report what excitable makes of the files")
    p.add_argument("files", nargs="+", metavar="FILE.mod", help=".mod files or folders of them")
    return p


def run(args) -> int:
    """Print the report; 0 if every construct is supported, else 2 (USER_ERROR)."""
    from excitable.interfaces.cli.arguments import USER_ERROR
    from excitable.io.nmodl.check import check_report

    report, unsupported = check_report(args.files)
    print(report)
    return USER_ERROR if unsupported else 0
