"""excitable run: one experiment, its summary printed (or as JSON) and its report written to --out.

  excitable run NAME [--set key=value ...] [--json] [--out DIR]
  excitable run NAME --params

The experiment's declaration is read first: listing the parameters or refusing one needs no JAX
(milliseconds). A repeated ``run`` usually reaches this module in the warm server's process
(``server/``), through the same ``main(argv)``.
"""

from __future__ import annotations

import argparse
import json


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``run`` subcommand to the CLI's subparsers."""
    p = sub.add_parser("run", help="run an experiment", epilog=_experiments_epilog,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="set a parameter (repeatable)")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.add_argument("--out", metavar="DIR", help="write summary.json, traces.csv, figure.png/.svg")
    p.add_argument("--params", action="store_true", help="list the parameters and exit")
    p.add_argument("--format", choices=("csv", "nwb"), default="csv",
                   help="nwb: --out also gets run.nwb (pip install 'excitable[nwb]')")
    return p


def _experiments_epilog() -> str:
    """The experiments, in the tour's order, each with its question: from the declarations (no JAX)."""
    from excitable import experiments

    rows = []
    for name in experiments.names():
        try:
            question = experiments.declaration(name).question
        except Exception as e:  # noqa: BLE001 - one broken module should not hide the others from --help
            question = f"(cannot be loaded: {type(e).__name__})"
        rows.append(f"  {name:22s} {question}")
    return ("experiments (NAME; underscores work too, action_potential):\n" + "\n".join(rows)
            + "\n\nexample: excitable run action-potential --set amplitude=20 --out ap/")


def run(args) -> int:
    """Run the experiment for parsed ``args``; everything that can be refused is refused first."""
    from excitable import experiments
    from excitable.errors import ModelError
    from excitable.interfaces.cli.arguments import check_out, parse_sets

    declared = experiments.declaration(args.name)
    if args.params:
        print(declared.describe())
        return 0
    params = declared.resolve(parse_sets(args.set))
    if args.out is not None:
        check_out(args.out, beside=True)
    nwb = getattr(args, "format", "csv") == "nwb"
    if nwb:
        from excitable.interfaces.cli import nwb_output

        if args.out is None:
            raise ModelError("--format nwb writes into a folder: give --out DIR")
        nwb_output.check_available()
    exp = experiments.get(declared.name)
    from excitable.progress import StderrBar, reporting

    with StderrBar(label=declared.name) as bar, reporting(bar):
        result = exp.run(**params)
    if args.out is not None:
        try:
            extra = {nwb_output.NWB_FILE: nwb_output.writer(declared, result)} if nwb else None
            result.save(args.out, extra_files=extra)  # all or nothing: written beside, then renamed
        except OSError as e:
            raise ModelError(f"--out {args.out!r}: the report could not be saved ({e.strerror or e}); "
                             f"nothing was written") from None
    if args.json:
        print(json.dumps(_jsonable(result.summary)))
    else:
        _print_summary(result)
        if args.out:
            from pathlib import Path

            # A Path drops a trailing slash (`--out ap/` wrote ap//summary.json) and a leading ./
            print(f"wrote {Path(args.out) / 'summary.json'}, traces.csv, figure.png, figure.svg"
                  + (", run.nwb" if nwb else ""))
    return 0


def _jsonable(summary):
    from excitable.results import SUMMARY_DIGITS, jsonable

    return jsonable(summary, SUMMARY_DIGITS)  # as in summary.json: 9.85, not 9.850000000000001


def _print_summary(result) -> None:
    for key, value in _jsonable(result.summary).items():
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value) \
                and any(" " in v for v in value):
            # Sentences (run model's notes on files left out) read one to a line, not as a Python list.
            print(key)
            for line in value:
                print(f"  {line}")
            continue
        if isinstance(value, list) and len(value) > 8:
            value = f"[{len(value)} values]"
        elif isinstance(value, float):
            value = f"{value:.6g}"
        print(f"{key:32s} {value}")
