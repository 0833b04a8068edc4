"""excitable server start|stop|status: the warm server by hand (it also starts by itself; see ``server/``).

  status   running for this fingerprint? pid, state, idle timeout, runs served, socket and log paths
  start    start one now and wait until it is ready (compiled); prints its status
  stop     ask it to exit (after its current run) and wait for it
"""

from __future__ import annotations

import argparse
import os


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``server`` subcommand to the CLI's subparsers."""
    p = sub.add_parser("server", help="the warm server for fast repeated runs")
    p.add_argument("action", choices=["start", "stop", "status"])
    return p


def run(args) -> int:
    """``excitable server ACTION``: 0 when done (or nothing to stop), 1 when there is none to show."""
    from excitable.interfaces.cli.server.client import ask, start_in_background
    from excitable.interfaces.cli.server.protocol import enabled, paths, server_dir, wait_until

    action = args.action
    where = paths(create=action == "start")
    if where is None:
        why = "disabled by EXCITABLE_SERVER" if not enabled() else \
            f"not available here ({server_dir()} must be ours, not writable by others, and short)"
        print(f"excitable server: {why}")
        return 1 if action != "stop" else 0
    status = ask(where, {"op": "status"})
    if action == "status":
        return _print_status(where, status)
    if action == "stop":
        if status is None or ask(where, {"op": "stop"}) != ["bye"]:
            print("excitable server: not running")
            return 0
        if wait_until(lambda: not os.path.exists(where["sock"]), 30.0):
            print(f"excitable server: stopped (pid {status[1]['pid']})")
            return 0
        print("excitable server: asked to stop; it leaves after its current run")
        return 0
    proc = None
    if status is None and (proc := start_in_background()) is None:
        print("excitable server: could not start")
        return 1
    wait_until(lambda: _state(ask(where, {"op": "status"})) == "ready"
               or (proc is not None and proc.poll() is not None), 120.0)  # ready, or it gave up
    return _print_status(where, ask(where, {"op": "status"}))


def _state(status) -> str | None:
    """The state in a status reply ("starting", "ready", "busy", "closing"), or None."""
    try:
        return status[1]["state"] if status[0] == "status" else None
    except (TypeError, IndexError, KeyError):
        return None


def _print_status(where: dict[str, str], status) -> int:
    if not isinstance(status, list) or len(status) != 2 or status[0] != "status":
        print(f"excitable server: not running (socket {where['sock']})")
        return 1
    s = status[1]
    print(f"excitable server: running ({s['state']}), pid {s['pid']}, idle timeout {s['idle_s']:g} s, "
          f"{s['runs']} runs served\n  socket {where['sock']}\n  log    {where['log']}")
    return 0
