"""Measurements on a network's activity: mean and population rates, rasters, synchrony, bursts.

Pure numpy. Spikes come as ``{cell: times}`` (what ``Simulation.record_spikes`` gives in
``result.spikes``) or as a sequence of time arrays, times in ms; rates are in Hz (spikes per second
per cell). Invalid input raises :class:`excitable.errors.ModelError` with a one-line message.

Synchrony: the index chi of Golomb & Rinzel (1993) and Golomb (2007, Scholarpedia 2(1):1347).
For N signals V_i(t) (membrane potentials, or filtered spike trains) and their population mean
V(t) = (1/N) sum_i V_i(t),

    chi^2 = Var_t[V] / ((1/N) sum_i Var_t[V_i]),

so chi = 1 when every cell does the same thing at the same time and chi ~ 1/sqrt(N) when the cells
are independent (the variance of a mean of N independent signals is 1/N of theirs). It is in [0, 1]
(the variance of a mean is at most the mean of the variances).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from excitable.errors import ModelError, check_number


def _trains(spikes) -> list[np.ndarray]:
    """``{cell: times}`` (in cell order) or a sequence of arrays -> list of 1-D float arrays."""
    items = [spikes[k] for k in sorted(spikes)] if isinstance(spikes, Mapping) else list(spikes)
    out = []
    for i, x in enumerate(items):
        a = np.asarray(x, dtype=float).ravel()
        if not np.all(np.isfinite(a)):
            raise ModelError(f"spikes: train {i} has a non-finite time")
        out.append(a)
    return out


def _window(t_start, t_stop) -> tuple[float, float]:
    a, b = check_number("t_start", t_start), check_number("t_stop", t_stop)
    if not b > a:
        raise ModelError(f"t_stop must be > t_start, got {t_start!r} and {t_stop!r}")
    return a, b


def mean_rate(spikes, t_start: float, t_stop: float) -> float:
    """Mean firing rate (Hz) per cell in [t_start, t_stop) ms, over every train given (silent cells count).

    Example:
        >>> mean_rate({0: [10.0, 20.0], 1: []}, 0.0, 1000.0)
        1.0
    """
    a, b = _window(t_start, t_stop)
    trains = _trains(spikes)
    if not trains:
        raise ModelError("spikes: no cells given")
    n = sum(int(np.count_nonzero((x >= a) & (x < b))) for x in trains)
    return n / len(trains) / ((b - a) / 1000.0)


def rates(spikes, t_start: float, t_stop: float) -> np.ndarray:
    """Firing rate (Hz) of each cell in [t_start, t_stop) ms."""
    a, b = _window(t_start, t_stop)
    return np.array([np.count_nonzero((x >= a) & (x < b)) for x in _trains(spikes)], float) / ((b - a) / 1000.0)


def population_rate(spikes, t_start: float, t_stop: float, bin_ms: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Population rate: spikes of all cells per bin, divided by cells and bin width -> Hz per cell.

    Returns (bin centres in ms, rate in Hz); bins are [t_start + k bin, t_start + (k + 1) bin).
    """
    a, b = _window(t_start, t_stop)
    w = check_number("bin_ms", bin_ms, positive=True)
    trains = _trains(spikes)
    if not trains:
        raise ModelError("spikes: no cells given")
    n_bins = max(1, int(np.floor((b - a) / w + 1e-9)))
    edges = a + w * np.arange(n_bins + 1)
    allt = np.concatenate(trains) if trains else np.zeros(0)
    counts = np.histogram(allt[(allt >= a) & (allt < edges[-1])], bins=edges)[0]
    return 0.5 * (edges[:-1] + edges[1:]), counts / len(trains) / (w / 1000.0)


def raster(spikes, cells: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(times, row) pairs for a raster plot: row k holds the spikes of the k-th cell listed.

    ``spikes`` is ``{cell: times}``; ``cells`` picks and orders the rows (default: sorted keys).
    """
    if not isinstance(spikes, Mapping):
        spikes = dict(enumerate(spikes))
    cells = sorted(spikes) if cells is None else list(cells)
    missing = [c for c in cells if c not in spikes]
    if missing:
        raise ModelError(f"raster: no spikes recorded for cell {missing[0]!r}")
    times = [np.asarray(spikes[c], float).ravel() for c in cells]
    rows = [np.full(len(x), k) for k, x in enumerate(times)]
    return (np.concatenate(times) if times else np.zeros(0),
            np.concatenate(rows).astype(int) if rows else np.zeros(0, int))


def synchrony_chi(signals) -> float:
    """Golomb's synchrony index chi in [0, 1] of signals shaped (n_samples, n_cells).

    chi^2 = Var_t[mean over cells] / mean over cells of Var_t[cell]. Cells that never vary (zero
    variance) still count in the mean. Raises ModelError if no cell varies.

    Example:
        >>> t = np.linspace(0, 1, 100)
        >>> round(synchrony_chi(np.stack([np.sin(t), np.sin(t)], axis=1)), 6)
        1.0
    """
    x = np.asarray(signals, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 1:
        raise ModelError(f"signals must be (n_samples >= 2, n_cells >= 1), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ModelError("signals must be finite")
    each = x.var(axis=0).mean()
    if each <= 0:
        raise ModelError("synchrony_chi: no cell varies, chi is undefined")
    return float(np.sqrt(min(1.0, x.mean(axis=1).var() / each)))


def filtered_trains(spikes, t_start: float, t_stop: float, dt: float = 0.5, tau_ms: float = 5.0) -> np.ndarray:
    """Spike trains convolved with a causal exponential exp(-t/tau) (tau ms), sampled every ``dt`` ms.

    Returns (n_samples, n_cells): a smooth activity signal per cell for ``synchrony_chi`` when
    voltages are not at hand.
    """
    a, b = _window(t_start, t_stop)
    dt = check_number("dt", dt, positive=True)
    tau = check_number("tau_ms", tau_ms, positive=True)
    trains = _trains(spikes)
    n = max(2, int(np.floor((b - a) / dt)))
    kernel = np.exp(-dt * np.arange(int(np.ceil(10 * tau / dt)) + 1) / tau)  # to e^-10
    out = np.zeros((n, len(trains)))
    for j, x in enumerate(trains):
        k = np.floor((x[(x >= a) & (x < b)] - a) / dt).astype(int)
        out[:, j] = np.convolve(np.bincount(k[k < n], minlength=n).astype(float), kernel)[:n]
    return out


def population_bursts(t, rate, *, threshold_hz: float,
                      min_gap_ms: float = 20.0) -> list[tuple[float, float, float]]:
    """Episodes in which the population rate exceeds ``threshold_hz``: (start, end, peak Hz) each.

    Episodes closer than ``min_gap_ms`` are merged (one burst with a brief dip is one burst).
    """
    t = np.asarray(t, float)
    r = np.asarray(rate, float)
    if t.shape != r.shape or t.ndim != 1:
        raise ModelError(f"t and rate must be 1-D of the same length, got {t.shape} and {r.shape}")
    thr = check_number("threshold_hz", threshold_hz, nonnegative=True)
    gap = check_number("min_gap_ms", min_gap_ms, nonnegative=True)
    above = r > thr
    if not above.any():
        return []
    edges = np.diff(np.concatenate([[0], above.astype(int), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    episodes: list[list[int]] = []
    for s, e in zip(starts, ends):
        if episodes and t[s] - t[episodes[-1][1]] < gap:
            episodes[-1][1] = e
        else:
            episodes.append([s, e])
    return [(float(t[s]), float(t[e]), float(r[s:e + 1].max())) for s, e in episodes]
