"""A sweep's table (``sweep.csv``: one row per grid point) and figure (``sweep.png``: lines for one
axis, heat maps for two), from its records (``excitable.workflows.sweeping``)."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from excitable.errors import ModelError


def table(keys: list[str], records: list[dict]) -> tuple[list[str], list[dict]]:
    """The columns (grid keys, summary fields, then ``error`` if any point failed) and rows."""
    columns = list(keys)
    rows = []
    for rec in records:
        row = dict(rec["point"])
        for k, v in rec.get("summary", {}).items():
            if k not in keys:
                row[k] = v
                if k not in columns:
                    columns.append(k)
        if "error" in rec:
            row["error"] = rec["error"]
        rows.append(row)
    if any("error" in r for r in rows):
        columns.append("error")
    return columns, rows


def csv_text(columns, rows) -> str:
    """The table as CSV text (floats in full: ``repr``; None as an empty cell)."""
    import csv
    import io

    def cell(v):
        if v is None:
            return ""
        if isinstance(v, float):
            return repr(v)
        return str(v)

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([cell(r.get(c)) for c in columns])
    return buf.getvalue()


def _is_number(v) -> bool:
    return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))


def plot(path: Path, axes, columns, rows, fields) -> bool:
    """Lines (one axis) or heat maps (two axes) of numeric summary fields; False if nothing to draw."""
    keys = [a.key for a in axes]
    numeric = [c for c in columns if c not in keys and c != "error" and all(_is_number(r.get(c)) for r in rows)]
    if fields:
        unknown = [f for f in fields if f not in numeric]
        if unknown:
            raise ModelError(f"--plot: {unknown[0]!r} is not a numeric summary field; "
                             f"have {', '.join(numeric)}")
    else:
        fields = [c for c in numeric if len({r.get(c) for r in rows}) > 1][:4]
    if not fields or not rows:
        return False
    from matplotlib.figure import (
        Figure,  # no pyplot: no global state, safe in any thread
    )

    fig = Figure(figsize=(4.2 * len(fields), 3.4))
    axs = fig.subplots(1, len(fields), squeeze=False)
    lookup = {tuple(r[k] for k in keys): r for r in rows}
    for ax, f in zip(axs[0], fields):
        if len(axes) == 1:
            xs = [x for x in axes[0].values if (x,) in lookup]
            ax.plot(xs, [_num(lookup[(x,)].get(f)) for x in xs], "o-")
            ax.set_xlabel(keys[0])
            ax.set_ylabel(f)
        else:
            (a, b) = axes
            z = np.array([[_num(lookup.get((x, y), {}).get(f)) for x in a.values] for y in b.values])
            im = ax.imshow(z, origin="lower", aspect="auto", interpolation="nearest")
            ax.set_xticks(range(len(a.values)), [_label(x) for x in a.values], rotation=45)
            ax.set_yticks(range(len(b.values)), [_label(y) for y in b.values])
            ax.set_xlabel(a.key)
            ax.set_ylabel(b.key)
            fig.colorbar(im, ax=ax, label=f)
        ax.set_title(f, fontsize=9)
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, path)
    return True


def _num(v) -> float:
    return math.nan if v is None else float(v)


def _label(x) -> str:
    return f"{x:.4g}" if isinstance(x, float) else str(x)
