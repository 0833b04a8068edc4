"""excitable: run the experiments of how neurons signal.

  excitable list                                  one line per experiment
  excitable run NAME [--set key=value ...]        run one; --json prints the summary as JSON
                     [--json] [--out DIR]         --out writes summary.json, traces.csv, figure.png/.svg
  excitable run NAME --params                     the experiment's parameters, units and defaults
  excitable tour [--out DIR] [--quick] [--only A,B]  every experiment into one HTML page, DIR/index.html
  excitable sweep NAME --grid KEY=A:B:N ... --out DIR  a parameter grid into DIR/sweep.csv + sweep.png
  excitable lab [--port N] [--no-browser]         every experiment live in the browser (a local web app)
  excitable server start|stop|status              the warm server that makes repeated runs fast
  excitable mod check FILE.mod ...                what excitable makes of NMODL files (parameters, ions, refusals)

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
the idle time (see excitable/interfaces/cli/server/).
"""

# Where things live: this module assembles the parser from one module per subcommand (listing, run,
# tour, sweep, server_command: each an ``add_parser(sub)`` and a ``run(args)``), dispatches, and is the
# console entry point; what they share (one-line errors, --set, --out) is ``arguments``; the warm
# server is the ``server`` package. The subcommands are imported inside the functions: a served run
# (``entry`` -> ``server.client``) imports none of them, nor argparse.

from __future__ import annotations

import os
import sys
import time


def _epilog() -> str:
    from excitable.limits import LIMITS

    rows = [f"  {spec.variable:28s} default {spec.default / spec.scale:g} "
            f"{'MB' if spec.scale == 2**20 else spec.unit}" for spec in LIMITS.values()]
    rows.append(f"  {'EXCITABLE_LIMITS=off':28s} no limit at all")
    return __doc__.split("\n", 1)[1].replace("{limits}", "\n".join(rows))


def build_parser():
    """The ``excitable`` argument parser; each subcommand's ``run`` is its ``handler`` default."""
    import argparse

    from excitable.interfaces.cli import lab_command, listing, mod_command, run, server_command, sweep, tour
    from excitable.interfaces.cli.arguments import Parser

    parser = Parser(prog="excitable", description=__doc__.split("\n")[0],
                    epilog=_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in (listing, run, tour, sweep, lab_command, server_command, mod_command):  # the order of `excitable --help`
        command.add_parser(sub).set_defaults(handler=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """``excitable argv`` in this process: the exit status (argparse's errors raise SystemExit)."""
    from excitable.interfaces.cli.arguments import run_reporting_errors

    args = build_parser().parse_args(argv)
    return run_reporting_errors(args.handler, args)


def entry() -> None:
    """Console-script entry point: run, flush, and leave without Python's slow interpreter teardown
    (JAX's shutdown costs ~0.2 s; every file we write is already closed and renamed by then).

    ``run`` goes to the warm server when one is up (``server.client``; this path imports no JAX or
    NumPy); otherwise it runs here, and then starts a server in the background for the next time,
    unless the command was refused (exit status 2: a bad --set is no reason to load JAX).
    """
    argv = sys.argv[1:]
    rc, start = None, False
    from excitable.interfaces.cli import neuron_guard

    if neuron_guard.wanted(argv):  # NEURON crashing (a signal) becomes one line (neuron_guard.py)
        sys.stdout.flush()
        os._exit(neuron_guard.compare_in_child(argv))
    if argv[:1] == ["run"]:
        from excitable.interfaces.cli.server import client

        rc, start = client.run_via_server(argv)
    if rc is None:
        t0 = time.perf_counter()
        try:
            rc = main(argv)
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:  # `excitable run ... --json | head`: the reader left; not an error of ours
            rc = 0
        from excitable.interfaces.cli.arguments import USER_ERROR

        if start and rc != USER_ERROR:
            client.start_in_background(warm=argv if time.perf_counter() - t0 < client.WARM_MAX_S else None)
    else:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:
            pass
    os._exit(rc)
