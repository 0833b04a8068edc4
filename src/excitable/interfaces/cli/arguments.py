"""What every subcommand shares: one-line argument errors, ``--set``, ``--out``, and how errors end.

User errors print one line (``excitable: error: ...``) and exit with status ``USER_ERROR`` (2):
argparse's own (``Parser``), a ``ModelError`` (a bad value, an ``--out`` that cannot hold the reports,
a request beyond a limit), a file that cannot be written (a full disk) and memory running out
(``run_reporting_errors``). Standard library only at import: the client of the warm server and
``--help`` must not pay for JAX.
"""

from __future__ import annotations

import argparse
import os
import sys

#: The exit status of a command refused as a user error (argparse's too).
USER_ERROR = 2


class Parser(argparse.ArgumentParser):
    """argparse, but an error is one line and exit status 2 (argparse prints the usage too), and an
    ``epilog`` may be a function, called only when the help is shown (``run``'s list of experiments
    reads every declaration: a cost no other command should pay)."""

    def format_help(self):
        if callable(self.epilog):
            self.epilog = self.epilog()
        return super().format_help()

    def error(self, message):
        print(f"excitable: error: {message}", file=sys.stderr)
        raise SystemExit(USER_ERROR)


def parse_sets(items: list[str]) -> dict[str, str]:
    """``--set key=value`` items -> ``{key: value}`` (text; the experiment's declaration converts)."""
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


def run_reporting_errors(handler, args: argparse.Namespace) -> int:
    """``handler(args)``, the exit status of a subcommand; what a user can act on ends in one line
    (status 2, 1 for a run that failed, 130 for Ctrl-C); a bug keeps its traceback."""
    from excitable.errors import ModelError, SimulationError

    try:
        return handler(args)
    except ModelError as e:
        return fail(str(e))
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
        return fail(f"`excitable {args.command}{_named(args)}` could not write or read a file{where}: "
                    f"{e.strerror or e}")
    except Exception as e:  # noqa: BLE001 - only running out of memory is turned into a line
        if not _out_of_memory(e):
            raise  # a bug: its traceback is what a report needs
        detail = str(e).split("\n")[0][:200] if not isinstance(e, MemoryError) else "MemoryError"
        return fail(f"out of memory in `excitable {args.command}{_named(args)}` ({detail}): ask for "
                    f"less work (see `excitable --help`, Limits)")


def fail(message: str) -> int:
    """Print ``message`` as one ``excitable: error:`` line; returns ``USER_ERROR``."""
    print("excitable: error: " + " ".join(message.split("\n")), file=sys.stderr)  # always one line
    return USER_ERROR


def _out_of_memory(e: BaseException) -> bool:
    """MemoryError, or XLA's own (JAX raises ``JaxRuntimeError: RESOURCE_EXHAUSTED: Out of memory
    allocating N bytes``); recognised by name so that this module need not import JAX."""
    return isinstance(e, MemoryError) or (type(e).__name__ in ("JaxRuntimeError", "XlaRuntimeError")
                                          and str(e).startswith("RESOURCE_EXHAUSTED"))


def _named(args) -> str:
    return f" {args.name}" if getattr(args, "name", None) else ""
