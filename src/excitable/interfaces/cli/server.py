"""The warm server: fast repeated ``excitable run`` by keeping JAX and the compiled programs in memory.

A new process that imports JAX pays ~0.5 s before it does anything, and a fresh process traces and
loads each compiled program again; a repeated ``excitable run action-potential`` in a process that
already ran it takes ~10 ms. So, as Gradle's daemon or mypy's dmypy, but without being asked:

1. ``excitable run ...`` first asks a server on a private Unix socket. If one answers, the command
   runs there, through the same ``main(argv)`` as in-process, in the client's working directory, and
   its stdout, stderr and exit status come back as they happen (the progress bar shows when the
   client's stderr is a terminal). The client is this module alone: it imports no JAX or NumPy.
2. If none answers, the command runs in-process as always; afterwards a server is started in the
   background (detached, output to a log file next to its socket), which imports everything and
   runs the same command once to compile it. It leaves after ``EXCITABLE_SERVER_IDLE`` seconds
   (default 600) without work, or when excitable's sources change.
3. The server does one run at a time; a run that arrives while it works, or anything that goes
   wrong with it, runs in-process. The server never makes a command fail.

One server per *fingerprint*: the Python executable and version, excitable's source files (path,
size, mtime), the installed distributions and their versions, matplotlib's settings file, and the
environment variables that change results or the program and are read once per process
(``JAX_*``, ``XLA_*``, ``EXCITABLE_*`` except ``EXCITABLE_SERVER*``, ``MPLBACKEND``,
``CUDA_VISIBLE_DEVICES``, ``LANG``, ``LC_ALL``, ``LC_CTYPE``, ``PYTHONUTF8``, ``MATPLOTLIBRC``).
Each run takes the client's umask and the variables that say where files go (``HOME``, ``TMPDIR``,
``XDG_*``, ...; see ``_jobenv``) for its duration. The socket lies in a private
directory (created mode 0700): ``$EXCITABLE_SERVER_DIR``, else ``$XDG_RUNTIME_DIR/excitable``, else
``~/.cache/excitable/server``.

Switches::

    EXCITABLE_SERVER=0            never use or start a server (also off, no, false)
    EXCITABLE_SERVER_IDLE=600     seconds a server waits for work before it exits
    excitable server status       running for this fingerprint? pid, state, idle timeout
    excitable server start|stop   start one now (and wait until it is ready) / ask it to exit

Protocol: one request and then replies, each a frame of a 4-byte big-endian length and a JSON
value. Request ``{"op": "run"|"status"|"stop", "fingerprint", "argv", "cwd", "tty": [out, err],
"columns", "unbuffered", "umask", "env"}`` (the job runs with the client's umask and the variables
``_jobenv`` names); replies ``["ok"]`` (accepted), then ``["out", text]``, ``["err", text]``, and last
``["exit", status]``; or ``["busy"]``, ``["stale"]``, ``["decline"]`` (run it yourself),
``["status", {...}]``, ``["bye"]``. A client that closes its end cancels its run.

This module is the client side (standard library only) and the ``server`` subcommand; the server
process itself is ``_serve.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import struct
import sys
import time

from excitable.interfaces.cli import _jobenv

#: Environment variables that change results or the program, so a server only serves its own:
#: they are read once, when a process starts or imports a library (the locale's text encoding
#: among them). Those a job can take from its client instead are in ``_jobenv``.
_ENV_PREFIXES = ("JAX_", "XLA_", "EXCITABLE_")
_ENV_NAMES = ("MPLBACKEND", "CUDA_VISIBLE_DEVICES", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONUTF8", "MATPLOTLIBRC")
_SUN_PATH_MAX = 100  # Linux allows 107 bytes in sun_path, macOS 103; keep a margin
DEFAULT_IDLE_S = 600.0
#: The server compiles the command that started it only if that took less than this in-process:
#: for a longer run, compiling is a small part and running it again would only burn CPU.
WARM_MAX_S = 5.0
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ProtocolError(Exception):
    """The other side sent something that is not a frame of this protocol."""


# ---- paths and fingerprint (client side: standard library only) -----------------------------------

def enabled(environ=os.environ) -> bool:
    """False when ``EXCITABLE_SERVER`` says no, or the platform has no Unix sockets."""
    if environ.get("EXCITABLE_SERVER", "1").strip().lower() in ("0", "off", "no", "false"):
        return False
    return hasattr(socket, "AF_UNIX") and os.name == "posix"


def server_dir(environ=os.environ) -> str:
    if environ.get("EXCITABLE_SERVER_DIR"):
        return os.path.abspath(environ["EXCITABLE_SERVER_DIR"])
    if environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(environ["XDG_RUNTIME_DIR"], "excitable")
    return os.path.join(os.path.expanduser("~"), ".cache", "excitable", "server")


def fingerprint(environ=os.environ) -> str:
    """16 hex digits naming what a server runs: interpreter, sources, installed packages, environment."""
    h = hashlib.sha256()
    h.update(f"{sys.executable}\0{sys.version}\0".encode())
    stack = [PACKAGE_DIR]
    files = []
    while stack:  # os.scandir: no pathlib or glob to import, and stat results come with the listing
        with os.scandir(stack.pop()) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    if e.name != "__pycache__":
                        stack.append(e.path)
                elif not e.name.endswith((".pyc", ".pyo")):
                    st = e.stat()
                    files.append(f"{os.path.relpath(e.path, PACKAGE_DIR)}\0{st.st_size}\0{st.st_mtime_ns}")
    h.update("\n".join(sorted(files)).encode())
    # Installed distributions by name and version (pip install/upgrade/uninstall changes them).
    # Not the directory's mtime: the first import of a top-level module creates __pycache__ there.
    for path in _site_packages():
        try:
            with os.scandir(path) as entries:
                dists = sorted(e.name for e in entries if e.name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
        h.update(f"\n{path}\0{'/'.join(dists)}".encode())
    for name in sorted(environ):
        if (name.startswith(_ENV_PREFIXES) and not name.startswith("EXCITABLE_SERVER")) or name in _ENV_NAMES:
            h.update(f"\n{name}={environ[name]}".encode())
    h.update(f"\n{_matplotlibrc(environ)}".encode())
    return h.hexdigest()[:16]


def _matplotlibrc(environ) -> str:
    """The settings file matplotlib would read in a new process here (path, size, mtime), or "" for
    its defaults: it reads it once, at import, so a server serves only clients with the same one.
    The search is matplotlib's own (``matplotlib_fname``) but for ./matplotlibrc (a client that has
    one runs in-process): $MATPLOTLIBRC, then the configuration directory ($MPLCONFIGDIR, else
    $XDG_CONFIG_HOME/matplotlib or ~/.config/matplotlib; ~/.matplotlib off Linux)."""
    home = environ.get("HOME") or os.path.expanduser("~")
    candidates = []
    if "MATPLOTLIBRC" in environ:
        candidates += [environ["MATPLOTLIBRC"], os.path.join(environ["MATPLOTLIBRC"], "matplotlibrc")]
    if environ.get("MPLCONFIGDIR"):
        config = environ["MPLCONFIGDIR"]
    elif sys.platform.startswith(("linux", "freebsd")):
        config = os.path.join(environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"), "matplotlib")
    else:
        config = os.path.join(home, ".matplotlib")
    for path in [*candidates, os.path.join(config, "matplotlibrc")]:
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            continue
        if stat.S_ISREG(st.st_mode):
            return f"{os.path.abspath(path)}\0{st.st_size}\0{st.st_mtime_ns}"
    return ""


def _site_packages() -> list[str]:
    site = sys.modules.get("site")  # imported at start-up (unless python -S): nothing to load
    try:
        return list(site.getsitepackages()) if site else []
    except Exception:  # some embedded or frozen Pythons lack it
        return []


def paths(environ=os.environ, *, create: bool = False) -> dict[str, str] | None:
    """The socket, lock and log files for this fingerprint, or None where there can be no server
    (serving disabled, no Unix sockets, a path too long for a socket, or a directory that is not
    ours alone: anyone who can write there could plant a socket and receive our commands)."""
    if not enabled(environ):
        return None
    d = server_dir(environ)
    try:
        if create:
            os.makedirs(d, mode=0o700, exist_ok=True)
        st = os.lstat(d)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
        return None
    base = os.path.join(d, fingerprint(environ))
    if len(os.fsencode(base + ".sock")) > _SUN_PATH_MAX:
        return None
    return {"sock": base + ".sock", "lock": base + ".lock", "log": base + ".log", "dir": d}


# ---- framing --------------------------------------------------------------------------------------

def send_msg(sock: socket.socket, value) -> None:
    data = json.dumps(value, separators=(",", ":")).encode()
    sock.sendall(struct.pack(">I", len(data)) + data)


def recv_msg(sock: socket.socket):
    """The next value, or None when the other side closed the connection between frames."""
    head = _recv_exact(sock, 4)
    if head is None:
        return None
    (n,) = struct.unpack(">I", head)
    if n > 1 << 26:
        raise ProtocolError(f"frame of {n} bytes")
    data = _recv_exact(sock, n)
    if data is None:
        raise ProtocolError("connection closed inside a frame")
    try:
        return json.loads(data)
    except ValueError as e:
        raise ProtocolError(str(e)) from None


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            if buf:
                raise ProtocolError("connection closed inside a frame")
            return None
        buf += chunk
    return buf


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
        send_msg(sock, {"fingerprint": os.path.basename(where["sock"])[:-5], **request})
        return recv_msg(sock)
    except (OSError, ProtocolError):
        return None
    finally:
        sock.close()


# ---- client ---------------------------------------------------------------------------------------

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
    if sock is None:
        return None, True
    with sock:
        send_msg(sock, {"op": "run", "fingerprint": os.path.basename(where["sock"])[:-5],
                        "argv": argv, "cwd": os.getcwd(), "columns": _columns(), **_jobenv.capture(),
                        "tty": [_isatty(sys.stdout), _isatty(sys.stderr)],
                        "unbuffered": bool(getattr(sys.stdout, "write_through", False))})  # python -u
        reply = recv_msg(sock)
        if reply != ["ok"]:  # busy: run here, a server exists; stale or unknown: start one
            return None, reply != ["busy"]
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

    cmd = [sys.executable, "-m", "excitable.interfaces.cli.server", "--fingerprint",
           os.path.basename(where["sock"])[:-5]]
    if warm:
        cmd += ["--warm", json.dumps({"argv": warm, "cwd": os.getcwd()})]
    try:
        big = os.path.exists(where["log"]) and os.path.getsize(where["log"]) > 1 << 20
        with open(where["log"], "wb" if big else "ab") as log:  # a few lines per server
            # cwd: the directory holding the package, so `-m` imports the very same excitable
            return subprocess.Popen(cmd, cwd=os.path.dirname(PACKAGE_DIR), stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=log, start_new_session=True, close_fds=True)
    except OSError:
        return None


def command(action: str) -> int:
    """``excitable server start|stop|status``."""
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
        if _wait(lambda: not os.path.exists(where["sock"]), 30.0):
            print(f"excitable server: stopped (pid {status[1]['pid']})")
            return 0
        print("excitable server: asked to stop; it leaves after its current run")
        return 0
    proc = None
    if status is None and (proc := start_in_background()) is None:
        print("excitable server: could not start")
        return 1
    _wait(lambda: _state(ask(where, {"op": "status"})) == "ready"
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


def _wait(done, timeout: float) -> bool:
    t_end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > t_end:
            return False
        time.sleep(0.05)
    return True


if __name__ == "__main__":
    # Import ourselves by name: the server's state then lives in one module, not in `__main__`.
    from excitable.interfaces.cli import _serve

    sys.exit(_serve.main(sys.argv[1:]))
