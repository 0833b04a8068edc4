"""Action-potential shape: resting potential, peak, undershoot, half-width, threshold, rates.

Pure numpy. Inputs are ``t`` in ms (1-D, strictly increasing, uniform or not) and ``v`` in mV.
Point measurements return ``(time_ms, value)`` tuples of Python floats.

"The spike" below is always the *first* spike: the first upward crossing of ``threshold`` (0 mV by
default, the NetCon criterion of :mod:`excitable.analysis.spikes`). A spike-shape measurement that
cannot be made (no spike, or the trace ends before the needed crossing) returns ``None``, never NaN,
so summaries serialize to JSON ``null``.

Rates of change are the slopes of the straight lines between consecutive samples,
``(v[i+1] - v[i]) / (t[i+1] - t[i])``, placed at the interval midpoints. For a smooth trace that is a
second-order estimate of dV/dt at the midpoint; unlike a central difference it does not blur the jump
in dV/dt where a current pulse switches on or off (the two sides of the jump stay in separate
intervals).
"""

from __future__ import annotations

import numpy as np

from excitable.analysis.spikes import (
    _as_trace,
    _down_indices,
    _interpolate,
    _up_indices,
    firing_rate,
    spike_peaks,
    spike_times,
)
from excitable.errors import ModelError, check_number


def _slopes(t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interval midpoints (ms) and secant slopes (mV/ms)."""
    if t.size < 2:
        raise ModelError(f"t must have at least 2 samples to take a rate of change, got {t.size}")
    return 0.5 * (t[:-1] + t[1:]), np.diff(v) / np.diff(t)


def _first_spike(t, v, threshold) -> tuple[float, float, float] | None:
    """(crossing time, peak time, peak value) of the first spike, or None."""
    s = spike_times(t, v, threshold=threshold, min_interval_ms=0.0)
    if s.size == 0:
        return None
    pt, pv = spike_peaks(t, v, s[:1], threshold=threshold)
    return float(s[0]), float(pt[0]), float(pv[0])


def resting_potential(t, v, *, before_ms, window_ms=1.0) -> float:
    """Resting potential: the time-average of V over the ``window_ms`` before ``before_ms``, mV.

    The average is the trapezoid integral of the piecewise-linear trace over
    ``[before_ms - window_ms, before_ms]`` divided by the window length, so a non-uniform sampling is
    weighted correctly. If the trace starts later than ``before_ms - window_ms``, the shorter window
    from ``t[0]`` is used; if ``before_ms <= t[0]`` there is no data before it and the first sample
    ``v[0]`` is returned (a simulation's initial state, which is the rest when it starts at steady
    state).

    Args:
        t: sample times, ms.
        v: membrane potential, mV.
        before_ms: end of the averaging window, ms (typically the stimulus onset).
        window_ms: length of the window, ms (> 0).

    Returns:
        Mean membrane potential in mV. A ``before_ms`` after the last sample ends the window there.

    Example:
        >>> resting_potential([0, 1, 2, 3], [-65, -65, -65, 0], before_ms=2.0)
        -65.0
    """
    t, v = _as_trace(t, v)
    b = check_number("before_ms", before_ms)
    w = check_number("window_ms", window_ms, positive=True)
    b = min(b, float(t[-1]))
    a = max(b - w, float(t[0]))
    if b <= a:
        return float(v[0])
    inside = (t > a) & (t < b)
    tw = np.concatenate([[a], t[inside], [b]])
    vw = np.interp(tw, t, v)
    area = np.sum(0.5 * (vw[1:] + vw[:-1]) * np.diff(tw))
    return float(area / (b - a))


def peak(t, v) -> tuple[float, float]:
    """Time (ms) and value (mV) of the largest sample of the whole trace (the first, if tied).

    Example:
        >>> peak([0, 1, 2], [-65, 40, -70])
        (1.0, 40.0)
    """
    t, v = _as_trace(t, v)
    j = int(np.argmax(v))
    return float(t[j]), float(v[j])


def undershoot(t, v, *, after_ms=None, threshold=0.0) -> tuple[float, float] | None:
    """Afterhyperpolarization: the lowest sample after the first spike's peak, before the next spike.

    The search runs from ``after_ms`` (default: the time of the first spike's peak) to the next
    upward crossing of ``threshold`` after it, or to the end of the trace. If the trace ends while V
    is still falling, the last sample is returned: a bound, not a minimum. Without an undershoot
    (V decays to rest from above) the result is the lowest point of that decay. With the default
    start, a spike that has not fallen back below ``threshold`` by the end of the trace has no
    undershoot yet (``None``).

    Args:
        t: sample times, ms.
        v: membrane potential, mV.
        after_ms: start of the search, ms; ``None`` for the first spike's peak.
        threshold: spike detection level, mV.

    Returns:
        ``(time_ms, value_mV)``, or ``None`` if ``after_ms`` is None and there is no spike or the
        spike does not end within the trace.

    Example:
        >>> undershoot([0, 1, 2, 3, 4], [-65, 40, -70, -76, -66])
        (3.0, -76.0)
    """
    t, v = _as_trace(t, v)
    level = check_number("threshold", threshold)
    if after_ms is None:
        first = _first_spike(t, v, level)
        if first is None:
            return None
        start = first[1]
    else:
        start = check_number("after_ms", after_ms)
        if not t[0] <= start <= t[-1]:
            raise ModelError(f"after_ms must lie within t = [{t[0]}, {t[-1]}] ms, got {start}")
    ups = _interpolate(t, v, _up_indices(v, level), level)
    later = ups[ups > start]
    lo = np.searchsorted(t, start, side="left")
    # The next spike's crossing lies between two samples; stop at the sample before it.
    hi = np.searchsorted(t, later[0], side="left") if later.size else t.size
    hi = max(hi, lo + 1)
    j = lo + int(np.argmin(v[lo:hi]))
    if after_ms is None and not v[j] < level:
        return None  # the first spike has not come back below threshold before the trace ends
    return float(t[j]), float(v[j])


def half_width(t, v, *, rest=None, threshold=0.0) -> float | None:
    """Spike half-width: time spent above the half-amplitude level ``(rest + peak) / 2``, ms.

    This is the spec's definition (PHENOMENA-SPEC section 1, "half-width (at (rest+peak)/2)"):
    ``peak`` is the first spike's peak, the rising crossing is the last upward crossing of the level
    before the peak and the falling one the first downward crossing after it, both linearly
    interpolated between samples.

    Args:
        t: sample times, ms.
        v: membrane potential, mV.
        rest: resting potential, mV; default ``v[0]``. Pass :func:`resting_potential` when the trace
            does not start at rest.
        threshold: spike detection level, mV.

    Returns:
        Half-width in ms, or ``None`` if there is no spike, the peak is not above ``rest``, or the
        trace starts or ends above the half level.

    Example:
        >>> half_width([0, 1, 2, 3, 4], [-60, -60, 40, -60, -60])
        1.0
    """
    t, v = _as_trace(t, v)
    level = check_number("threshold", threshold)
    base = float(v[0]) if rest is None else check_number("rest", rest)
    first = _first_spike(t, v, level)
    if first is None or not first[2] > base:
        return None
    _, t_peak, v_peak = first
    half = 0.5 * (base + v_peak)
    ups = _interpolate(t, v, _up_indices(v, half), half)
    downs = _interpolate(t, v, _down_indices(v, half), half)
    rising = ups[ups <= t_peak]
    falling = downs[downs >= t_peak]
    if rising.size == 0 or falling.size == 0:
        return None
    return float(falling[0] - rising[-1])


def threshold_voltage(t, v, *, dvdt=10.0, threshold=0.0, rate=None) -> tuple[float, float] | None:
    """Spike threshold by the dV/dt criterion: V where dV/dt first reaches ``dvdt`` on the upstroke.

    Criterion: take the run of consecutive intervals with dV/dt >= ``dvdt`` (mV/ms) that contains
    the first spike's upward crossing of ``threshold``; the spike threshold is where dV/dt crosses
    ``dvdt`` at the start of that run (linear interpolation of the secant slopes between interval
    midpoints), and the voltage there (linear interpolation of ``v``). Default 10 mV/ms, as in
    PHENOMENA-SPEC (HH at 6.3 degC: -51.1 mV). Using the run that leads into the spike skips an
    earlier, separate excursion of dV/dt, e.g. the jump at the onset of a strong current pulse,
    as long as dV/dt falls below ``dvdt`` in between; if it never does, the threshold cannot be
    told apart from the stimulus and ``None`` is returned.

    ``rate`` applies the same criterion to another rate sampled at ``t`` instead of the secant slopes,
    interpolated between samples: the membrane's own rate of rise ``-I_ion / C_m`` (mV/ms, the dV/dt
    the ionic currents alone would give) finds where V starts to rise by itself even while a strong
    pulse drives dV/dt above ``dvdt`` from its onset; without a stimulus the two rates are equal.

    Args:
        t: sample times, ms.
        v: membrane potential, mV.
        dvdt: rate criterion, mV/ms (> 0).
        threshold: spike detection level, mV.
        rate: optional rate sampled at ``t``, mV/ms (same length as ``t``).

    Returns:
        ``(time_ms, voltage_mV)``, or ``None`` if there is no spike, dV/dt is below ``dvdt`` where
        the spike crosses ``threshold``, or the run starts at the beginning of the trace.

    Example:
        >>> threshold_voltage([0, 1, 2, 3, 4], [-70, -65, -55, 15, -60])
        (1.5, -60.0)
    """
    t, v = _as_trace(t, v)
    crit = check_number("dvdt", dvdt, positive=True)
    level = check_number("threshold", threshold)
    first = _first_spike(t, v, level)
    if first is None:
        return None
    if rate is None:
        tm, sl = _slopes(t, v)
    else:
        tm, sl = t, np.asarray(rate, dtype=float)
        if sl.shape != t.shape:
            raise ModelError(f"rate must have one value per sample of t ({t.size}), got shape {sl.shape}")
    # the interval holding the crossing (secant slopes), or the last sample before it (a sampled rate)
    k = int(np.searchsorted(t, first[0], side="left")) - 1
    k = max(k, 0)
    if sl[k] < crit:
        return None
    below = np.flatnonzero(sl[:k] < crit)
    if below.size == 0:
        return None
    j = int(below[-1])
    frac = (crit - sl[j]) / (sl[j + 1] - sl[j])
    tc = float(tm[j] + frac * (tm[j + 1] - tm[j]))
    return tc, float(np.interp(tc, t, v))


def max_rise_rate(t, v) -> tuple[float, float]:
    """Steepest rise: ``(time_ms, rate_mV_per_ms)`` of the largest secant slope of the trace.

    The time is the midpoint of the steepest sampling interval. Slice the trace to restrict the
    search (e.g. to one spike's upstroke).

    Example:
        >>> max_rise_rate([0, 1, 2, 3], [-65, -60, 30, -70])
        (1.5, 90.0)
    """
    tm, sl = _slopes(*_as_trace(t, v))
    j = int(np.argmax(sl))
    return float(tm[j]), float(sl[j])


def max_fall_rate(t, v) -> tuple[float, float]:
    """Steepest fall: ``(time_ms, rate_mV_per_ms)`` of the most negative secant slope (rate < 0).

    Example:
        >>> max_fall_rate([0, 1, 2, 3], [-65, -60, 30, -70])
        (2.5, -100.0)
    """
    tm, sl = _slopes(*_as_trace(t, v))
    j = int(np.argmin(sl))
    return float(tm[j]), float(sl[j])


def action_potential_summary(t, v, *, stimulus_onset_ms, threshold=0.0, dvdt=10.0) -> dict:
    """Every standard measurement of the first action potential after ``stimulus_onset_ms``.

    ``rest_mV`` is :func:`resting_potential` over the 1 ms before the onset. The other values use the
    trace from the last sample at or before the onset to the end: spikes are upward crossings of
    ``threshold`` (:func:`spike_times`, 1 ms de-bounce), the firing rate counts them from the onset
    to the last sample (None for a single spike: one spike has no rate; 0 Hz when none), and the shape values describe the first spike: its peak, the undershoot
    before the next spike, the half-width at ``(rest_mV + peak_mV) / 2``, the dV/dt = ``dvdt``
    threshold, the steepest rise from the onset to the peak and the steepest fall from the peak to
    the undershoot (or to the end of a trace that stops mid-spike). Values that need a spike (or a
    crossing the trace does not contain) are ``None``, so the dict serializes to JSON with ``null``,
    never NaN.

    Args:
        t: sample times, ms.
        v: membrane potential, mV.
        stimulus_onset_ms: time the stimulus starts, ms (within the trace, before its last sample).
        threshold: spike detection level, mV.
        dvdt: rate criterion for ``threshold_mV``, mV/ms.

    Returns:
        A dict with keys ``rest_mV``, ``peak_mV``, ``peak_time_ms``, ``undershoot_mV``,
        ``undershoot_time_ms``, ``half_width_ms``, ``threshold_mV``, ``n_spikes``,
        ``spike_times_ms`` (list), ``max_rise_mV_ms``, ``max_fall_mV_ms`` and ``firing_rate_hz``.

    Example:
        >>> s = action_potential_summary([0, 1, 2, 3, 4, 5], [-65, -65, -50, 40, -70, -66],
        ...                              stimulus_onset_ms=1.0)
        >>> s["peak_mV"], s["n_spikes"], s["undershoot_mV"]
        (40.0, 1, -70.0)
    """
    t, v = _as_trace(t, v)
    onset = check_number("stimulus_onset_ms", stimulus_onset_ms)
    level = check_number("threshold", threshold)
    if not t[0] <= onset < t[-1]:
        raise ModelError(f"stimulus_onset_ms must lie within [{t[0]}, {t[-1]}) ms, got {onset}")
    rest = resting_potential(t, v, before_ms=onset)
    i0 = int(np.searchsorted(t, onset, side="right")) - 1
    ts, vs = t[i0:], v[i0:]
    spikes = spike_times(ts, vs, threshold=level)
    out = {
        "rest_mV": rest,
        "peak_mV": None,
        "peak_time_ms": None,
        "undershoot_mV": None,
        "undershoot_time_ms": None,
        "half_width_ms": None,
        "threshold_mV": None,
        "n_spikes": int(spikes.size),
        "spike_times_ms": [float(s) for s in spikes],
        "max_rise_mV_ms": None,
        "max_fall_mV_ms": None,
        "firing_rate_hz": None if spikes.size == 1 else firing_rate(spikes, onset, float(t[-1])),
    }
    if spikes.size == 0:
        return out
    pt, pv = (float(x[0]) for x in spike_peaks(ts, vs, spikes[:1], threshold=level))
    out["peak_mV"], out["peak_time_ms"] = pv, pt
    trough = undershoot(ts, vs, threshold=level)
    if trough is not None:
        out["undershoot_time_ms"], out["undershoot_mV"] = trough
    out["half_width_ms"] = half_width(ts, vs, rest=rest, threshold=level)
    thr = threshold_voltage(ts, vs, dvdt=dvdt, threshold=level)
    out["threshold_mV"] = None if thr is None else thr[1]
    up = ts <= pt
    if np.count_nonzero(up) >= 2:
        out["max_rise_mV_ms"] = max_rise_rate(ts[up], vs[up])[1]
    down = (ts >= pt) & (ts <= (float(ts[-1]) if trough is None else trough[0]))
    if np.count_nonzero(down) >= 2:
        out["max_fall_mV_ms"] = max_fall_rate(ts[down], vs[down])[1]
    return out
