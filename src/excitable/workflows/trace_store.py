"""A sweep's traces, kept beside its journal (``DIR/sweep.traces/``) so that every run is saved once.

``excitable sweep NAME --format nwb`` needs every grid point's traces, also of the points a Dask
worker ran or an earlier (interrupted) sweep finished. A worker therefore sends back ``pack(result)``
(plain numpy arrays and JSON-ready dicts) with each row; the sweep writes it here, one file per grid
point, before the row is appended to the journal, and the row names the file's SHA-256 and size
(``{"point": ..., "summary": ..., "traces": {"sha256": ..., "bytes": ...}}``). A resumed sweep reads
the traces back from here; nothing runs twice.

Files are numpy ``.npz`` archives: ``t``, ``trace_0``, ``trace_1`` ... (numbers only) and ``about``
(one JSON string: the labels, the summary, the run's scalar parameters). They are read with
``allow_pickle=False``, so nothing read from disk is ever unpickled or executed. A file's name comes
from its grid point (a hash), never from the journal's text, so a journal cannot point elsewhere.
A file whose size or hash is not the journal's is refused in one line (``check``), before the sweep
runs anything or writes a file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
import zipfile
from pathlib import Path

import numpy as np

from excitable.errors import ModelError

FOLDER = "sweep.traces"


def pack(result) -> dict:
    """What a worker sends back of a Result: its samples as numeric numpy arrays (``t``, ``arrays``
    in the order of ``labels``), its summary (JSON-ready) and scalar parameters (``meta``: e.g. the
    model and ``area_um2`` the NWB writer needs to turn a µA/cm² stimulus into nA)."""
    from excitable.results import jsonable

    meta = {k: v for k, v in jsonable(result.meta).items() if v is None or isinstance(v, (int, float, str, bool))}
    return {"t": np.asarray(result.t), "labels": list(result.traces),
            "arrays": [np.asarray(v) for v in result.traces.values()],
            "summary": jsonable(result.summary), "meta": meta, "name": result.name}


def nbytes(packed: dict) -> int:
    """The samples' bytes of a packed run (``t`` and every trace)."""
    return int(packed["t"].nbytes + sum(a.nbytes for a in packed["arrays"]))


def unpack(packed: dict):
    """The Result a packed run stands for (traces bit for bit as they were computed)."""
    from excitable.results import Result

    return Result(t=packed["t"], traces=dict(zip(packed["labels"], packed["arrays"])),
                  summary=packed["summary"], name=packed["name"], meta=packed["meta"])


def file_name(point_key: str) -> str:
    """The file of a grid point (``journal.key(point)``): a hash, safe as a name on any system."""
    return hashlib.sha256(point_key.encode()).hexdigest()[:32] + ".npz"


class TraceStore:
    """The folder ``DIR/sweep.traces`` of one sweep (``fresh`` empties it)."""

    def __init__(self, out: Path, fresh: bool = False):
        self.folder = Path(out) / FOLDER
        if fresh and self.folder.is_dir():  # a --fresh sweep: the rows (and so the traces) start over
            for f in [*self.folder.glob("*.npz"), *self.folder.glob(".*.tmp-*")]:
                f.unlink(missing_ok=True)
        self.folder.mkdir(exist_ok=True)

    def put(self, point_key: str, packed: dict) -> dict:
        """Write a packed run (atomically) and return its reference for the journal's row."""
        arrays = {"t": packed["t"], **{f"trace_{i}": a for i, a in enumerate(packed["arrays"])}}
        for label, a in zip(["t", *packed["labels"]], arrays.values()):
            if a.dtype.kind not in "fiub":  # would need pickle to be read back
                raise ModelError(f"sweep traces: {label!r} is not numeric ({a.dtype}); cannot store it")
        about = json.dumps({k: packed[k] for k in ("labels", "summary", "meta", "name")})
        buf = io.BytesIO()
        np.savez(buf, about=np.array(about), **arrays)
        data = buf.getvalue()
        _write_atomically(self.folder / file_name(point_key), data)
        return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}

    def check(self, point_key: str, ref) -> bytes:
        """The bytes of a point's file, if they are the ones its row names; else one-line ModelError."""
        path = self.folder / file_name(point_key)
        where = f"{path} (the traces of {_point(point_key)})"
        if not (isinstance(ref, dict) and isinstance(ref.get("sha256"), str) and isinstance(ref.get("bytes"), int)):
            raise ModelError(f"sweep traces: the journal's reference to {where} is not readable; "
                             f"start over with --fresh")
        try:
            size = path.stat().st_size
            if size != ref["bytes"]:
                raise ModelError(f"sweep traces: {where} has {size} bytes, the journal says {ref['bytes']}: "
                                 f"the file is damaged; start over with --fresh")
            data = path.read_bytes()
        except OSError as e:
            raise ModelError(f"sweep traces: cannot read {where}: {e.strerror}; start over with --fresh") from None
        if hashlib.sha256(data).hexdigest() != ref["sha256"]:
            raise ModelError(f"sweep traces: {where} is not the file the journal wrote (its SHA-256 differs): "
                             f"the file is damaged; start over with --fresh")
        return data

    def load(self, point_key: str, ref) -> dict:
        """A point's packed run, read back (checked as in ``check``; never unpickled)."""
        from excitable import limits

        data = self.check(point_key, ref)
        where = f"{self.folder / file_name(point_key)} (the traces of {_point(point_key)})"
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:  # what it unpacks to, before it is unpacked
                unpacked = sum(i.file_size for i in z.infolist())
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            raise ModelError(f"sweep traces: {where} is not a trace file: {e}") from None
        limits.check("memory", float(unpacked), f"reading {where}, {unpacked} bytes unpacked")
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                about = json.loads(str(z["about"]))
                labels = about["labels"]
                if not (isinstance(labels, list) and all(isinstance(x, str) for x in labels)
                        and isinstance(about["summary"], dict) and isinstance(about["meta"], dict)):
                    raise ValueError("its labels, summary or parameters are not what a sweep writes")
                t = z["t"]
                arrays = [z[f"trace_{i}"] for i in range(len(labels))]
        except (ValueError, KeyError, TypeError, OSError, zipfile.BadZipFile) as e:
            raise ModelError(f"sweep traces: {where} is not a trace file: {e}") from None
        if any(a.shape[:1] != t.shape for a in arrays):
            raise ModelError(f"sweep traces: {where} has traces of another length than its t")
        return {"t": t, "labels": labels, "arrays": arrays, "summary": about["summary"],
                "meta": about["meta"], "name": str(about.get("name", ""))}


def _write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and a rename: no half-written trace file."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _point(point_key: str) -> str:
    try:
        return ", ".join(f"{k}={v}" for k, v in json.loads(point_key).items())
    except (ValueError, AttributeError):
        return point_key


def estimate(points: list[dict], fixed: dict) -> tuple[float, str]:
    """Bytes the traces of ``points`` take at least, before any runs (the memory bound of a sweep
    that keeps them): every run records t and V, ``tstop / dt + 1`` samples of 8 bytes each, where
    the experiment has both parameters (a grid axis may set them); else 0. The first batch's real
    size is checked as soon as it arrives (``Kept.take``)."""
    samples = 0
    for p in points:
        tstop, dt = p.get("tstop", fixed.get("tstop")), p.get("dt", fixed.get("dt"))
        if isinstance(tstop, (int, float)) and isinstance(dt, (int, float)) and dt > 0:
            samples = max(samples, int(tstop / dt) + 1)
    return 2 * 8.0 * samples * len(points), f"t and V, {samples} samples each, at least"


class Kept:
    """The traces of a sweep's points: in ``store`` (a sweep with a folder) or in memory (without).

    ``take(rec)`` turns a worker's record (its packed run under ``"run"``) into the journal's row
    (the reference under ``"traces"``); ``result(rec)`` gives the Result back."""

    def __init__(self, store: TraceStore | None, total: int):
        self.store, self.total = store, total
        self.kept = self.kept_bytes = self.largest = 0  # runs and bytes kept so far, the largest run

    def needs_run(self, point_key: str, rec: dict) -> bool:
        """Whether a journal's row lacks its traces (written without them, or by an older version):
        then the point runs again. A row whose file is damaged is refused (``TraceStore.check``)."""
        if "error" in rec:
            return False  # a point the experiment refused has no traces to keep
        if "traces" not in rec:
            return True
        if self.store is not None:
            self.store.check(point_key, rec["traces"])
            self._count(rec["traces"]["bytes"])
        return False

    def _count(self, size: int) -> None:
        """Count a run's traces, and bound all of them: those kept so far, and the largest run's size
        for each point still to come (a grid axis such as tstop can make later runs larger)."""
        from excitable import limits

        self.kept, self.kept_bytes, self.largest = self.kept + 1, self.kept_bytes + size, max(self.largest, size)
        limits.check("memory", float(self.kept_bytes + self.largest * max(0, self.total - self.kept)),
                     f"keeping the traces of {self.total} grid points ({self.largest} bytes for the "
                     f"largest run so far)")

    def take(self, point_key: str, rec: dict) -> dict:
        packed = rec.pop("run", None)
        if packed is None:
            return rec
        self._count(nbytes(packed))  # from the first run on: a grid too large to keep is refused early
        if self.store is None:
            return {**rec, "run": packed}
        return {**rec, "traces": self.store.put(point_key, packed)}

    def result(self, point_key: str, rec: dict):
        """The Result of a row that has traces."""
        if "run" in rec:
            return unpack(rec["run"])
        return unpack(self.store.load(point_key, rec["traces"]))
