"""The warm server's protocol: what the client and the server process agree on (standard library only).

One server per *fingerprint*: the Python executable and version, excitable's source files (path,
size, mtime), the installed distributions and their versions, matplotlib's settings file, and the
environment variables that change results or the program and are read once per process
(``JAX_*``, ``XLA_*``, ``EXCITABLE_*`` except ``EXCITABLE_SERVER*``, ``MPLBACKEND``,
``CUDA_VISIBLE_DEVICES``, ``LANG``, ``LC_ALL``, ``LC_CTYPE``, ``PYTHONUTF8``, ``MATPLOTLIBRC``).
Each run takes the client's umask and the variables that say where files go (``HOME``, ``TMPDIR``,
``XDG_*``, ...; see ``jobenv``) for its duration. The socket lies in a private
directory (created mode 0700): ``$EXCITABLE_SERVER_DIR``, else ``$XDG_RUNTIME_DIR/excitable``, else
``~/.cache/excitable/server``.

Protocol: one request and then replies, each a frame of a 4-byte big-endian length and a JSON
value. Request ``{"op": "run"|"status"|"stop", "fingerprint", "argv", "cwd", "tty": [out, err],
"columns", "unbuffered", "umask", "env"}`` (the job runs with the client's umask and the variables
``jobenv`` names); replies ``["ok"]`` (accepted), then ``["out", text]``, ``["err", text]``, and last
``["exit", status]``; or ``["busy"]`` (``["busy", "starting"]`` during the warm-up), ``["stale"]``,
``["decline"]`` (run it yourself),
``["status", {...}]``, ``["bye"]``. A client that closes its end cancels its run.
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

#: Environment variables that change results or the program, so a server only serves its own:
#: they are read once, when a process starts or imports a library (the locale's text encoding
#: among them). Those a job can take from its client instead are in ``jobenv``.
_ENV_PREFIXES = ("JAX_", "XLA_", "EXCITABLE_")
_ENV_NAMES = ("MPLBACKEND", "CUDA_VISIBLE_DEVICES", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONUTF8", "MATPLOTLIBRC")
_SUN_PATH_MAX = 100  # Linux allows 107 bytes in sun_path, macOS 103; keep a margin
DEFAULT_IDLE_S = 600.0
#: src/excitable, whose files the fingerprint reads (this file is interfaces/cli/server/protocol.py there).
PACKAGE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


class ProtocolError(Exception):
    """The other side sent something that is not a frame of this protocol."""


# ---- paths and fingerprint -----------------------------------------------------------------------

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
    """The socket, lock and log files for this fingerprint (and ``"dir"``, ``"fingerprint"``), or
    None where there can be no server
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
    fp = fingerprint(environ)
    base = os.path.join(d, fp)
    if len(os.fsencode(base + ".sock")) > _SUN_PATH_MAX:
        return None
    return {"sock": base + ".sock", "lock": base + ".lock", "log": base + ".log", "dir": d, "fingerprint": fp}


# ---- framing --------------------------------------------------------------------------------------

def send_msg(sock: socket.socket, value) -> None:
    """One frame: ``value`` as JSON, after its length (4 bytes, big-endian)."""
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


def wait_until(done, timeout: float) -> bool:
    """Poll ``done()`` every 50 ms for up to ``timeout`` seconds; whether it came true."""
    t_end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > t_end:
            return False
        time.sleep(0.05)
    return True
