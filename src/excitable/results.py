"""Result: the traces of a run, the measured quantities, and how to save them (atomically)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class Result:
    """What a simulation or experiment returns.

    Attributes:
        t: sample times, ms.
        traces: label -> samples (same length as ``t``); labels carry units, e.g. "v_soma (mV)".
        summary: measured quantities (JSON-serializable; keys end in their unit: ``rest_mV``).
        name: the experiment that made it.
        meta: parameters and provenance.
    """

    t: np.ndarray
    traces: dict[str, np.ndarray]
    summary: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    plotter: Any = None
    spikes: dict[int, np.ndarray] = field(default_factory=dict)

    def __getitem__(self, label: str) -> np.ndarray:
        return self.traces[label]

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
        return json.dumps(jsonable(self.summary), indent=2, sort_keys=False)

    def csv_text(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        flat = {k: v for k, v in self.traces.items() if np.ndim(v) == 1}  # 2-D maps go elsewhere
        w.writerow(["t (ms)", *flat])
        cols = [self.t, *flat.values()]
        for row in zip(*cols):
            w.writerow([f"{x:.10g}" for x in row])
        return buf.getvalue()

    def save(self, out_dir, *, figure: bool = True) -> Path:
        """Write summary.json, traces.csv and figure.png/.svg into ``out_dir``.

        Everything is first written into a temporary folder beside ``out_dir`` and moved into place
        only when all of it succeeded, so a failure never leaves a half-written report.
        """
        out = Path(out_dir)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.tmp-"))
        try:
            (tmp / "summary.json").write_text(self.to_json() + "\n")
            (tmp / "traces.csv").write_text(self.csv_text())
            if figure and self.plotter is not None:
                import matplotlib.pyplot as plt

                fig = self.figure()
                for ext in ("png", "svg"):
                    fig.savefig(tmp / f"figure.{ext}", dpi=120, bbox_inches="tight")
                plt.close(fig)
            out.mkdir(exist_ok=True)
            for f in tmp.iterdir():
                os.replace(f, out / f.name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return out


def jsonable(x):
    """Numpy scalars/arrays -> Python; NaN -> None, so the JSON is strict."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return None if not np.isfinite(x) else x
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename, so no half-written file remains."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        # mkstemp makes the file private (0600); the page is a report to share: the usual mode.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
