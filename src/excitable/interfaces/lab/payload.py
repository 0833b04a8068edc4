"""A Result as the JSON the lab's pages draw (docs/lab-api.md, POST /api/run): the resolved and
changed parameters, the summary, the headline numbers and the plain answer, the traces downsampled
to at most ``MAX_POINTS`` samples that keep every extremum (to 6 significant digits of each trace's
largest value, ``views.rounded``), and the views (``views.py``).

Downsampling keeps, for every trace, its global maximum and minimum and each bucket's highest and
lowest sample (so every spike peak a plot would show survives, at its exact value and time); the
first and last samples; then fills what is left of the budget evenly. The kept samples are the
Result's own values (rounded) at the Result's own times: nothing is interpolated.
"""

from __future__ import annotations

import re

import numpy as np

from excitable.interfaces.lab import views
from excitable.interfaces.lab.views import floats
from excitable.results import SUMMARY_DIGITS, jsonable

#: At most this many time points per run are sent (a plot 2000 pixels wide shows no more).
MAX_POINTS = 2000
#: Units as a student reads them (the declarations write ASCII: "uA/cm2").
_PRETTY = {"uA/cm2": "µA/cm²", "mS/cm2": "mS/cm²", "uS": "µS", "um": "µm", "uF/cm2": "µF/cm²",
           "degC": "°C", "uC/cm2": "µC/cm²"}


def pretty_unit(unit: str | None) -> str:
    """``unit`` with µ and ² (``uA/cm2`` -> ``µA/cm²``); "" for none."""
    return _PRETTY.get(unit or "", unit or "")


def keep_indices(t: np.ndarray, traces: list[np.ndarray], budget: int = MAX_POINTS) -> np.ndarray:
    """Sorted sample indices, at most ``budget``, that keep each trace's extrema (see module doc)."""
    n = len(t)
    if n <= budget:
        return np.arange(n)
    must = {0, n - 1}
    for y in traces:
        if np.isfinite(y).any():
            must.update((int(np.nanargmax(y)), int(np.nanargmin(y))))
    # Per bucket, the highest and lowest sample of every trace, with as many buckets as fit.
    per_bucket = 2 * max(1, len(traces))
    buckets = max(1, (budget - len(must)) // (per_bucket + 1))
    width = -(-n // buckets)  # equal buckets of ``width`` samples (the last one shorter)
    starts = np.arange(0, n, width)
    chosen = set(must) | set(starts.tolist())
    for y in traces:
        chosen.update(_bucket_extrema(np.asarray(y, dtype=float), width).tolist())
    if len(chosen) > budget:  # many traces: the extrema of each bucket would overflow; keep the must
        rest = sorted(chosen - must)
        take = np.linspace(0, len(rest) - 1, budget - len(must)).astype(int) if budget > len(must) else []
        chosen = must | {rest[i] for i in take}
    else:  # fill the rest evenly
        spare = budget - len(chosen)
        chosen.update(np.linspace(0, n - 1, spare).astype(int).tolist() if spare > 0 else [])
    return np.array(sorted(chosen))[:budget]


def _bucket_extrema(y: np.ndarray, width: int) -> np.ndarray:
    """The index of the highest and of the lowest finite sample in each run of ``width`` samples,
    all buckets at once (a Python loop over buckets cost ~30 ms a page); buckets without a finite
    sample give none."""
    n = len(y)
    rows = -(-n // width)
    pad = np.full(rows * width, np.nan)
    pad[:n] = y
    grid = pad.reshape(rows, width)
    finite = np.isfinite(grid)
    has = finite.any(axis=1)
    base = np.arange(rows) * width
    hi = np.where(finite, grid, -np.inf).argmax(axis=1) + base
    lo = np.where(finite, grid, np.inf).argmin(axis=1) + base
    return np.concatenate([hi[has], lo[has]])


def _signal_for(declared, label: str):
    return next((s for s in declared.signals if s.matches(label)), None)


_UNIT_SUFFIX = re.compile(r"\(([^()]*)\)\s*$")


def trace_entries(result, declared, index: np.ndarray) -> list[dict]:
    """Every 1-D trace as ``{"label", "unit", "help", "values"}`` at the kept samples."""
    n = len(result.t)
    out = []
    for label, y in result.traces.items():
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != n:
            continue
        signal = _signal_for(declared, label)
        if signal is not None:
            unit, help_ = signal.unit, signal.help
        else:
            m = _UNIT_SUFFIX.search(label)
            unit, help_ = (m.group(1) if m else ("mV" if label.startswith("v") else "")), ""
        out.append({"label": label, "unit": pretty_unit(unit), "help": help_,
                    "values": floats(views.rounded(y[index]))})
    return out


def headline_values(declared, summary: dict) -> list[dict]:
    """The declaration's headline numbers with this run's values (None where not measured)."""
    rows = []
    for h in declared.headline:
        v = summary.get(h.key)
        rows.append({"key": h.key, "label": h.label, "unit": h.unit,
                     "value": jsonable(v, SUMMARY_DIGITS)})
    return rows


def build(result, declared, params: dict, script: dict) -> dict:
    """The run's payload (docs/lab-api.md) from ``result`` of ``declared`` run with ``params``
    (resolved); ``script`` holds ``cli`` and ``script`` (``script.py``). No timing, no cache flag:
    the runner adds ``elapsed_ms`` and ``cached``."""
    t = np.asarray(result.t, dtype=float)
    one_d = [np.asarray(y, dtype=float) for y in result.traces.values()
             if np.ndim(y) == 1 and len(y) == len(t)]
    index = keep_indices(t, one_d)
    summary = jsonable(result.summary, SUMMARY_DIGITS)
    changed = {k: v for k, v in params.items() if v != declared.params[k].default}
    return {"name": declared.name, "params": jsonable(dict(params)), "changed": jsonable(changed),
            "summary": summary, "headline": headline_values(declared, result.summary),
            "answer": declared.answer_for(summary),
            "t": floats(t[index]), "traces": trace_entries(result, declared, index),
            "space_time": views.space_time(result), "morphology": views.morphology(result),
            "raster": views.raster(result), **script}
