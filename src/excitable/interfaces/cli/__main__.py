"""excitable: run the experiments of how neurons signal.

  excitable list                                  one line per experiment
  excitable run NAME [--set key=value ...]        run one; --json prints the summary as JSON
                     [--json] [--out DIR]         --out writes summary.json, traces.csv, figure.png/.svg
  excitable run NAME --params                     the experiment's parameters, units and defaults
  excitable tour [--out DIR] [--quick] [--only A,B]  every experiment into one HTML page, DIR/index.html
  excitable sweep NAME --grid KEY=A:B:N ... --out DIR  a parameter grid into DIR/sweep.csv + sweep.png
  excitable server start|stop|status              the warm server that makes repeated runs fast

Example: excitable run action-potential --set amplitude=20 --set temperature=18.5 --out ap/
User errors print one line and exit with status 2.

A first `excitable run` starts a warm server in the background, which keeps JAX and the compiled
programs in memory and leaves after 10 idle minutes; later runs are sent to it (~0.05 s instead of
~0.6 s), with the same output. EXCITABLE_SERVER=0 turns it off, EXCITABLE_SERVER_IDLE=SECONDS sets
the idle time (see excitable/interfaces/cli/server.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse would print the usage too)
        print(f"excitable: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="excitable", description=__doc__.split("\n")[0],
                     epilog=__doc__.split("\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("list", help="list the experiments")
    run = sub.add_parser("run", help="run an experiment")
    run.add_argument("name")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="set a parameter (repeatable)")
    run.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    run.add_argument("--out", metavar="DIR", help="write summary.json, traces.csv, figure.png/.svg")
    run.add_argument("--params", action="store_true", help="list the parameters and exit")
    from excitable.interfaces.cli import tour

    tour.add_parser(sub)
    from excitable.interfaces.cli import sweep

    sweep.add_parser(sub)
    server = sub.add_parser("server", help="the warm server for fast repeated runs")
    server.add_argument("action", choices=["start", "stop", "status"])
    return parser


def parse_sets(items: list[str]) -> dict[str, str]:
    from excitable.errors import ModelError

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ModelError(f"--set expects key=value, got {item!r}")
        out[key.strip()] = value.strip()
    return out


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from excitable.errors import ModelError, SimulationError

    try:
        return _dispatch(args)
    except ModelError as e:
        print(f"excitable: error: {e}", file=sys.stderr)
        return 2
    except SimulationError as e:
        print(f"excitable: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("excitable: interrupted", file=sys.stderr)
        return 130


def _dispatch(args) -> int:
    if args.command == "server":
        from excitable.interfaces.cli import server

        return server.command(args.action)
    from excitable import experiments

    if args.command == "list":
        for name in experiments.names():
            try:
                question = experiments.get(name).EXPERIMENT.question
            except Exception as e:  # one broken module should not hide the others
                question = f"(cannot be loaded: {type(e).__name__}: {e})"
            print(f"{name:22s} {question}")
        return 0
    if args.command == "tour":
        from excitable.interfaces.cli import tour

        return tour.run(args)
    if args.command == "sweep":
        from excitable.interfaces.cli import sweep

        return sweep.run(args)
    exp = experiments.get(args.name)
    if args.params:
        print(exp.EXPERIMENT.describe())
        return 0
    params = exp.EXPERIMENT.resolve(parse_sets(args.set))
    from excitable.progress import StderrBar, reporting

    with StderrBar(label=args.name) as bar, reporting(bar):
        result = exp.run(**params)
    if args.out:
        result.save(args.out)
    if args.json:
        print(json.dumps(_jsonable(result.summary)))
    else:
        _print_summary(result)
        if args.out:
            print(f"wrote {args.out}/summary.json, traces.csv, figure.png, figure.svg")
    return 0


def _jsonable(summary):
    from excitable.results import jsonable

    return jsonable(summary)


def _print_summary(result) -> None:
    for key, value in _jsonable(result.summary).items():
        if isinstance(value, list) and len(value) > 8:
            value = f"[{len(value)} values]"
        elif isinstance(value, float):
            value = f"{value:.6g}"
        print(f"{key:32s} {value}")


def entry() -> None:
    """Console-script entry point: run, flush, and leave without Python's slow interpreter teardown
    (JAX's shutdown costs ~0.2 s; every file we write is already closed and renamed by then).

    ``run`` goes to the warm server when one is up (``server.py``; this path imports no JAX or NumPy);
    otherwise it runs here, and then starts a server in the background for the next time.
    """
    argv = sys.argv[1:]
    rc, start = None, False
    if argv[:1] == ["run"]:
        from excitable.interfaces.cli import server

        rc, start = server.run_via_server(argv)
    if rc is None:
        t0 = time.perf_counter()
        try:
            rc = main(argv)
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:  # `excitable run ... --json | head`: the reader left; not an error of ours
            rc = 0
        if start:
            server.start_in_background(warm=argv if time.perf_counter() - t0 < server.WARM_MAX_S else None)
    else:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:
            pass
    os._exit(rc)


if __name__ == "__main__":
    entry()
