"""Stimuli as data: current clamps (step, pulse train, ramp) and a voltage clamp with series resistance.

Each stimulus is placed at a ``Location`` and turns itself into a waveform sampled at the mid-step
times t + dt/2, which is when NEURON evaluates its IClamp and SEClamp during a fixed step (so an
IClamp with delay 5 ms is on from the step that starts at t = 5 ms). Amplitudes in nA, times in ms,
voltages in mV, series resistance in MOhm.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from excitable.errors import ModelError, check_number


@dataclass(frozen=True)
class Location:
    """A point on a cell: a section (name or index) and a position x in [0, 1] along it."""

    section: str | int = "soma"
    x: float = 0.5

    def __post_init__(self):
        if isinstance(self.section, bool) or not isinstance(self.section, (str, int, np.integer)):
            raise ModelError(f"location section must be a name or an index, got {self.section!r}")
        x = check_number("location x", self.x)
        if not 0.0 <= x <= 1.0:
            raise ModelError(f"location x must be in [0, 1], got {self.x!r}")
        object.__setattr__(self, "x", x)

    def __repr__(self) -> str:
        return f"{self.section}({self.x:g})"


@dataclass(frozen=True)
class Site:
    """A location on one cell of a network: cell index and Location."""

    cell: int
    at: Location = field(default_factory=Location)


def _validated_window(delay, duration):
    return (check_number("delay", delay, nonnegative=True),
            check_number("duration", duration, nonnegative=True))


def _check_site(stimulus) -> None:
    """``at`` must be a Location, or a Site (a Location on one cell of a network)."""
    at = stimulus.at
    if not isinstance(at, (Location, Site)):
        raise ModelError(f"{type(stimulus).__name__}: at must be a Location (e.g. cell.soma), got {at!r}")


def check_resolved(stimulus, dt: float) -> None:
    """Refuse a time step longer than the shortest event of ``stimulus`` (ms): sampled at mid-steps,
    a pulse shorter than dt falls between two samples (or is stretched to a whole step), and the run
    would complete with a different protocol than the one asked for.

    Example:
        >>> check_resolved(IClamp(Location(), 0.1, delay=5, duration=1), dt=0.025)
    """
    for what, ms, noun in stimulus.events():
        # A relative margin: dt = 0.1 and a 0.1-ms pulse are the same number written twice.
        if 0 < ms < dt * (1 - 1e-9):
            raise ModelError(f"dt={dt:g} ms is longer than the {type(stimulus).__name__}'s {what} of {ms:g} ms: "
                             f"the {noun} would fall between steps (use dt <= {ms:g} ms)")


@dataclass(frozen=True)
class IClamp:
    """A current step of ``amplitude`` nA from ``delay`` for ``duration`` ms (NEURON's IClamp)."""

    at: Location
    amplitude: float
    delay: float = 0.0
    duration: float = 1.0

    def __post_init__(self):
        _check_site(self)
        object.__setattr__(self, "amplitude", check_number("amplitude", self.amplitude))
        d, w = _validated_window(self.delay, self.duration)
        object.__setattr__(self, "delay", d)
        object.__setattr__(self, "duration", w)

    def events(self) -> list[tuple[str, float, str]]:
        """The durations (ms) the time step must resolve: (what, ms, what falls between steps)."""
        return [("duration", self.duration, "pulse")]

    def waveform(self, t_mid: np.ndarray) -> np.ndarray:
        """Injected current (nA) at the mid-step times ``t_mid`` (ms)."""
        on = (t_mid >= self.delay) & (t_mid < self.delay + self.duration)
        return self.amplitude * on


@dataclass(frozen=True)
class PulseTrain:
    """``count`` pulses of ``amplitude`` nA, each ``width`` ms long, one every ``interval`` ms."""

    at: Location
    amplitude: float
    delay: float = 0.0
    width: float = 1.0
    interval: float = 10.0
    count: int = 1

    def __post_init__(self):
        _check_site(self)
        object.__setattr__(self, "amplitude", check_number("amplitude", self.amplitude))
        check_number("delay", self.delay, nonnegative=True)
        check_number("width", self.width, positive=True)
        check_number("interval", self.interval, positive=True)
        count = check_number("count", self.count, positive=True)
        if int(count) != count:
            raise ModelError(f"count must be a positive integer, got {self.count!r}")
        if self.width > self.interval:
            raise ModelError(f"width ({self.width} ms) must not exceed interval ({self.interval} ms)")

    def events(self) -> list[tuple[str, float, str]]:
        """The durations (ms) the time step must resolve: each pulse, and the gap between two."""
        gap = self.interval - self.width if self.count > 1 else 0.0
        return [("pulse width", float(self.width), "pulse"), ("gap between pulses", float(gap), "gap")]

    def waveform(self, t_mid: np.ndarray) -> np.ndarray:
        since = t_mid - self.delay
        k = np.floor(since / self.interval)
        on = (since >= 0) & (k < self.count) & (since - k * self.interval < self.width)
        return self.amplitude * on


@dataclass(frozen=True)
class Ramp:
    """A current rising linearly from ``start`` to ``stop`` nA between ``delay`` and ``delay + duration``."""

    at: Location
    start: float
    stop: float
    delay: float = 0.0
    duration: float = 100.0

    def __post_init__(self):
        _check_site(self)
        check_number("start", self.start)
        check_number("stop", self.stop)
        check_number("delay", self.delay, nonnegative=True)
        check_number("duration", self.duration, positive=True)

    def events(self) -> list[tuple[str, float, str]]:
        return [("duration", float(self.duration), "ramp")]

    def waveform(self, t_mid: np.ndarray) -> np.ndarray:
        frac = (t_mid - self.delay) / self.duration
        on = (frac >= 0) & (frac < 1)
        return np.where(on, self.start + (self.stop - self.start) * frac, 0.0)


@dataclass(frozen=True)
class VClamp:
    """Voltage clamp with series resistance, NEURON's SEClamp.

    ``levels`` is a sequence of (duration ms, command mV); the clamp is off after the last one.
    Clamp current i = (V_command - V) / rs, nA (positive into the cell), treated implicitly.
    """

    at: Location
    levels: tuple[tuple[float, float], ...]
    rs: float = 0.01

    def __post_init__(self):
        _check_site(self)
        check_number("rs", self.rs, positive=True)
        try:
            pairs = [tuple(level) for level in self.levels]
        except TypeError:
            pairs = None
        if not pairs or any(len(pair) != 2 for pair in pairs):
            raise ModelError(f"levels must be a sequence of (duration ms, voltage mV) pairs, got {self.levels!r}")
        lv = []
        for dur, mv in pairs:
            lv.append((check_number("level duration", dur, nonnegative=True),
                       check_number("level voltage", mv)))
        object.__setattr__(self, "levels", tuple(lv))

    def events(self) -> list[tuple[str, float, str]]:
        """Each level's duration (ms): a step shorter than dt would be skipped or stretched."""
        return [(f"level {k} duration", dur, "level") for k, (dur, _) in enumerate(self.levels)]

    def command(self, t_mid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(command mV, on flag) at the mid-step times."""
        cmd = np.zeros_like(t_mid)
        on = np.zeros_like(t_mid)
        t0 = 0.0
        for dur, mv in self.levels:
            sel = (t_mid >= t0) & (t_mid < t0 + dur)
            cmd[sel] = mv
            on[sel] = 1.0
            t0 += dur
        return cmd, on


CurrentStimulus = IClamp | PulseTrain | Ramp
