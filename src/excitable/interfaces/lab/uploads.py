"""SWC uploads: read with a size limit (413), parsed by the CLI's own parser (``io.import3d``, the
same one-line errors with the line number: 422), kept in memory (a bounded LRU of file contents),
never executed. A run of the morphology page with ``swc=upload-<id>`` writes the text to a private
temporary file for the parser (which reads files) and removes it after the run.

The lab never reads a path that a request names: ``swc`` is a shipped cell, an upload id or empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from excitable.interfaces.lab.api import ApiError

#: Bytes an upload may have (EXCITABLE_LAB_MAX_UPLOAD_MB raises it): 2 MB holds ~40,000 points.
MAX_BYTES = 2 * 2**20
#: Uploads kept in memory (the oldest is forgotten first).
KEEP = 32


def max_bytes() -> int:
    raw = os.environ.get("EXCITABLE_LAB_MAX_UPLOAD_MB")
    try:
        return int(float(raw) * 2**20) if raw else MAX_BYTES
    except ValueError:
        return MAX_BYTES


def _safe_name(name: str) -> str:
    """A plain file name for messages and the temporary file: no folders, no odd characters."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(name or "upload.swc"))[:80]
    return base if base.strip("._") else "upload.swc"


class UploadStore:
    def __init__(self, keep: int = KEEP):
        self.keep = keep
        self._lock = threading.Lock()
        self._files: OrderedDict[str, tuple[str, bytes]] = OrderedDict()  # id -> (name, bytes)

    async def receive(self, request) -> dict:
        """POST /api/swc: the multipart field "file", parsed; its id, size and segments."""
        limit = max_bytes()
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
            raise ApiError(413, f"file: the upload is {int(declared) / 2**20:.3g} MB, over the lab's "
                                f"limit of {limit / 2**20:.3g} MB", "file")
        form = await request.form(max_files=1, max_fields=4)
        up = form.get("file")
        if up is None or not hasattr(up, "read"):
            raise ApiError(422, "file: no file in the upload (multipart field \"file\")", "file")
        data = await up.read(limit + 1)
        await up.close()
        if len(data) > limit:
            raise ApiError(413, f"file: {_safe_name(up.filename)} is over the lab's limit of "
                                f"{limit / 2**20:.3g} MB", "file")
        name = _safe_name(up.filename)
        secs = self._parse(name, data)
        # the name first, so that the page's control shows which file it is; the content's hash (48 bits)
        # tells two learners' "cell.swc" apart
        uid = f"upload-{name}-{hashlib.sha256(data).hexdigest()[:12]}"
        with self._lock:
            self._files[uid] = (name, data)
            self._files.move_to_end(uid)
            while len(self._files) > self.keep:
                self._files.popitem(last=False)
        return {"id": uid, "name": name, "n_points": int(len(secs.points)), "n_sections": len(secs),
                "segments": _segments(secs)}

    def _parse(self, name: str, data: bytes):
        from excitable.errors import ModelError
        from excitable.io.import3d import read_swc_sections
        from excitable.model.morphology import Morphology

        with self._written(name, data) as path:
            try:
                secs = read_swc_sections(path)
                Morphology.from_swc(path)  # the checks a run makes of each section's geometry
            except ModelError as e:
                raise ApiError(422, str(e), "file") from None
        return secs

    @staticmethod
    @contextlib.contextmanager
    def _written(name: str, data: bytes):
        with tempfile.TemporaryDirectory(prefix="excitable-lab-") as folder:  # mode 0700: ours only
            path = Path(folder) / name
            path.write_bytes(data)
            yield path

    def for_run(self, swc: str | None) -> tuple[str | None, str | None]:
        """(the upload id to materialize, its file name), or (None, None) for a shipped cell or the
        built-in one; 422 naming swc for an unknown upload or anything that would be a path."""
        from excitable.io import morphologies

        if not swc or swc in morphologies.names():
            return None, None
        if swc.startswith("upload-"):
            with self._lock:
                found = self._files.get(swc)
            if found is None:
                raise ApiError(422, f"swc: {swc!r} is not (or no longer) in the lab's memory; upload "
                                    f"the file again", "swc")
            return swc, found[0]
        raise ApiError(422, f"swc must be a shipped cell ({', '.join(morphologies.names())}) or an "
                            f"uploaded file (upload-<id>) in the lab, got {swc[:60]!r}", "swc")

    @contextlib.contextmanager
    def materialized(self, uid: str):
        with self._lock:
            name, data = self._files[uid]
        with self._written(name, data) as path:
            yield path


def _segments(secs) -> list[list[float]]:
    """[[x0, y0, z0, x1, y1, z1, diam_um], ...]: consecutive points of each section (µm)."""
    out = []
    for k in range(len(secs)):
        pts = secs.points_of(k)
        for a, b in zip(pts[:-1], pts[1:]):
            out.append([round(float(v), 3) for v in (*a[:3], *b[:3], (a[3] + b[3]) / 2)])
    return out
