"""The threshold searches of all-or-none and gates-overlap, as a few batched runs instead of a
bisection of one run after another (a slider move on those pages answers in tens of ms).

The criterion and the stopping rule are the bisection's: the threshold is the smallest amplitude
whose response overshoots ``SPIKE_LEVEL_MV``, bracketed by [lo, hi] (lo does not fire, hi does) until
(hi - lo) <= tolerance x hi, and the answer is the bracket's middle. Both searches therefore land
within tolerance x threshold of the true threshold, and of each other. What changes is how the
bracket shrinks: each round runs ``POINTS`` amplitudes at once (one ``vmap``-ed program of a fixed
batch size, compiled once; two searches share them, 16 each) and keeps the interval between the last one that does not fire and the
first one that does. The first round spreads its points geometrically over
[max_amplitude / 1000, max_amplitude] (a threshold can sit anywhere in three decades), the next
ones evenly: from [0, 200] to 1e-4 in 3-4 rounds instead of ~20 bisection steps.

Thresholds found are kept (``remember``/``recall``, a small LRU keyed by everything that sets them),
so a slider that does not move the threshold (gates-overlap's amplitude, a multiple of it) runs no
search at all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from excitable.errors import ModelError

#: Amplitudes run at once per search and per round: one batch of a fixed size, so one program.
POINTS = 32
#: The first round's grid spans this many times max_amplitude down to max_amplitude (geometric).
FIRST_SPAN = 1e-3
#: Thresholds kept for ``recall`` (a class moving sliders on a few settings).
MEMORY = 256


def grid(lo: float, hi: float, first: bool, points: int = POINTS) -> np.ndarray:
    """``points`` amplitudes in (lo, hi]: geometric from hi x FIRST_SPAN on the first round, else even."""
    if first and lo <= 0.0:
        return hi * np.geomspace(FIRST_SPAN, 1.0, points)
    return lo + (hi - lo) * np.arange(1, points + 1) / points


def narrow(lo: float, hi: float, amps: np.ndarray, fires: np.ndarray) -> tuple[float, float]:
    """The bracket after one round: [last amplitude that does not fire, first one that does].

    ``amps`` ascending in (lo, hi]; the largest is ``hi``, which fires (known, or checked first).
    """
    k = int(np.argmax(fires)) if fires.any() else len(amps) - 1
    return (float(amps[k - 1]) if k > 0 else lo), float(amps[k])


def search(peaks_of, uppers, tolerance: float, level: float, what: str) -> np.ndarray:
    """Thresholds of several searches at once (one per entry of ``uppers``, e.g. one per temperature).

    ``peaks_of(amps)`` takes an array (n_searches, POINTS // n_searches) of amplitudes and returns
    the peak response of each (same shape, mV), in one batched run: the searches share one batch of
    ``POINTS``, so one program serves one search or two. Raises ModelError naming ``what`` if a
    search's upper end does not fire.
    """
    uppers = np.asarray(uppers, dtype=float)
    points = POINTS // len(uppers)
    lo, hi = np.zeros(len(uppers)), uppers.copy()
    first = True
    while first or np.any(hi - lo > tolerance * hi):
        amps = np.stack([grid(a, b, first, points) for a, b in zip(lo, hi)])
        fires = np.asarray(peaks_of(amps)) >= level
        if first and not fires[:, -1].all():
            bad = float(uppers[int(np.argmin(fires[:, -1]))])
            raise ModelError(f"no action potential up to {what} = {bad:g} uA/cm2")
        for j in range(len(uppers)):
            if first or hi[j] - lo[j] > tolerance * hi[j]:
                lo[j], hi[j] = narrow(lo[j], hi[j], amps[j], fires[j])
        first = False
    return 0.5 * (lo + hi)


_memory: OrderedDict = OrderedDict()
_lock = threading.Lock()


def recall(key):
    """A threshold ``remember``-ed under ``key`` (hashable), or None."""
    with _lock:
        if key in _memory:
            _memory.move_to_end(key)
            return _memory[key]
    return None


def remember(key, value) -> None:
    with _lock:
        _memory[key] = value
        _memory.move_to_end(key)
        while len(_memory) > MEMORY:
            _memory.popitem(last=False)
