"""Exponentials shared between rates: the speed device of the built-in HH, found automatically.

Rate functions are mostly exponentials of affine functions of V (exp(-(v + 65)/18), a vtrap's
exp(-(v + 40)/10) ...), and transcendental functions are most of a step's arithmetic. While a
mechanism is traced, V is carried as ``Affine(a, b)`` = a v + b with a and b known when the file is
read, as long as the arithmetic keeps it so; ``exp`` of such a value is then exp(a0 v)^k exp(b) for
a base slope a0 with a = k a0 (k a small integer), so a file's exponentials share a few bases:
hh.mod's six rate exponentials become two (exp(-v/80) and exp(-v/18)).

The bases are chosen once per mechanism (``choose_bases``) from the slopes met while the file is
first traced at load time; then each step computes one exponential per base. The result differs
from exp(a v + b) by a few units in the last place (k - 1 multiplications), far below what the
comparisons with NEURON resolve (1e-6). Anything else done to an ``Affine`` turns it into an array.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

#: Largest integer ratio of a slope to its base (k - 1 multiplications by squaring: a few ulps).
MAX_POWER = 16
#: Offsets b beyond this are not split off (exp(b) would lose range); the exponential is direct.
MAX_OFFSET = 50.0


class Affine:
    """a * v + b, with a and b Python floats and v the traced membrane potential."""

    __slots__ = ("a", "b", "v")
    __array_ufunc__ = None  # numpy arrays defer to our reflected operators (no object arrays)

    def __init__(self, a: float, b: float, v):
        self.a, self.b, self.v = a, b, v

    def array(self):
        return self.a * self.v + self.b if self.b != 0.0 else (self.v if self.a == 1.0 else self.a * self.v)

    def _same(self, other) -> bool:
        return isinstance(other, Affine) and other.v is self.v

    def __add__(self, other):
        if _static(other):
            return Affine(self.a, self.b + float(other), self.v)
        if self._same(other):
            return Affine(self.a + other.a, self.b + other.b, self.v)
        return self.array() + materialize(other)

    __radd__ = __add__

    def __neg__(self):
        return Affine(-self.a, -self.b, self.v)

    def __sub__(self, other):
        return self + (-other if _static(other) or isinstance(other, Affine) else -materialize(other))

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, other):
        if _static(other):
            return Affine(self.a * float(other), self.b * float(other), self.v)
        return self.array() * materialize(other)

    __rmul__ = __mul__

    def __truediv__(self, other):
        if _static(other) and float(other) != 0.0:
            return Affine(self.a / float(other), self.b / float(other), self.v)
        return self.array() / materialize(other)

    def __rtruediv__(self, other):
        return materialize(other) / self.array()

    def __pow__(self, other):
        return self.array() ** materialize(other)

    def __rpow__(self, other):
        return materialize(other) ** self.array()

    def _compare(op):
        return lambda self, other: op(self.array(), materialize(other))

    __lt__ = _compare(lambda x, y: x < y)
    __le__ = _compare(lambda x, y: x <= y)
    __gt__ = _compare(lambda x, y: x > y)
    __ge__ = _compare(lambda x, y: x >= y)
    __eq__ = _compare(lambda x, y: x == y)
    __ne__ = _compare(lambda x, y: x != y)
    __hash__ = None


def _static(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def materialize(x):
    """An Affine as an array; anything else unchanged."""
    return x.array() if isinstance(x, Affine) else x


class SharedExp:
    """exp for one mechanism: records slopes while bases are not chosen, then shares them."""

    def __init__(self):
        self.slopes: set[float] = set()
        self.bases: dict[float, tuple[float, int]] | None = None  # slope -> (base slope, power)

    def choose_bases(self) -> None:
        """Smallest slopes first: a slope that is k (2..MAX_POWER) times a chosen base uses it."""
        bases: list[float] = []
        plan = {}
        for a in sorted(self.slopes, key=abs):
            for a0 in bases:
                k = round(a / a0)
                if 1 <= k <= MAX_POWER and abs(a / a0 - k) < 1e-12:
                    plan[a] = (a0, k)
                    break
            else:
                bases.append(a)
                plan[a] = (a, 1)
        self.bases = plan

    def __call__(self, x, cache: dict):
        if not isinstance(x, Affine):
            return jnp.exp(materialize(x))
        if x.a == 0.0:
            return math.exp(x.b) if abs(x.b) < 700 else jnp.exp(x.b)
        if self.bases is None:
            self.slopes.add(x.a)
            return jnp.exp(x.array())
        if x.a not in self.bases or abs(x.b) > MAX_OFFSET:
            return jnp.exp(x.array())
        a0, k = self.bases[x.a]
        key = (id(x.v), a0)
        if key not in cache:
            cache[key] = jnp.exp(a0 * x.v)
        base = cache[key]
        power = base if k == 1 else base ** k  # integer power: repeated multiplication
        return power * math.exp(x.b) if x.b != 0.0 else power
