"""What each kind of page draws besides its traces, read from what the Result already records:
V along an axon over time (``space_time``), V on every segment of a reconstructed cell
(``morphology``) and the spikes of a network (``raster``). None where the Result holds no such data.
"""

from __future__ import annotations

import re

import numpy as np


#: A space-time map is at most this many positions by this many times (a 400 x 400 heat map).
MAX_GRID = 400
#: A recording site's position in a trace label: "v@505um", "middle: v at 1249 um (mV)",
#: "v node[3] at 3003 um (mV)", "V at 509 um, 0.2-nA pulse (mV)".
_SITE = re.compile(r"(?:@| at )(-?\d+(?:\.\d+)?) ?um\b")


def floats(y: np.ndarray) -> list:
    """A float array as a JSON list (NaN and inf -> None) at array speed: ``jsonable`` walks every
    element in Python, which costs more than the run for a page of a dozen traces."""
    y = np.asarray(y, dtype=float)
    if np.isfinite(y).all():
        return y.tolist()
    return np.where(np.isfinite(y), y, None).tolist()


#: Significant digits of a trace's samples, relative to its largest magnitude (the summary keeps its
#: own 6 digits): a plot resolves 1e-3 of its height; full float64 doubles the JSON of a page.
TRACE_DIGITS = 6


def rounded(y: np.ndarray) -> np.ndarray:
    """``y`` to ``TRACE_DIGITS`` significant digits of its largest magnitude (-65.00123 mV, 0.052931)."""
    y = np.asarray(y, dtype=float)
    finite = np.abs(y[np.isfinite(y)])
    top = finite.max() if finite.size else 0.0
    if top == 0.0:
        return y
    return np.round(y, TRACE_DIGITS - 1 - int(np.floor(np.log10(top))))


def _thin(n: int, most: int) -> np.ndarray:
    """At most ``most`` evenly spread indices of ``range(n)``, first and last included."""
    return np.arange(n) if n <= most else np.unique(np.linspace(0, n - 1, most).round().astype(int))


def space_time(result) -> dict | None:
    """``{"x_um", "t_ms", "v_mV"}`` (v_mV[i][j]: time i, position j) from the traces recorded at
    positions along one axon; the largest group of labels that differ only in the position (one-way
    records two such groups: its first, the middle stimulus, is drawn). None under 3 sites."""
    groups: dict[str, list[tuple[float, str]]] = {}
    for label, y in result.traces.items():
        m = _SITE.search(label)
        if m is None or np.ndim(y) != 1:
            continue
        key = (label[:m.start()] + "@" + label[m.end():])
        key = re.sub(r"\[\d+\]", "[]", key)  # "v node[3] at ..." : one group for every node
        groups.setdefault(key, []).append((float(m.group(1)), label))
    if not groups:
        return None
    sites = max(groups.values(), key=len)
    if len(sites) < 3:
        return None
    sites.sort()
    cols = _thin(len(sites), MAX_GRID)
    rows = _thin(len(result.t), MAX_GRID)
    v = np.stack([np.asarray(result.traces[sites[j][1]], dtype=float)[rows] for j in cols], axis=1)
    return {"x_um": [sites[j][0] for j in cols], "t_ms": floats(np.asarray(result.t, float)[rows]),
            "v_mV": floats(np.round(v, 3))}


def morphology(result) -> dict | None:
    """``{"segments": [[x0, y0, z0, x1, y1, z1, diam_um]], "t_ms", "v_mV": [[v per segment] per t]}``
    from the morphology experiment's compartments and V at every node (``meta``, sampled at
    ``result.t``); a segment joins a node to its parent. None for other results."""
    comp, v_all = result.meta.get("compartments"), result.meta.get("v_all")
    if comp is None or v_all is None or np.shape(v_all)[0] != len(result.t):
        return None
    nodes = np.flatnonzero(np.asarray(comp.parent) >= 0)
    xyz = np.asarray(comp.xyz_um, dtype=float)
    seg = np.concatenate([xyz[comp.parent[nodes]], xyz[nodes], np.asarray(comp.diam_um)[nodes, None]],
                         axis=1)
    rows = _thin(len(result.t), MAX_GRID)
    v = np.asarray(v_all, dtype=float)[rows][:, nodes]
    return {"segments": floats(np.round(seg, 3)), "t_ms": floats(np.asarray(result.t, float)[rows]),
            "v_mV": floats(np.round(v, 2))}


#: A raster sends at most this many spikes per condition (a dense network fires ~1e5 a second).
MAX_SPIKES = 20000


def _spike_list(per_cell: dict) -> list[list[float]]:
    rows = [[int(c), float(t)] for c, times in sorted(per_cell.items()) for t in np.asarray(times).ravel()]
    rows.sort(key=lambda r: r[1])
    return rows[:MAX_SPIKES]


def raster(result) -> dict | None:
    """``{"cells": [{"id", "kind"}], "spikes": [[cell_id, t_ms], ...]}`` (time order, at most
    ``MAX_SPIKES``) from ``Result.spikes`` or a network experiment's ``meta["spikes"]`` (per condition:
    ``"conditions": {name: spikes}``, and ``spikes`` is the first); cells ``n_exc`` and beyond are
    inhibitory. None when nothing recorded spikes per cell."""
    per = result.spikes or result.meta.get("spikes")
    if not per or not isinstance(per, dict):
        return None
    first = next(iter(per.values()))
    conditions = per if isinstance(first, dict) else None
    cells_of = first if conditions else per
    n_exc = result.meta.get("n_exc", len(cells_of))
    cells = [{"id": int(c), "kind": "excitatory" if int(c) < n_exc else "inhibitory"} for c in sorted(cells_of)]
    out = {"cells": cells, "spikes": _spike_list(cells_of)}
    if conditions:
        out["conditions"] = {str(k): _spike_list(v) for k, v in conditions.items()}
    return out
