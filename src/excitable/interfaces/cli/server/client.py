"""The warm server's client: what ``excitable run`` does before it runs anything itself.

Standard library only, and nothing of excitable beyond ``protocol`` and ``jobenv``: a served run must
not import JAX or NumPy (it takes ~0.05 s instead of ~0.6 s). See the package's docstring for what
the server is, ``protocol`` for the messages.
"""

from __future__ import annotations

import json
import os
import socket
import sys

from excitable.interfaces.cli.server import jobenv
from excitable.interfaces.cli.server.protocol import (PACKAGE_DIR, ProtocolError, enabled, paths, recv_msg,
                                                       send_msg)

#: The server compiles the command that started it only if that took less than this in-process:
#: for a longer run, compiling is a small part and running it again would only burn CPU.
WARM_MAX_S = 5.0
#: ``python -m`` this starts the server process (``daemon.main``).
DAEMON_MODULE = "excitable.interfaces.cli.server"


def connect(where: dict[str, str], timeout: float = 5.0) -> socket.socket | None:
    """A connection to the server at ``where``, or None if none listens there."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(where["sock"])
    except OSError:
        sock.close()
        return None
    return sock


def ask(where: dict[str, str], request: dict, timeout: float = 5.0):
    """One request, one reply (status, stop); None if there is no server or it did not answer."""
    sock = connect(where, timeout)
    if sock is None:
        return None
    try:
        send_msg(sock, {"fingerprint": where["fingerprint"], **request})
        return recv_msg(sock)
    except (OSError, ProtocolError):
        return None
    finally:
        sock.close()


def run_via_server(argv: list[str]) -> tuple[int | None, bool]:
    """Run ``excitable`` ``argv`` on the server: (exit status, or None to run it in-process instead;
    whether to start a server in the background afterwards)."""
    wrote_out = [False]
    try:
        return _run_served(argv, wrote_out)
    except KeyboardInterrupt:  # closing the socket (done) cancels the run on the server
        print("excitable: interrupted", file=sys.stderr)
        return 130, False
    except BrokenPipeError:  # our reader left (`| head`), as in-process: not an error
        return 0, False
    except Exception:  # a broken server or protocol, or a bug here: never a reason to fail
        pass
    if wrote_out[0]:  # running it again would print the output twice
        print("excitable: the server went away during the run; run it again", file=sys.stderr)
        return 1, True
    return None, True


def _run_served(argv: list[str], wrote_out: list[bool]) -> tuple[int | None, bool]:
    if os.path.isfile("matplotlibrc"):  # matplotlib reads this in our directory, not the server's
        return None, False
    where = paths()
    if where is None:  # off, or no directory yet (start_in_background makes it), or unusable
        return None, enabled()
    sock = connect(where)
    if sock is None:  # none listens: none runs, or one is starting and not listening yet
        if _lock_held(where):
            note_starting()
            return None, False
        return None, True
    with sock:
        send_msg(sock, {"op": "run", "fingerprint": where["fingerprint"],
                        "argv": argv, "cwd": os.getcwd(), "columns": _columns(), **jobenv.capture(),
                        "tty": [_isatty(sys.stdout), _isatty(sys.stderr)],
                        "unbuffered": bool(getattr(sys.stdout, "write_through", False))})  # python -u
        reply = recv_msg(sock)
        if reply == ["busy", "starting"]:
            note_starting()
        if reply != ["ok"]:  # busy: run here, a server exists; stale or unknown: start one
            return None, not (isinstance(reply, list) and reply[:1] == ["busy"])
        sock.settimeout(None)  # from now on the run takes as long as it takes
        while True:
            msg = recv_msg(sock)
            if not isinstance(msg, list) or not msg:
                break
            if msg[0] == "out":
                wrote_out[0] = True
                sys.stdout.write(msg[1])
                sys.stdout.flush()
            elif msg[0] == "err":
                sys.stderr.write(msg[1])
                sys.stderr.flush()
            elif msg[0] == "exit":
                return int(msg[1]), False
            else:  # "decline" (it cannot run this one) or something unknown
                break
    raise ProtocolError("no exit status")


def note_starting() -> None:
    """Say in one line why this run takes seconds (it imports JAX and compiles here, beside the
    server's own warm-up) when the next will take ~0.05 s: a silent wait reads as a hang."""
    print("excitable: the warm server is still starting; running here this time (a few seconds)",
          file=sys.stderr)


def _lock_held(where: dict[str, str]) -> bool:
    """Whether a server holds the lock of ``where``: it is starting (or leaving) but not listening."""
    import fcntl

    try:
        fd = os.open(where["lock"], os.O_RDWR)
    except OSError:  # no lock file: no server was ever started here
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)  # at once: a server that starts now waits up to 3 s for it
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _columns() -> int:
    import shutil

    return shutil.get_terminal_size().columns  # what argparse asks, for the same help layout


def start_in_background(warm: list[str] | None = None):
    """Start a detached server (no waiting): its Popen, or None. ``warm``: a command it runs once
    to compile it."""
    where = paths(create=True)
    if where is None:
        return None
    import subprocess

    cmd = [sys.executable, "-m", DAEMON_MODULE, "--fingerprint", where["fingerprint"]]
    if warm:
        cmd += ["--warm", json.dumps({"argv": warm, "cwd": os.getcwd()})]
    # The server's lock, taken here and handed over: from this moment a client sees a server starting
    # (``_lock_held``), not none, even before the new process has imported anything. If another holds
    # it, the new process waits for it as before (and leaves if a server serves).
    lock_fd = _take_lock(where)
    if lock_fd is not None:
        cmd += ["--lock-fd", str(lock_fd)]
    try:
        big = os.path.exists(where["log"]) and os.path.getsize(where["log"]) > 1 << 20
        with open(where["log"], "wb" if big else "ab") as log:  # a few lines per server
            # cwd: the directory holding the package, so `-m` imports the very same excitable
            return subprocess.Popen(cmd, cwd=os.path.dirname(PACKAGE_DIR), stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=log, start_new_session=True, close_fds=True,
                                    pass_fds=() if lock_fd is None else (lock_fd,))
    except OSError:
        return None
    finally:
        if lock_fd is not None:
            os.close(lock_fd)  # the child's copy holds the lock (flock belongs to the open file)


def _take_lock(where: dict[str, str]) -> int | None:
    """The lock file of ``where`` opened and locked (its fd), or None if another holds it."""
    import fcntl

    try:
        fd = os.open(where["lock"], os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except OSError:
        os.close(fd)
        return None
