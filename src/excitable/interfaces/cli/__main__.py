"""excitable: run the experiments of how neurons signal.

  excitable list                                  one line per experiment
  excitable run NAME [--set key=value ...]        run one; --json prints the summary as JSON
                     [--json] [--out DIR]         --out writes summary.json, traces.csv, figure.png/.svg
  excitable run NAME --params                     the experiment's parameters, units and defaults
  excitable tour [--out DIR] [--quick] [--only A,B]  every experiment into one HTML page, DIR/index.html
  excitable sweep NAME --grid KEY=A:B:N ... --out DIR  a parameter grid into DIR/sweep.csv + sweep.png
  excitable server start|stop|status              the warm server that makes repeated runs fast

Example: excitable run action-potential --set amplitude=20 --set temperature=18.5 --out ap/
User errors print one line and exit with status 2: a bad value, an --out that cannot hold the
reports (checked before any work), a full disk, memory running out, and a request beyond a limit.

Limits: before it starts, a run estimates its work and a sweep counts its grid; beyond a limit it is
refused with the estimate in the message (a typo like tstop=1e9 must not swap for minutes). Who means
it raises a limit with an environment variable (see excitable/limits.py):
{limits}

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


def _epilog() -> str:
    from excitable.limits import LIMITS

    rows = [f"  {spec.variable:28s} default {spec.default / spec.scale:g} "
            f"{'MB' if spec.scale == 2**20 else spec.unit}" for spec in LIMITS.values()]
    rows.append(f"  {'EXCITABLE_LIMITS=off':28s} no limit at all")
    return __doc__.split("\n", 1)[1].replace("{limits}", "\n".join(rows))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="excitable", description=__doc__.split("\n")[0],
                     epilog=_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
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


def check_out(value: str, *, beside: bool = False):
    """The ``--out`` folder, refused with a one-line ModelError if it cannot hold the reports.

    Checked before any work (a run may compute for minutes): ``value`` must be a directory, or a path
    whose nearest existing ancestor is a directory we can create folders in. Writability is probed by
    making and removing an empty folder there (``os.access`` says yes to root even where nothing can
    be written, e.g. under ``/proc``). ``beside``: the reports are first written into a temporary
    folder beside ``value`` (``Result.save``), so its parent must take one too. Nothing is created.
    Returns the ``pathlib.Path``.
    """
    import tempfile
    from pathlib import Path

    from excitable.errors import ModelError

    def refuse(why: str):
        raise ModelError(f"--out {value!r}: {why}")

    if not value.strip():
        refuse("give a directory")
    if "\0" in value:
        refuse("a path cannot hold a NUL character")
    path = Path(value)
    try:
        if path.exists() and not path.is_dir():
            refuse("is a file, not a directory")
        if os.path.lexists(path) and not path.exists():
            refuse("is a symbolic link to nothing")
        probe = [path] if path.exists() else []
        if beside or not probe:  # the nearest ancestor that exists: where the first folder is made
            parent = path.parent  # as Result.save takes it (`--out .` writes beside itself, in .)
            while not parent.exists():
                parent = parent.parent
            if not parent.is_dir():
                refuse(f"{str(parent)!r} is a file, not a directory")
            probe.append(parent)
        for folder in dict.fromkeys(probe):
            try:
                os.rmdir(tempfile.mkdtemp(dir=folder, prefix=".excitable-probe-"))
            except OSError as e:
                refuse(f"cannot write in {str(folder)!r} ({e.strerror or e})")
    except OSError as e:  # e.g. a name too long for the file system
        refuse(e.strerror or str(e))
    return path


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from excitable.errors import ModelError, SimulationError

    try:
        return _dispatch(args)
    except ModelError as e:
        return _fail(str(e))
    except SimulationError as e:
        print(f"excitable: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("excitable: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # our reader left (`| head`): entry() treats it as success
        raise
    except OSError as e:  # the disk filled up, a folder vanished...: what failed, in one line
        where = f" ({e.filename})" if e.filename else ""
        return _fail(f"`excitable {args.command}{_named(args)}` could not write or read a file{where}: "
                     f"{e.strerror or e}")
    except Exception as e:  # noqa: BLE001 - only running out of memory is turned into a line
        if not _out_of_memory(e):
            raise  # a bug: its traceback is what a report needs
        detail = str(e).split("\n")[0][:200] if not isinstance(e, MemoryError) else "MemoryError"
        return _fail(f"out of memory in `excitable {args.command}{_named(args)}` ({detail}): ask for "
                     f"less work (see `excitable --help`, Limits)")


def _out_of_memory(e: BaseException) -> bool:
    """MemoryError, or XLA's own (JAX raises ``JaxRuntimeError: RESOURCE_EXHAUSTED: Out of memory
    allocating N bytes``); recognised by name so that this module need not import JAX."""
    return isinstance(e, MemoryError) or (type(e).__name__ in ("JaxRuntimeError", "XlaRuntimeError")
                                          and str(e).startswith("RESOURCE_EXHAUSTED"))


def _fail(message: str) -> int:
    print("excitable: error: " + " ".join(message.split("\n")), file=sys.stderr)  # always one line
    return 2


def _named(args) -> str:
    return f" {args.name}" if getattr(args, "name", None) else ""


def _dispatch(args) -> int:
    if args.command == "server":
        from excitable.interfaces.cli import server

        return server.command(args.action)
    from excitable import experiments

    if args.command == "list":
        for name in experiments.names():
            try:
                question = experiments.declaration(name).question
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
    # The declaration first: listing the parameters or refusing one needs no JAX (milliseconds).
    declared = experiments.declaration(args.name)
    if args.params:
        print(declared.describe())
        return 0
    params = declared.resolve(parse_sets(args.set))
    if args.out is not None:
        check_out(args.out, beside=True)
    exp = experiments.get(args.name)
    from excitable.progress import StderrBar, reporting

    with StderrBar(label=args.name) as bar, reporting(bar):
        result = exp.run(**params)
    if args.out is not None:
        try:
            result.save(args.out)  # all or nothing: written beside it, then renamed into place
        except OSError as e:
            from excitable.errors import ModelError

            raise ModelError(f"--out {args.out!r}: the report could not be saved ({e.strerror or e}); "
                             f"nothing was written") from None
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
