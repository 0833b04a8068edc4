"""excitable tour: every experiment, in the order of the questions, in one HTML page.

  excitable tour [--out DIR] [--quick] [--only NAME,NAME,...] [--jobs N]

Runs each experiment of the registry (experiments not in the phenomena table come last), says first
how long it will take (e.g. "23 experiments, about 30 s (cached programs) / 55 s (first run), 2 at a
time"), then prints each experiment as it finishes (time taken, time elapsed), saves each report into
DIR/NAME/ (summary.json, traces.csv, figure.png) and writes DIR/index.html: one self-contained page
(figures embedded, no external resources) that walks through the questions one by one, each with a
plain answer, the figure, the mechanism, the numbers measured (and the inputs used) and what to try
next, plus DIR/tour.json (status, seconds and CPU seconds per experiment). An experiment that fails is
shown as an error section and the tour goes on.

--jobs N: experiments run at once, each in its own worker process (default: one per core, at most
4, the longest first); --jobs 1 runs them one after the other in this process.

--quick: an experiment may declare ``quick={param: value, ...}``, cheaper parameters that still
show the phenomenon (fewer sweep points, shorter runs); --quick uses them, experiments without one
run with their defaults. To add it to an experiment, give its ``Experiment(...)`` e.g.
``quick={"sweep": False}`` (see excitable/experiments/cables/declarations.py, myelination).

Exit status: 0 when every experiment ran, 1 when any failed (the report says which); a bad argument
(an unknown name in --only, an --out that cannot be written) prints one line and exits with 2, as
every excitable command does. The page is written as the tour goes and marked incomplete until the
last experiment is done, so an interrupted tour never leaves an older page looking current.

Example: excitable tour --out report/ --quick --only action-potential,myelination
"""

from __future__ import annotations

import argparse

DEFAULT_OUT = "report"


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``tour`` subcommand to the CLI's subparsers."""
    p = sub.add_parser("tour", help="run every experiment into one HTML report",
                       description=__doc__.split("\n")[0], epilog=__doc__.split("\n", 1)[1],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", metavar="DIR", default=DEFAULT_OUT,
                   help=f"where to write index.html and the reports (default {DEFAULT_OUT}/)")
    p.add_argument("--quick", action="store_true", help="cheaper settings (each experiment's QUICK)")
    p.add_argument("--only", metavar="NAME,NAME", help="run only these experiments (comma-separated)")
    p.add_argument("--jobs", metavar="N", help="experiments at once, in worker processes "
                   "(default: one per core, at most 4; 1: one after the other)")
    return p


def run(args) -> int:
    """Run the tour for parsed ``args``; returns the exit status (0 all ran, 1 some failed)."""
    from excitable.interfaces.tour import run_tour

    only = None
    if args.only is not None:
        only = [n.strip() for n in args.only.split(",") if n.strip()]
        if not only:
            from excitable.errors import ModelError

            raise ModelError(f"--only expects experiment names separated by commas, got {args.only!r}")
    from excitable.interfaces.cli.arguments import check_out

    jobs = None
    if args.jobs is not None:
        try:
            jobs = int(args.jobs)
        except ValueError:
            jobs = 0
        if jobs < 1:
            from excitable.errors import ModelError

            raise ModelError(f"--jobs must be a whole number >= 1, got {args.jobs!r}")
    check_out(args.out)  # before the first experiment, not after an hour of them
    outcomes = run_tour(args.out, quick=args.quick, only=only, jobs=jobs)
    return int(any(not o.ok for o in outcomes))
