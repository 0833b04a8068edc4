"""Spike detection on voltage traces: threshold crossings, spike times, rates, intervals and peaks.

Pure numpy. Inputs are a time vector ``t`` in ms (1-D, strictly increasing, uniform or not) and a
voltage vector ``v`` in mV of the same length. Every function validates its inputs and raises
:class:`excitable.errors.ModelError` with a one-line message naming the offending argument.

Conventions (shared by :mod:`excitable.analysis.shape`):

- An *upward crossing* of a level ``L`` lies between samples ``i`` and ``i + 1`` with
  ``v[i] < L <= v[i + 1]``; a *downward crossing* has ``v[i] >= L > v[i + 1]``. Using ``>=`` on the
  upper side is the rule of NEURON's APCount (``v >= thresh``), so the sample times reported by
  :func:`step_times` are the ones APCount and NetCon record at a fixed step.
- A trace that starts at or above the level has no crossing at ``t[0]``: a crossing needs a sample
  below the level first.
"""

from __future__ import annotations

import numpy as np

from excitable.errors import ModelError, check_number

_DIRECTIONS = ("up", "down", "both")


def _as_1d(x, name: str) -> np.ndarray:
    """``x`` as a finite, non-empty, 1-D float array, or ModelError naming ``name``."""
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"{name} must be an array of numbers, got {type(x).__name__}") from None
    if a.ndim != 1:
        raise ModelError(f"{name} must be 1-D, got shape {a.shape}")
    if a.size == 0:
        raise ModelError(f"{name} is empty")
    bad = np.flatnonzero(~np.isfinite(a))
    if bad.size:
        raise ModelError(f"{name} must be finite, got {a[bad[0]]} at index {bad[0]}")
    return a


def _as_trace(t, v) -> tuple[np.ndarray, np.ndarray]:
    """Validate a (t, v) pair: same length, finite, t strictly increasing."""
    t = _as_1d(t, "t")
    v = _as_1d(v, "v")
    if t.size != v.size:
        raise ModelError(f"v must have the same length as t, got {v.size} and {t.size}")
    steps = np.diff(t)
    if steps.size and not np.all(steps > 0):
        i = int(np.flatnonzero(steps <= 0)[0])
        raise ModelError(f"t must be strictly increasing, got t[{i}] = {t[i]} and t[{i + 1}] = {t[i + 1]}")
    return t, v


def _up_indices(v: np.ndarray, level: float) -> np.ndarray:
    """Indices ``i`` with ``v[i] < level <= v[i + 1]``."""
    above = v >= level
    return np.flatnonzero(~above[:-1] & above[1:])


def _down_indices(v: np.ndarray, level: float) -> np.ndarray:
    """Indices ``i`` with ``v[i] >= level > v[i + 1]``."""
    above = v >= level
    return np.flatnonzero(above[:-1] & ~above[1:])


def _interpolate(t: np.ndarray, v: np.ndarray, i: np.ndarray, level: float) -> np.ndarray:
    """Time at which the straight line between samples ``i`` and ``i + 1`` reaches ``level``."""
    # A crossing implies v[i] != v[i + 1], so the division is safe.
    frac = (level - v[i]) / (v[i + 1] - v[i])
    return t[i] + frac * (t[i + 1] - t[i])


def crossing_times(t, v, threshold=0.0, *, direction: str = "up") -> np.ndarray:
    """Times at which ``v`` crosses ``threshold``, linearly interpolated between samples.

    Args:
        t: sample times, ms (1-D, strictly increasing).
        v: membrane potential, mV, same length as ``t``.
        threshold: level to cross, mV.
        direction: ``"up"`` (from below to at-or-above), ``"down"`` (from at-or-above to below) or
            ``"both"``.

    Returns:
        Crossing times in ms, increasing (empty array if there are none). The interpolation error is
        at most ``dt**2 * max|v''| / (8 |v'|)`` at the crossing.

    Example:
        >>> crossing_times([0, 1, 2, 3], [-1, 1, -1, 1])
        array([0.5, 2.5])
    """
    t, v = _as_trace(t, v)
    level = check_number("threshold", threshold)
    if direction not in _DIRECTIONS:
        raise ModelError(f"direction must be one of {_DIRECTIONS}, got {direction!r}")
    if direction == "up":
        idx = _up_indices(v, level)
    elif direction == "down":
        idx = _down_indices(v, level)
    else:
        idx = np.sort(np.concatenate([_up_indices(v, level), _down_indices(v, level)]))
    return _interpolate(t, v, idx, level)


def _spike_indices(t, v, threshold, min_interval_ms) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Validated trace plus the upward-crossing indices kept after the refractory de-bounce."""
    t, v = _as_trace(t, v)
    level = check_number("threshold", threshold)
    gap = check_number("min_interval_ms", min_interval_ms, nonnegative=True)
    idx = _up_indices(v, level)
    times = _interpolate(t, v, idx, level)
    # Noise riding on the threshold makes several crossings within one spike; keep a crossing only if
    # it comes at least `gap` after the last one kept (a greedy pass: the kept times are what matter).
    keep = np.zeros(idx.size, dtype=bool)
    last = -np.inf
    for k, s in enumerate(times):
        if s - last >= gap:
            keep[k] = True
            last = s
    return t, v, idx[keep], level


def spike_times(t, v, *, threshold=0.0, min_interval_ms=1.0) -> np.ndarray:
    """Spike times: upward crossings of ``threshold``, interpolated between samples.

    This is the NEURON NetCon/APCount criterion (V reaching ``threshold`` from below; 0 mV by
    default, as NEURON's NetCon and the spec use), with the crossing time interpolated instead of
    rounded up to the next step. Crossings closer than ``min_interval_ms`` to the previous spike
    are dropped, so that noise around the threshold does not count one spike twice.

    Args:
        t: sample times, ms.
        v: membrane potential, mV.
        threshold: spike detection level, mV.
        min_interval_ms: shortest accepted interval between spikes, ms (0 keeps every crossing).

    Returns:
        Spike times in ms, increasing.

    Example:
        >>> spike_times([0, 1, 2, 3, 4], [-60, 20, -60, -60, 20])
        array([0.75, 3.75])
    """
    t, v, idx, level = _spike_indices(t, v, threshold, min_interval_ms)
    return _interpolate(t, v, idx, level)


def step_times(t, v, *, threshold=0.0, min_interval_ms=1.0) -> np.ndarray:
    """Spike times as NEURON's APCount reports them: the first sample at or above ``threshold``.

    Same spikes as :func:`spike_times` (one entry per entry there, in the same order), but each time
    is the sample ``t[i + 1]`` with ``v[i] < threshold <= v[i + 1]`` rather than the interpolated
    crossing. It is later than the interpolated time by less than one sampling step.

    Args:
        t: sample times, ms.
        v: membrane potential, mV.
        threshold: spike detection level, mV.
        min_interval_ms: shortest accepted interval between spikes, ms.

    Returns:
        Sample times in ms, increasing.

    Example:
        >>> step_times([0, 1, 2, 3, 4], [-60, 20, -60, -60, 20])
        array([1., 4.])
    """
    t, _, idx, _ = _spike_indices(t, v, threshold, min_interval_ms)
    return t[idx + 1]


def _as_times(spike_times, name: str = "spike_times") -> np.ndarray:
    """Spike times as a finite 1-D array in increasing order; an empty input is allowed."""
    if np.size(spike_times) == 0:
        return np.empty(0)
    a = _as_1d(spike_times, name)
    if np.any(np.diff(a) < 0):
        raise ModelError(f"{name} must be in increasing order")
    return a


def firing_rate(spike_times, t_start, t_stop) -> float:
    """Mean firing rate in Hz: spikes with ``t_start <= s < t_stop`` per second.

    Args:
        spike_times: spike times, ms (may be empty).
        t_start: start of the counting window, ms.
        t_stop: end of the counting window, ms (exclusive; must be > ``t_start``).

    Returns:
        Rate in Hz (spikes per second; the window is converted from ms with 1 s = 1000 ms).

    Example:
        >>> firing_rate([10.0, 20.0, 30.0], 0.0, 100.0)
        30.0
    """
    s = _as_times(spike_times)
    a = check_number("t_start", t_start)
    b = check_number("t_stop", t_stop)
    if not b > a:
        raise ModelError(f"t_stop must be > t_start, got t_start = {a} and t_stop = {b}")
    n = int(np.count_nonzero((s >= a) & (s < b)))
    return 1000.0 * n / (b - a)


def interspike_intervals(spike_times) -> np.ndarray:
    """Intervals between consecutive spikes, ms (one fewer than the spikes; empty for < 2 spikes).

    Example:
        >>> interspike_intervals([10.0, 25.0, 45.0])
        array([15., 20.])
    """
    return np.diff(_as_times(spike_times))


def spike_peaks(t, v, spike_times, *, threshold=0.0) -> tuple[np.ndarray, np.ndarray]:
    """Time and value of the maximum of each spike.

    Spike ``k`` is searched from its time ``spike_times[k]`` to the first downward crossing of
    ``threshold`` after it, or to the next spike, or to the end of the trace, whichever comes first
    (so a spike cut off by the end of the recording still gets its largest sample). The maximum is
    the largest *sample* (no sub-sample refinement, as NEURON's recorded vectors give; at dt =
    0.025 ms the HH peak is under-read by < 0.02 mV).

    Args:
        t: sample times, ms.
        v: membrane potential, mV.
        spike_times: spike times in ms, increasing, e.g. from :func:`spike_times`.
        threshold: the detection level used for ``spike_times``, mV.

    Returns:
        ``(peak_times_ms, peak_values_mV)``, two arrays with one entry per spike.

    Example:
        >>> spike_peaks([0, 1, 2, 3], [-60, 30, 10, -60], [0.67])
        (array([1.]), array([30.]))
    """
    t, v = _as_trace(t, v)
    s = _as_times(spike_times)
    level = check_number("threshold", threshold)
    if s.size and (s[0] < t[0] or s[-1] > t[-1]):
        raise ModelError(f"spike_times must lie within t = [{t[0]}, {t[-1]}] ms, got {s[0]} ... {s[-1]}")
    downs = _interpolate(t, v, _down_indices(v, level), level)
    peak_t = np.empty(s.size)
    peak_v = np.empty(s.size)
    for k, start in enumerate(s):
        later_downs = downs[downs > start]
        end = later_downs[0] if later_downs.size else t[-1]
        if k + 1 < s.size:
            end = min(end, s[k + 1])
        lo = np.searchsorted(t, start, side="left")
        hi = np.searchsorted(t, end, side="right")
        if hi <= lo:
            raise ModelError(f"spike_times[{k}] = {start} ms has no sample before V falls below threshold")
        j = lo + int(np.argmax(v[lo:hi]))
        peak_t[k], peak_v[k] = t[j], v[j]
    return peak_t, peak_v
