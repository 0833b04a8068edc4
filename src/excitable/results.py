"""Result: the traces of a run, the measured quantities, and how to save them (atomically)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import shutil
import stat
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from excitable.errors import ModelError


class UnknownTrace(ModelError, KeyError):
    """``result[label]`` for a label that was not recorded: a one-line ModelError naming the ones that
    were, and still a KeyError for code that looks a trace up and falls back."""

    __str__ = Exception.__str__  # the message as written (KeyError's would quote it)


@dataclass
class Result:
    """What a simulation or experiment returns.

    Attributes:
        t: sample times, ms.
        traces: label -> samples (same length as ``t``); labels carry units, e.g. "v_soma (mV)".
        summary: measured quantities (JSON-serializable; keys end in their unit: ``rest_mV``).
        name: the experiment that made it.
        meta: parameters and provenance.
        netcons: NEURON's per-NetCon values after the run (``netcon``).
    """

    t: np.ndarray
    traces: dict[str, np.ndarray]
    summary: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    plotter: Any = None
    spikes: dict[int, np.ndarray] = field(default_factory=dict)
    netcons: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def __getitem__(self, label: str) -> np.ndarray:
        try:
            return self.traces[label]
        except KeyError:
            raise UnknownTrace(f"no trace {label!r} in this result; recorded: {', '.join(self.traces)}") from None

    def netcon(self, mechanism: str, name: str = "weight") -> np.ndarray:
        """Each connection's value of a per-NetCon quantity after the run, in the order the
        Network added the connections onto ``mechanism`` (an imported point process): ``"weight"``
        where its NET_RECEIVE writes the weight (plasticity: NEURON's ``NetCon.weight[0]`` after
        the run, µS for a conductance synapse), or one of NET_RECEIVE's arguments after the weight
        (``NetCon.weight[1]``, ...). Kept by ``Simulation.run``; a batch keeps none.

        Example:
            >>> res = sim.run(100.0)
            >>> res.netcon("ev_stdp", "weight")   # array([0.0042, 0.0061])
        """
        kept = self.netcons.get(mechanism, {})
        if name not in kept:
            have = "; ".join(f"{m}: {', '.join(v)}" for m, v in self.netcons.items()) or "none"
            raise ModelError(f"netcon: {mechanism!r} keeps no per-connection {name!r} in this result (only a "
                             f"NET_RECEIVE that writes its weight keeps it, and its arguments after it); kept: {have}")
        return kept[name]

    def to_dataframe(self):
        """The 1-D traces as a pandas DataFrame indexed by time ("t (ms)"), one column per signal.

        Example:
            >>> df = experiments.run("action-potential").to_dataframe()
            >>> df[["v", "HH.m"]].plot()
        """
        import pandas as pd

        cols = {k: np.asarray(v) for k, v in self.traces.items() if np.ndim(v) == 1}
        return pd.DataFrame(cols, index=pd.Index(np.asarray(self.t), name="t (ms)"))

    def figure(self):
        """The experiment's figure (a matplotlib Figure)."""
        if self.plotter is None:
            raise ValueError("this result has no figure")
        return self.plotter(self)

    def to_json(self) -> str:
        """The summary as JSON, floats to ``SUMMARY_DIGITS`` significant digits."""
        return json.dumps(jsonable(self.summary, SUMMARY_DIGITS), indent=2, sort_keys=False)

    def csv_text(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        flat = {k: v for k, v in self.traces.items() if np.ndim(v) == 1}  # 2-D maps go elsewhere
        w.writerow(["t (ms)", *flat])
        cols = [self.t, *flat.values()]
        for row in zip(*cols):
            w.writerow([f"{x:.10g}" for x in row])
        return buf.getvalue()

    def save(self, out_dir, *, figure: bool = True, extra_files=None) -> Path:
        """Write summary.json, traces.csv and figure.png/.svg into ``out_dir``.

        ``extra_files``: file name -> ``write(path)``, more files of the same report (the NWB file of
        ``excitable run --format nwb``), written into the temporary folder with the others.

        Everything is first written into a temporary folder beside ``out_dir``; only when all of it
        succeeded does it move into place, so a failure never leaves a half-written report: a new
        ``out_dir`` appears whole (one rename), an existing one gets each file replaced whole,
        summary.json last, and loses the report files this save did not write (a figure of an
        earlier run). Files and folders get the usual modes (0666/0777 less the umask). Leftovers of
        a save that was killed (``.NAME.tmp-PID-...``) are removed by the next save beside them.
        """
        out = Path(out_dir)
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(out.parent, out.name)
        tmp = _temp_dir(out.parent, out.name)
        try:
            (tmp / "summary.json").write_text(self.to_json() + "\n")
            (tmp / "traces.csv").write_text(self.csv_text())
            for name, write in (extra_files or {}).items():
                write(tmp / name)
            if figure and self.plotter is not None:
                import matplotlib.pyplot as plt

                fig = self.figure()
                for ext in ("png", "svg"):
                    fig.savefig(tmp / f"figure.{ext}", dpi=120, bbox_inches="tight")
                plt.close(fig)
            if not os.path.lexists(out):
                try:
                    os.rename(tmp, out)  # the whole report at once
                    return out
                except OSError:  # made meanwhile by another writer: replace file by file
                    pass
            out.mkdir(exist_ok=True)
            written = sorted(f.name for f in tmp.iterdir())
            for name in REPORT_FILES:
                if name not in written:
                    (out / name).unlink(missing_ok=True)  # from an earlier save: not this report's
            for name in sorted(written, key=lambda n: n == "summary.json"):  # summary.json last
                os.replace(tmp / name, out / name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return out


#: Significant digits of a reported measurement (summary.json, ``excitable run`` and its --json): a
#: simulation with dt = 0.025 ms is not true to the 16th digit (9.850000000000001 mV is 9.85 mV, and
#: its first error is in the 4th or 5th digit), and 6 keep a time of 1000 ms to 0.01 ms, finer than dt.
SUMMARY_DIGITS = 6


def jsonable(x, digits: int | None = None):
    """Numpy scalars/arrays -> Python; NaN -> None, so the JSON is strict. ``digits``: floats rounded
    to that many significant digits (``SUMMARY_DIGITS`` for what a person reads); None keeps all."""
    if isinstance(x, dict):
        return {str(k): jsonable(v, digits) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v, digits) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist(), digits)
    if isinstance(x, (np.floating, float)):
        x = float(x)
        if not np.isfinite(x):
            return None
        return x if digits is None else float(f"{x:.{digits}g}")  # then printed as its shortest repr
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename, so no half-written file remains.

    The file gets the usual mode (0666 less the umask), as any new file would."""
    path = Path(path)
    remove_stale_temporaries(path.parent, path.name)
    for _ in range(100):
        tmp = path.parent / _temp_name(path.name)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"no free temporary name beside {path}")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# ---- temporary files and folders, and the leftovers of writers that were killed -------------------
#
# A writer names its temporary ``.NAME.tmp-PID-HOST-RANDOM`` (HOST: a tag of the machine's name), so
# a later writer of NAME can tell the leftovers of a killed one (its process is gone) from work in
# progress, without any record kept elsewhere.

#: The files a report (``Result.save``) consists of.
REPORT_FILES = ("summary.json", "traces.csv", "figure.png", "figure.svg")
#: Leftovers whose writer cannot be asked (another machine's, or named before writers gave their
#: process id) are removed once they are this old, s: no save takes that long.
STALE_AFTER_S = 3600.0


@lru_cache(maxsize=1)
def _host_tag() -> str:
    import hashlib
    import socket

    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _temp_name(name: str) -> str:
    return f".{name}.tmp-{os.getpid()}-{_host_tag()}-{secrets.token_hex(4)}"


def _temp_dir(parent: Path, name: str) -> Path:
    """A new empty folder beside ``parent / name``, mode 0777 less the umask (what the report's
    folder gets when this one is renamed into place)."""
    for _ in range(100):
        tmp = parent / _temp_name(name)
        try:
            os.mkdir(tmp, 0o777)
            return tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {parent / name}")


def remove_stale_temporaries(parent: Path, name: str) -> list[Path]:
    """Remove the temporaries of ``parent / name`` left by writers that were killed: ours (same
    user) from this machine whose process is gone, and any older than ``STALE_AFTER_S``.
    Returns what was removed."""
    own = re.escape(name)
    pattern = re.compile(rf"\.{own}\.tmp-(?:(\d+)-([0-9a-f]{{8}})-[0-9a-f]{{8}}|[a-z0-9_]{{8}})"
                         rf"|\.{own}\.[a-z0-9_]{{8}}\.tmp")  # the second forms: before pids were given
    uid = os.getuid() if hasattr(os, "getuid") else None
    removed = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for e in entries:
        m = pattern.fullmatch(e.name)
        if m is None:
            continue
        try:
            st = e.stat(follow_symlinks=False)
        except OSError:
            continue
        if uid is not None and st.st_uid != uid:
            continue  # someone else's: not ours to judge
        if m.group(1) and m.group(2) == _host_tag():
            stale = not _alive(int(m.group(1)))
        else:
            stale = time.time() - st.st_mtime > STALE_AFTER_S
        if not stale:
            continue
        if stat.S_ISDIR(st.st_mode):
            shutil.rmtree(e.path, ignore_errors=True)
        else:
            try:
                os.unlink(e.path)
            except OSError:
                continue
        removed.append(Path(e.path))
    return removed


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists here (True when in doubt)."""
    if pid == os.getpid() or os.name != "posix":  # elsewhere os.kill(pid, 0) is no mere question
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, as another user's
        return True
    return True
