"""Spread along a cable: arrival times, conduction velocity, length constant, linearity.

Pure numpy. Positions in um, times in ms, voltages in mV, velocities in m/s
(1 um/ms = 1e-3 m/s = 1 mm/s).
"""

from __future__ import annotations

import numpy as np

from excitable.analysis.spikes import _as_1d, _as_trace, _interpolate, _up_indices
from excitable.errors import ModelError, check_number

#: m/s per um/ms.
UM_PER_MS_TO_M_PER_S = 1e-3


def _as_pair(x, y, x_name: str, y_name: str, *, allow_nan_y: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Two 1-D arrays of equal length; ``y`` may hold NaN when ``allow_nan_y``."""
    x = _as_1d(x, x_name)
    if allow_nan_y:
        try:
            y = np.asarray(y, dtype=float)
        except (TypeError, ValueError):
            raise ModelError(f"{y_name} must be an array of numbers, got {type(y).__name__}") from None
        if y.ndim != 1:
            raise ModelError(f"{y_name} must be 1-D, got shape {y.shape}")
        if np.any(np.isinf(y)):
            raise ModelError(f"{y_name} must not contain infinite values")
    else:
        y = _as_1d(y, y_name)
    if x.size != y.size:
        raise ModelError(f"{y_name} must have the same length as {x_name}, got {y.size} and {x.size}")
    return x, y


def _line_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares (slope, intercept) of y = slope * x + intercept."""
    xm, ym = x.mean(), y.mean()
    sxx = np.sum((x - xm) ** 2)
    slope = np.sum((x - xm) * (y - ym)) / sxx
    return float(slope), float(ym - slope * xm)


def arrival_times(t, v_matrix, threshold=0.0, *, time_axis: int = 0) -> np.ndarray:
    """First upward crossing of ``threshold`` at each position, interpolated between samples.

    Args:
        t: sample times, ms (1-D, strictly increasing).
        v_matrix: membrane potential, mV, 2-D: one axis is time (``len(t)`` samples), the other is
            position. Default ``time_axis=0``: rows are time samples, columns positions (the
            layout of a time-stepping loop that stacks one state vector per step).
        threshold: crossing level, mV (0 mV is the usual choice for a propagating spike).
        time_axis: which axis of ``v_matrix`` is time, 0 or 1.

    Returns:
        Arrival time per position in ms; NaN where V never crosses ``threshold`` upward.

    Example:
        >>> arrival_times([0, 1, 2], [[-65, -65], [10, -65], [10, 10]])
        array([0.86666667, 1.86666667])
    """
    t, _ = _as_trace(t, t)  # checks t alone: finite, 1-D, strictly increasing
    level = check_number("threshold", threshold)
    if time_axis not in (0, 1, -1, -2):
        raise ModelError(f"time_axis must be 0 or 1, got {time_axis!r}")
    try:
        m = np.asarray(v_matrix, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"v_matrix must be an array of numbers, got {type(v_matrix).__name__}") from None
    if m.ndim != 2:
        raise ModelError(f"v_matrix must be 2-D (time x position), got shape {m.shape}")
    m = np.moveaxis(m, time_axis, 0)
    if m.shape[0] != t.size:
        raise ModelError(f"v_matrix must have len(t) = {t.size} samples along time_axis {time_axis}, "
                         f"got shape {np.moveaxis(m, 0, time_axis).shape}")
    if m.shape[1] == 0:
        raise ModelError("v_matrix has no positions")
    if not np.all(np.isfinite(m)):
        raise ModelError("v_matrix must be finite (it contains NaN or infinite values)")
    out = np.full(m.shape[1], np.nan)
    for p in range(m.shape[1]):
        idx = _up_indices(m[:, p], level)
        if idx.size:
            out[p] = _interpolate(t, m[:, p], idx[:1], level)[0]
    return out


def conduction_velocity(positions_um, arrival_times_ms) -> float:
    """Conduction velocity in m/s from arrival times at several positions.

    Fits ``arrival = t0 + position / velocity`` by least squares (time is the measured quantity, so it
    is the dependent variable) and returns ``velocity * 1e-3`` (um/ms -> m/s). Positions whose arrival
    time is NaN (the spike never got there, e.g. a conduction block) are left out. The sign gives the
    direction: negative when the spike travels toward smaller positions.

    Args:
        positions_um: positions along the cable, um.
        arrival_times_ms: arrival time at each position, ms (NaN allowed).

    Returns:
        Velocity in m/s.

    Example:
        >>> conduction_velocity([0.0, 1000.0, 2000.0], [1.0, 1.5, 2.0])  # 2000 um/ms
        2.0
    """
    x, a = _as_pair(positions_um, arrival_times_ms, "positions_um", "arrival_times_ms", allow_nan_y=True)
    ok = ~np.isnan(a)
    x, a = x[ok], a[ok]
    if np.unique(x).size < 2:
        raise ModelError(f"arrival_times_ms must have finite values at >= 2 distinct positions, got {x.size}")
    slope, _ = _line_fit(x, a)  # ms per um
    if slope == 0.0:
        raise ModelError("arrival_times_ms are all equal: the velocity is infinite")
    return UM_PER_MS_TO_M_PER_S / slope


def length_constant(x_um, v_steady, *, v_rest=0.0) -> float:
    """Length constant (lambda) in um from a steady-state voltage profile along a cable.

    Fits ``|V(x) - v_rest| = A exp(-x / lambda)`` by a straight-line least-squares fit of
    ``log|V - v_rest|`` against ``x``. That is exact for an infinite (or effectively infinite) passive
    cable; near a sealed end the profile is ``cosh((L - x)/lambda)`` and flattens, so fit only points
    well away from the end. Depolarizing and hyperpolarizing profiles both work.

    Args:
        x_um: positions, um, measured from the injection site.
        v_steady: steady-state membrane potential at each position, mV.
        v_rest: resting potential, mV; default 0 (``v_steady`` already a deflection from rest).

    Returns:
        Lambda in um (> 0 for a profile that decays with ``x``; negative if it grows).

    Example:
        >>> import numpy as np
        >>> x = np.array([0.0, 500.0, 1000.0])
        >>> round(length_constant(x, -65 + 10 * np.exp(-x / 1000), v_rest=-65), 6)
        1000.0
    """
    x, v = _as_pair(x_um, v_steady, "x_um", "v_steady")
    rest = check_number("v_rest", v_rest)
    dv = v - rest
    if np.unique(x).size < 2:
        raise ModelError("x_um must hold >= 2 distinct positions")
    if not (np.all(dv > 0) or np.all(dv < 0)):
        raise ModelError("v_steady - v_rest must be nonzero and of one sign at every position")
    slope, _ = _line_fit(x, np.log(np.abs(dv)))
    if slope == 0.0:
        raise ModelError("v_steady does not decay with distance: lambda is infinite")
    return -1.0 / slope


def linearity_r2(x, y) -> float:
    """Coefficient of determination R^2 of the least-squares straight line through (x, y).

    ``R^2 = 1 - SS_res / SS_tot``; 1 for exactly linear data (also when ``y`` is constant, since the
    line then fits exactly). Units of ``x`` and ``y`` do not matter.

    Example:
        >>> linearity_r2([0, 1, 2, 3], [1, 3, 5, 7])
        1.0
    """
    x, y = _as_pair(x, y, "x", "y")
    if np.unique(x).size < 2:
        raise ModelError("x must hold >= 2 distinct values")
    slope, intercept = _line_fit(x, y)
    ss_res = float(np.sum((y - (slope * x + intercept)) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    if ss_tot == 0.0:
        return 1.0
    return 1.0 - ss_res / ss_tot
