"""Refractory periods from a paired-pulse experiment (pure helpers, no simulation).

A paired-pulse protocol (PHENOMENA-SPEC row 13) gives, for each tested interval between the
conditioning and the test pulse, the smallest test amplitude that still evokes a (regenerative)
second spike, found by bisection up to a largest tested strength (the cap), or ``None`` when no
amplitude up to the cap evokes one. These helpers turn that list of ``(interval_ms, threshold)``
pairs into the absolute and relative refractory periods. Amplitudes may be in any unit (uA/cm2, nA)
as long as ``control_threshold`` uses the same one.

Definitions (both depend on the tested grid of intervals and, for the absolute period, on the cap):

- absolute refractory period: the longest tested interval at which no second spike could be evoked
  at the largest tested strength (threshold ``None``). The true boundary lies between it and the
  next longer tested interval.
- relative refractory period (its end): the interval at which the test threshold has come back to
  within ``tolerance`` (default 5 %) of the single-pulse (control) threshold, i.e. the ratio
  threshold / control falls to ``1 + tolerance`` and stays at or below it for all longer tested
  intervals. A later *supernormal* dip below the control (HH: ~0.85x at 20 ms) does not count as
  refractory.
"""

from __future__ import annotations

import math

import numpy as np

from excitable.errors import ModelError, check_number


def _as_trials(trials) -> tuple[np.ndarray, list]:
    """Validated trials sorted by interval: (intervals in ms, thresholds or None)."""
    try:
        pairs = [tuple(p) for p in trials]
    except TypeError:
        msg = f"trials must be a sequence of (interval_ms, threshold) pairs, got {trials!r}"
        raise ModelError(msg) from None
    if not pairs:
        raise ModelError("trials is empty")
    intervals, thresholds = [], []
    for k, pair in enumerate(pairs):
        if len(pair) != 2:
            raise ModelError(f"trials[{k}] must be an (interval_ms, threshold) pair, got {pair!r}")
        intervals.append(check_number(f"trials[{k}] interval_ms", pair[0], nonnegative=True))
        thr = pair[1]
        if thr is not None:
            try:
                thr = float(thr)
            except (TypeError, ValueError):
                thr = math.nan
            if not (math.isfinite(thr) and thr > 0):
                raise ModelError(f"trials[{k}] threshold must be a positive number or None, got {pair[1]!r}")
        thresholds.append(thr)
    order = np.argsort(intervals, kind="stable")
    iv = np.asarray(intervals)[order]
    dup = np.flatnonzero(np.diff(iv) == 0)
    if dup.size:
        raise ModelError(f"trials has the interval {iv[dup[0]]} ms more than once")
    return iv, [thresholds[i] for i in order]


def recovery_curve(trials, *, control_threshold) -> tuple[np.ndarray, np.ndarray]:
    """Test threshold relative to the control threshold, sorted by interval.

    Args:
        trials: ``(interval_ms, threshold)`` pairs; threshold ``None`` when no spike was evoked up to
            the largest tested strength.
        control_threshold: single-pulse threshold, same unit as the thresholds (> 0).

    Returns:
        ``(intervals_ms, ratios)``: increasing intervals and threshold / control, NaN where ``None``
        (a plotting-friendly form; the other helpers keep ``None`` as "no spike").

    Example:
        >>> recovery_curve([(10.0, 13.8), (8.0, None)], control_threshold=6.9)
        (array([ 8., 10.]), array([nan,  2.]))
    """
    iv, thr = _as_trials(trials)
    control = check_number("control_threshold", control_threshold, positive=True)
    ratios = np.array([math.nan if x is None else x / control for x in thr])
    return iv, ratios


def absolute_refractory_period(trials) -> float | None:
    """Longest tested interval (ms) at which no second spike could be evoked, at any tested strength.

    Args:
        trials: ``(interval_ms, threshold)`` pairs; threshold ``None`` means no spike up to the cap.

    Returns:
        The interval in ms, or ``None`` if a spike was evoked at every tested interval (the absolute
        period is then shorter than the shortest interval tested).

    Example:
        >>> absolute_refractory_period([(5.0, None), (7.0, None), (7.5, 60.7), (10.0, 26.2)])
        7.0
    """
    iv, thr = _as_trials(trials)
    silent = [x for x, th in zip(iv, thr) if th is None]
    return float(max(silent)) if silent else None


def relative_refractory_period(trials, *, control_threshold, tolerance=0.05) -> float | None:
    """Interval (ms) at which the test threshold is back within ``tolerance`` of the control threshold.

    Let ``k`` be the longest tested interval that is still refractory (no spike, or
    threshold / control > 1 + ``tolerance``). The answer lies between interval ``k`` and the next
    one: where the ratio falls through ``1 + tolerance``, linearly interpolated between the two, or
    the next interval itself when ``k`` evoked no spike (no ratio to interpolate from).

    Args:
        trials: ``(interval_ms, threshold)`` pairs; threshold ``None`` means no spike up to the cap.
        control_threshold: single-pulse threshold, same unit as the thresholds (> 0).
        tolerance: fraction above the control still counted as recovered (default 0.05 = 5 %).

    Returns:
        The end of the relative refractory period in ms, or ``None`` when the tested intervals do
        not bracket the recovery (already recovered at the shortest one, or not yet at the longest).

    Example:
        >>> trials = [(9.0, 35.2), (12.0, 15.2), (15.0, 8.2), (20.0, 5.9), (25.0, 6.9)]
        >>> round(relative_refractory_period(trials, control_threshold=6.9), 3)
        17.076
    """
    iv, ratios = recovery_curve(trials, control_threshold=control_threshold)
    tol = check_number("tolerance", tolerance, nonnegative=True)
    limit = 1.0 + tol
    # NaN (no spike) compares False with <=, so it counts as refractory, as it should.
    refractory = np.flatnonzero(~(ratios <= limit))
    if refractory.size == 0 or refractory[-1] == iv.size - 1:
        return None
    k = int(refractory[-1])
    if math.isnan(ratios[k]):
        return float(iv[k + 1])
    frac = (ratios[k] - limit) / (ratios[k] - ratios[k + 1])
    return float(iv[k] + frac * (iv[k + 1] - iv[k]))
