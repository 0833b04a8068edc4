"""What to match in a voltage trace besides the trace itself: spike times, a firing rate, the rest.

``Features.measure(t, v)`` reads them from a recording (t in ms, v in mV); ``Features.loss(v, dt)``
is the weighted sum of their squared errors for simulated samples, smooth enough to differentiate
(interpolated threshold crossings, a soft spike count: ``engine.grad``), so ``fit`` can descend it.

Example:
    >>> target = Features.measure(t, recorded_v, rest_window_ms=(0, 5))
    >>> fit(sim, 100.0, {"HH.gK": (10, 80)}, features=target)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import jax.numpy as jnp
import numpy as np

from excitable.engine import grad as G


@dataclass(frozen=True)
class Features:
    """Scalar features of a voltage trace to match; each given one adds a term to the loss.

    Attributes:
        spike_times_ms: target spike times (threshold crossings, interpolated), ms; the term is the
            mean squared difference in ms2 plus a smooth spike-count term.
        rate_hz: target firing rate over ``rate_window_ms``, Hz (smooth count; term in Hz2).
        rest_mV: target mean V over ``rest_window_ms``, mV (term in mV2).
        threshold_mV: the spike-detection threshold, mV.
        weights: multiply the terms: keys "spike_times", "count", "rate", "rest".
    """

    spike_times_ms: Sequence[float] | None = None
    rate_hz: float | None = None
    rest_mV: float | None = None
    rest_window_ms: tuple[float, float] = (0.0, 5.0)
    rate_window_ms: tuple[float, float] = (0.0, math.inf)
    threshold_mV: float = 0.0
    weights: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def measure(cls, t, v, *, rest_window_ms=(0.0, 5.0), rate_window_ms=(0.0, math.inf),
                threshold_mV: float = 0.0, spikes: bool = True, rate: bool = True, rest: bool = True,
                **kw) -> Features:
        """The features of a recorded trace (t in ms, v in mV), e.g. to fit a model to them."""
        t, v = np.asarray(t, float), np.asarray(v, float)
        dt = float(t[1] - t[0])
        times, valid = G.crossing_times(jnp.asarray(v), dt, threshold_mV, max_count=len(v), t0=float(t[0]))
        times = np.asarray(times)[np.asarray(valid)]
        lo, hi = rate_window_ms
        hi = min(hi, float(t[-1]))
        in_rate = times[(times >= lo) & (times < hi)]
        rest_v = float(G.window_mean(jnp.asarray(v), dt, rest_window_ms, float(t[0])))
        return cls(spike_times_ms=tuple(times.tolist()) if spikes else None,
                   rate_hz=1000.0 * len(in_rate) / (hi - lo) if rate else None,
                   rest_mV=rest_v if rest else None, rest_window_ms=tuple(rest_window_ms),
                   rate_window_ms=(lo, hi), threshold_mV=threshold_mV, **kw)

    def loss(self, v, dt: float, t0: float = 0.0):
        """The weighted sum of the squared feature errors of the samples ``v`` (spaced ``dt`` ms)."""
        w = {"spike_times": 1.0, "count": 1.0, "rate": 1.0, "rest": 1.0, **self.weights}
        total = 0.0
        if self.spike_times_ms is not None:
            n = len(self.spike_times_ms)
            times, valid = G.crossing_times(v, dt, self.threshold_mV, max_count=max(2 * n, 8), t0=t0)
            total = total + w["spike_times"] * G.spike_time_loss(times, valid, self.spike_times_ms)
            total = total + w["count"] * (G.soft_count(v, self.threshold_mV) - n) ** 2
        if self.rate_hz is not None:
            lo, hi = self.rate_window_ms
            t = t0 + dt * np.arange(v.shape[0])
            hi = min(hi, float(t[-1]))
            inside = (t >= lo) & (t <= hi)
            count = G.soft_count(jnp.where(inside, v, self.threshold_mV - 100.0), self.threshold_mV)
            total = total + w["rate"] * (1000.0 * count / (hi - lo) - self.rate_hz) ** 2
        if self.rest_mV is not None:
            total = total + w["rest"] * (G.window_mean(v, dt, self.rest_window_ms, t0) - self.rest_mV) ** 2
        return total
