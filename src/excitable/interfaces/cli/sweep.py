"""excitable sweep: run an experiment over a parameter grid into one tidy table and a figure.

  excitable sweep NAME --grid KEY=A:B:N [--grid KEY=V1,V2 ...] [--set KEY=VALUE ...] --out DIR
                       [--scheduler ADDRESS] [--batch N] [--plot FIELD ...] [--fresh] [--format nwb]

--grid KEY=A:B:N gives N values from A to B (ends included); KEY=V1,V2,... lists them (also for text
parameters such as model=hh,textbook). Every combination of the axes is one run of the experiment.
DIR/sweep.csv has one row per grid point: the grid values, then the experiment's scalar summary fields
(and an error column for points the experiment rejected). DIR/sweep.png shows them: lines for one
axis, heat maps for two. Rows are appended to DIR/sweep.jsonl as they finish, so an interrupted sweep
keeps its results, and running the same command again computes only the points still missing
(--fresh starts over). --format nwb also writes DIR/sweep.nwb: every point's traces, one current-clamp
sweep per point, the grid values in its recordings table. The traces come back from the Dask workers
with the rows and are kept in DIR/sweep.traces/ (numpy .npz, one file per point), so a resumed sweep
runs nothing twice; points the journal holds without traces (a sweep without --format nwb, or an
older version) run again, with a note. Their size is bounded before the first point runs.

--scheduler ADDRESS sends the points to a Dask cluster (tcp://host:8786) in batches of --batch points
per task; a task whose worker dies is rescheduled. Without it the sweep runs here.

Example: excitable sweep action-potential --grid amplitude=5:40:8 --grid gNa_scale=0.5:1.5:5
         --set tstop=20 --out ap-sweep/
"""

from __future__ import annotations

import argparse


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``sweep`` subcommand to the CLI's subparsers."""
    p = sub.add_parser("sweep", help="run an experiment over a parameter grid",
                       description=__doc__.split("\n")[0], epilog=__doc__.split("\n", 1)[1],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", help="the experiment (see `excitable list`)")
    p.add_argument("--grid", action="append", default=[], metavar="KEY=A:B:N",
                   help="a grid axis: KEY=A:B:N or KEY=V1,V2,... (repeatable)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a fixed parameter (repeatable)")
    p.add_argument("--out", metavar="DIR", required=True, help="where to write sweep.csv, sweep.png")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler (tcp://host:8786)")
    p.add_argument("--batch", type=int, metavar="N", help="grid points per Dask task")
    p.add_argument("--plot", action="append", metavar="FIELD", help="summary field to draw (repeatable)")
    p.add_argument("--fresh", action="store_true", help="ignore rows already in DIR and start over")
    p.add_argument("--format", choices=("csv", "nwb"), default="csv",
                   help="nwb: DIR also gets sweep.nwb, every point's traces (pip install 'excitable[nwb]')")
    return p


def run(args) -> int:
    """Run the sweep for parsed ``args``. Everything that can be refused is refused before the first
    point runs: the name, the grid (its size counted before it is built), the fixed values, --out."""
    from excitable import experiments
    from excitable.errors import ModelError
    from excitable.interfaces.cli.arguments import check_out, parse_sets
    from excitable.workflows.sweeping import grid_points, parse_axis

    declared = experiments.declaration(args.name)  # unknown name: one line, exit 2
    if not args.grid:
        raise ModelError("sweep: give at least one --grid KEY=A:B:N")
    if args.batch is not None and args.batch < 1:
        raise ModelError(f"--batch must be >= 1, got {args.batch}")
    axes = [parse_axis(spec, args.name) for spec in args.grid]
    grid_points(axes)  # the size and repeated keys, before anything is written
    sets = parse_sets(args.set)
    clash = sorted(set(sets) & {a.key for a in axes})
    if clash:
        raise ModelError(f"{clash[0]!r} is both a --grid axis and a --set value")
    declared.resolve(sets)
    check_out(args.out)
    nwb = getattr(args, "format", "csv") == "nwb"
    if nwb:
        from excitable.interfaces.cli import nwb_output

        nwb_output.check_available()  # before any point runs
    from excitable.progress import StderrBar
    from excitable.workflows.sweeping import sweep

    res = sweep(args.name, axes, sets=sets, out=args.out, scheduler=args.scheduler,
                batch_size=args.batch, fresh=args.fresh, plot=args.plot,
                progress=StderrBar(label=f"sweep {args.name}"), traces=nwb)
    if nwb:
        fixed = {k: v for k, v in declared.resolve(sets).items() if k not in {a.key for a in axes}}
        res.files.append(nwb_output.write_sweep(declared, fixed, args.out, res))
    errors = sum("error" in r for r in res.rows)
    note = f", {errors} with errors" if errors else ""
    if res.dropped:  # a torn last line (the sweep before was killed while writing): repaired
        note += f"; dropped {res.dropped} unreadable line{'s' * (res.dropped > 1)} of sweep.jsonl"
    if res.rerun:  # a journal written without --format nwb (or by an older version) has no traces
        note += (f"; {res.rerun} point{'s' * (res.rerun > 1)} of sweep.jsonl had no stored traces "
                 f"and ran again for sweep.nwb")
    print(f"{len(res.rows)} grid points ({res.computed} computed now{note}); wrote "
          + ", ".join(f"{args.out.rstrip('/')}/{f}" for f in res.files))
    return 0
