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
search at all. A slider that does move it (gates-overlap's temperature, or one other setting) starts
from the threshold remembered nearest to the new setting (``nearest``), or from the line through the
two nearest along the moved slider (``predicted``, 10-1000x closer): the first round spends its
points on a fan around that seed instead of three decades, so a move that shifts the threshold by
less than ~0.07 % (a delay, window or textbook temperature step) takes 1 round, a small move 2
instead of 4 (``fan``), and a seed more than ``SEED_SPAN`` off one round more than no seed. The seed is
only a guess: the fan's ends are run like every other point, the bracket is the points' own verdict,
and a seed whose fan does not contain the threshold is widened (down to 0 or up to max_amplitude), so
the criterion, the stopping rule and hence the threshold (within the tolerance) are the unseeded
search's.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache

import numpy as np

from excitable.errors import ModelError

#: Amplitudes run at once per search and per round: one batch of a fixed size, so one program.
POINTS = 32
#: The first round's grid spans this many times max_amplitude down to max_amplitude (geometric).
FIRST_SPAN = 1e-3
#: A seeded first round reaches this factor either side of the seed (the temperature slider's
#: steepest stretch, the squid axon above 25 degC, moves the threshold ~15 % per 0.5 degC step).
SEED_SPAN = 2.0
#: The fan's middle points sit this times the tolerance apart (log): two of them bracket a threshold
#: to the tolerance in one round (b - a = b (1 - exp(-FINE tol)) < tol x b).
FINE = 0.99
#: Points per side of a fan in its three zones (fine, middle, tail), by the fan's size: one search
#: (32) or two sharing a batch (16). Tuned on the lab's moves: a 0.5-degC step of the textbook
#: cell moves its threshold 0.02-0.07 %, inside the fine zone of 32 (+/- 0.074 %: 1 round, 2
#: before); a delay or window move moves both temperatures' thresholds by at most 0.009 %, inside
#: that of 16 (+/- 0.015 %: 1 round, 2 before); the middle of 32 reaches 1.5 % (2 rounds), of 16
#: 0.45 % (a gK_scale step of the textbook cell, 0.4 %: 2 rounds); a pulse step (8-9 %) is in the
#: tail (3-4 rounds, as before).
ZONES = {32: (8, 5, 3), 16: (2, 3, 3)}
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


@lru_cache(maxsize=32)
def fan(points: int, tolerance: float) -> np.ndarray:
    """Log offsets from the seed (ascending, ``points`` of them, symmetric) of a seeded first round.

    Three zones on each side. Half of its points, the middle, sit ``FINE x tolerance`` apart: a
    threshold between two of them is bracketed to the tolerance at once (1 round: a seed that is
    the threshold of a nearby setting, e.g. a delay or window move, or a 0.5-degC step of the
    textbook cell). Then points ``0.9 x tolerance x points`` apart: a threshold between two of them
    is closed by one more even round of ``points`` (2 rounds). The last third of the rest, at least
    one, reach ``SEED_SPAN`` with gaps growing by a constant factor: a threshold there costs 3-4
    rounds with 32 points (3-5 with 16), and beyond them the search widens (``_Bracket.update``).
    """
    half = points // 2
    fine, middle, tail = ZONES.get(points) or (max(1, half // 4), half - max(1, half // 4) - half // 3, half // 3)
    step = 0.9 * tolerance * points
    side = list(FINE * tolerance * (np.arange(fine) + 0.5))
    last = side[-1] if side else 0.0
    side += list(last + step * np.arange(1, middle + 1))
    last = side[-1] if side else 0.0
    reach = np.log(SEED_SPAN) - last  # what the growing gaps must still cover
    ratio = 1.0
    if reach > 0 and tail > 0:  # gaps step x ratio^1..^tail summing to reach: bisect on ratio
        lo, hi = 1.0, 1e3
        for _ in range(100):
            ratio = 0.5 * (lo + hi)
            lo, hi = (ratio, hi) if step * np.sum(ratio ** np.arange(1, tail + 1)) < reach else (lo, ratio)
    side = np.concatenate([side, last + step * np.cumsum(ratio ** np.arange(1, tail + 1))])
    return np.concatenate([-side[::-1], np.zeros(points % 2), side])


class _Bracket:
    """One search's state: [lo, hi], how the next round spreads its points, and what is verified.

    ``kind``: "first" (geometric up to an unchecked hi), "even" (lo does not fire, hi fires),
    "fan" (around a seed, neither end checked), "up" (geometric from lo, which does not fire, to an
    unchecked hi = upper).
    """

    def __init__(self, upper: float, seed, tolerance: float, points: int):
        self.upper, self.tolerance, self.points = upper, tolerance, points
        self.lo, self.hi, self.kind, self.seed = 0.0, upper, "first", None
        if seed is not None and np.isfinite(seed) and 0.0 < seed <= upper:
            self.kind, self.seed = "fan", float(seed)

    def done(self) -> bool:
        return self.kind == "even" and self.hi - self.lo <= self.tolerance * self.hi

    def grid(self) -> np.ndarray:
        if self.kind == "fan":  # clipped at upper: a repeated amplitude is harmless, the batch size fixed
            return np.minimum(self.seed * np.exp(fan(self.points, self.tolerance)), self.upper)
        if self.kind == "up":
            return np.geomspace(self.lo, self.hi, self.points + 1)[1:]
        return grid(self.lo, self.hi, self.kind == "first", self.points)

    def update(self, amps: np.ndarray, fires: np.ndarray, what: str) -> None:
        """Narrow (or widen) the bracket by one round's verdict: ``fires`` at ``amps`` (ascending)."""
        if self.kind == "fan" and fires[0]:  # the seed was too high: widen down to 0, as unseeded
            self.lo, self.hi, self.kind = 0.0, float(amps[0]), "first"
            return
        if self.kind != "even" and not fires[-1]:  # an unchecked top end that does not fire
            if amps[-1] >= self.upper:
                raise ModelError(f"no action potential up to {what} = {self.upper:g} uA/cm2")
            self.lo, self.hi, self.kind = float(amps[-1]), self.upper, "up"  # the seed too low: widen up
            return
        # Here the lowest point of a fan does not fire, so narrow()'s lo is a checked point.
        self.lo, self.hi = narrow(self.lo, self.hi, amps, fires)
        self.kind = "even"


def search(peaks_of, uppers, tolerance: float, level: float, what: str, seeds=None) -> np.ndarray:
    """Thresholds of several searches at once (one per entry of ``uppers``, e.g. one per temperature).

    ``peaks_of(amps)`` takes an array (n_searches, POINTS // n_searches) of amplitudes and returns
    the peak response of each (same shape, mV), in one batched run: the searches share one batch of
    ``POINTS``, so one program serves one search or two. ``seeds`` (one per search, or None) are
    guesses of each threshold, e.g. the one ``nearest`` remembers; they change how many rounds are
    run, not the answer (within the tolerance). Raises ModelError naming ``what`` if a search's
    upper end does not fire.
    """
    uppers = np.asarray(uppers, dtype=float)
    points = POINTS // len(uppers)
    seeds = [None] * len(uppers) if seeds is None else list(seeds)
    brackets = [_Bracket(float(u), s, tolerance, points) for u, s in zip(uppers, seeds)]
    while not all(b.done() for b in brackets):
        amps = np.stack([b.grid() for b in brackets])
        fires = np.asarray(peaks_of(amps)) >= level
        for b, a, f in zip(brackets, amps, fires):
            if not b.done():
                b.update(a, f, what)
    return np.array([0.5 * (b.lo + b.hi) for b in brackets])


_memory: OrderedDict = OrderedDict()
_lock = threading.Lock()


def recall(key):
    """A threshold ``remember``-ed under ``key`` (hashable), or None."""
    with _lock:
        if key in _memory:
            _memory.move_to_end(key)
            return _memory[key]
    return None


def nearest(key):
    """A guess for ``search``'s ``seeds``, never an answer. ``key`` = (name, settings, x): settings a
    tuple of (parameter, value) pairs in a fixed order, x a number (gates-overlap: the temperature).

    The threshold remembered under the key that differs from ``key`` in x alone, at the nearest x;
    failing that, under one that differs in a single numeric setting alone (a moved slider: pulse,
    gK_scale ...), the nearest in relative terms; None if there is neither.
    """
    if len(key) != 3 or not isinstance(key[1], tuple) or not _number(key[2]):
        return None
    name, settings, x = key
    best, value = None, None
    with _lock:
        for other, v in _memory.items():
            if not (isinstance(other, tuple) and len(other) == 3 and other[0] == name and _number(other[2])):
                continue
            if other[1] == settings:
                rank = (0, abs(other[2] - x))
            elif other[2] == x and (apart := _one_setting_apart(settings, other[1])) is not None:
                rank = (1, apart)
            else:
                continue
            if best is None or rank < best:
                best, value = rank, v
    return value


def predicted(key):
    """A guess for ``search``'s ``seeds``, never an answer: ``nearest(key)``, or, where two thresholds
    are remembered along the line that one leads to (other x with the same settings; or the same
    setting moved, at the same x), the straight line through the two nearest of them (in log
    threshold) at ``key``, provided they lie within ``LINE_SPAN`` steps (from the nearer one to
    ``key``) of each other: farther apart, the curve between them bends more than the step moves
    the threshold. A slider moved step by step meets its thresholds along a smooth curve: the
    line's guess is 10-1000 x closer than the nearest one's (textbook cell 0.063-degC steps: 0.14 %
    -> <= 0.009 %; squid axon 0.5-degC steps at 20-26 degC: 2-7 % -> 0.2-1.2 %), often inside the
    fan's fine zone (1 round instead of 2)."""
    near = nearest(key)
    if near is None:
        return None
    name, settings, x = key
    along_x, along = [], {}  # (coordinate, threshold) pairs: along x, and along each moved setting
    with _lock:
        items = list(_memory.items())
    for other, v in items:
        if not (isinstance(other, tuple) and len(other) == 3 and other[0] == name and _number(other[2])
                and _number(v) and v > 0):
            continue
        if other[1] == settings:
            along_x.append((other[2], v))
        elif other[2] == x and (moved := _moved(settings, other[1])) is not None:
            along.setdefault(moved[0], (moved[1], []))[1].append((moved[2], v))
    if along_x:
        line = _line(along_x, x)
    elif not along:
        return near
    else:  # the setting nearest (relative) to the key's, as nearest() chose it
        at, points = min(along.values(), key=lambda up: min(abs(up[0] - c) / max(abs(up[0]), abs(c))
                                                             for c, _ in up[1]))
        line = _line(points, at)
    return near if line is None else line


#: Two remembered thresholds make a line for ``predicted`` only this many steps apart at most.
LINE_SPAN = 4.0


def _line(points, at):
    """The line (log threshold against the coordinate) through the two ``points`` (coordinate,
    threshold) nearest to ``at``, evaluated there; None if there are not two such within LINE_SPAN."""
    points = sorted(points, key=lambda cv: abs(cv[0] - at))
    c1, v1 = points[0]
    others = [(c, v) for c, v in points[1:] if c != c1]
    if not others or abs(others[0][0] - c1) > LINE_SPAN * abs(at - c1):
        return None
    c2, v2 = others[0]
    guess = float(np.exp(np.log(v1) + (np.log(v1) - np.log(v2)) * (at - c1) / (c1 - c2)))
    return guess if np.isfinite(guess) and guess > 0 else None


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and bool(np.isfinite(v))


def _one_setting_apart(a, b):
    """|u - v| / max(|u|, |v|) when the settings ``a`` and ``b`` differ in one numeric value (u, v) of
    the same parameter and agree on all else; otherwise None."""
    moved = _moved(a, b)
    return None if moved is None else abs(moved[1] - moved[2]) / max(abs(moved[1]), abs(moved[2]))


def _moved(a, b):
    """(parameter, u, v) when the settings ``a`` and ``b`` differ in one numeric value (u in ``a``,
    v in ``b``) of the same parameter and agree on all else; otherwise None."""
    if not isinstance(b, tuple) or len(a) != len(b):
        return None
    diff = [(p, q) for p, q in zip(a, b) if p != q]
    if len(diff) != 1 or not all(isinstance(p, tuple) and len(p) == 2 for p in diff[0]):
        return None
    (k, u), (k2, v) = diff[0]
    if k != k2 or not (_number(u) and _number(v)):
        return None
    return k, u, v


def remember(key, value) -> None:
    with _lock:
        _memory[key] = value
        _memory.move_to_end(key)
        while len(_memory) > MEMORY:
            _memory.popitem(last=False)


def forget() -> None:
    """Drop every remembered threshold (a test's clean start)."""
    with _lock:
        _memory.clear()
