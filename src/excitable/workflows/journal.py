"""A sweep's journal (``DIR/sweep.jsonl``) and the lock that gives a folder to one sweep at a time.

The journal is JSON lines: first a header naming the sweep (``{"experiment": ..., "fixed": {...}}``:
the experiment and every parameter that is not a grid axis), then one record per finished grid
point (``{"point": {...}, "summary": {...}}`` or ``{"point": {...}, "error": "..."}``), appended and
synced to disk as each arrives. A sweep that keeps its traces (``--format nwb``) adds
``"traces": {"sha256": ..., "bytes": ...}``, naming the point's file in ``DIR/sweep.traces``
(``excitable.workflows.trace_store``), written before the row. A sweep resumes from the records
of a journal whose header is its own, and refuses one of another sweep (``fresh`` replaces it), so
rows of two settings never mix.

A process killed while appending leaves a last line without its newline. Loading drops it, and any
other line that is not a record, and rewrites the journal without them (atomically): the next
record then starts a line of its own, instead of continuing the torn one and being lost with it.

While a sweep runs, it holds an exclusive ``flock`` on ``DIR/.sweep.lock`` (the kernel drops it if
the process dies); a second sweep on the same folder is refused at once with one line.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from excitable.errors import ModelError

try:
    import fcntl
except ImportError:  # not POSIX: sweeps run unlocked
    fcntl = None

LOCK = ".sweep.lock"
#: Python's objects for a journal take about this many times its size on disk (measured: 8.6 for
#: action-potential's records), for the memory bound checked before a journal is read.
_MEMORY_PER_BYTE = 10


def key(point: dict) -> str:
    """A grid point as a dictionary key (the same point always gives the same string)."""
    return json.dumps(point, sort_keys=True)


class Journal:
    """The journal at ``path`` for the sweep named by ``header``.

    Attributes:
        done: key(point) -> record, for the points already finished (in the journal's order).
        dropped: lines that were not records (a torn last line, garbage) and were removed.
    """

    def __init__(self, path: Path, header: dict, fresh: bool = False):
        self.path = Path(path)
        self.done: dict[str, dict] = {}
        self.dropped = 0
        if fresh or not self.path.exists():
            self._rewrite(header)
            return
        lines, torn = self._read()
        first = _loads(lines[0]) if lines else None
        if lines and not (isinstance(first, dict) and isinstance(first.get("experiment"), str)):
            raise ModelError(f"--out {self.path.parent}: {self.path.name} does not start with a sweep's "
                             f"header; use another --out, or --fresh to replace it")
        if first is not None and first != header:
            raise ModelError(f"--out {self.path.parent}: {self.path.name} holds another sweep "
                             f"({_difference(first, header)}); use another --out, or --fresh to replace it")
        for line in lines[1:]:
            rec = _loads(line)
            if _is_record(rec):
                self.done[key(rec["point"])] = rec
            else:
                self.dropped += 1
        self.dropped += bool(torn)
        if self.dropped or not lines:
            self._rewrite(header)

    def _read(self) -> tuple[list[bytes], bytes]:
        """(the complete lines, what follows the last newline)."""
        from excitable import limits

        size = self.path.stat().st_size
        limits.check("memory", _MEMORY_PER_BYTE * size, f"reading {self.path} ({size} bytes)")
        complete, newline, torn = self.path.read_bytes().rpartition(b"\n")
        return (complete.split(b"\n") if newline else []), torn

    def _rewrite(self, header: dict) -> None:
        from excitable.results import atomic_write_text

        atomic_write_text(self.path, json.dumps(header) + "\n" +
                          "".join(json.dumps(r) + "\n" for r in self.done.values()))

    def add(self, rec: dict) -> None:
        """Append a finished point's record (on disk when this returns)."""
        with open(self.path, "a") as f:
            f.write(json.dumps(rec) + "\n")
            f.flush()
            os.fsync(f.fileno())
        self.done[key(rec["point"])] = rec


def _loads(line: bytes):
    try:
        return json.loads(line)
    except ValueError:  # also UnicodeDecodeError
        return None


def _is_record(rec) -> bool:
    return isinstance(rec, dict) and isinstance(rec.get("point"), dict) and (
        isinstance(rec.get("summary"), dict) or isinstance(rec.get("error"), str))


def _difference(old: dict, new: dict) -> str:
    if old.get("experiment") != new["experiment"]:
        return f"of {old.get('experiment')!r}"
    a, b = old.get("fixed") or {}, new["fixed"]
    if not isinstance(a, dict):
        return "other settings"
    diff = [f"{k} = {a.get(k, 'a grid axis')} there, {b.get(k, 'a grid axis')} now"
            for k in sorted(set(a) | set(b)) if a.get(k, "?") != b.get(k, "?")]
    return "; ".join(diff[:3]) or "other settings"


@contextlib.contextmanager
def locked(folder: Path):
    """Hold ``folder``'s sweep lock while the block runs; ModelError at once if another holds it.

    The lock file is removed on the way out (while still locked). A sweep that opened it just
    before then finds, once it holds the lock, that the file it locked is no longer the one in the
    folder, and starts again with a new file: so two sweeps never both hold "the" lock."""
    if fcntl is None:
        yield
        return
    path = Path(folder) / LOCK
    fd = _lock(path, folder)
    try:
        yield
    finally:
        if fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)
            os.close(fd)


def _lock(path: Path, folder) -> int | None:
    """The descriptor of the lock file at ``path``, locked by us; None where locks do not work."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError as e:
            raise ModelError(f"--out {folder}: cannot write there ({e.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip()
            os.close(fd)
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise ModelError(f"--out {folder}: another sweep{who} is writing there; wait for it to "
                             f"finish, or use another --out") from None
        except OSError:  # a file system without locks: go on without
            os.close(fd)
            return None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)  # removed or replaced by the sweep that held it: lock the one there now
