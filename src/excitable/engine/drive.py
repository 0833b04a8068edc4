"""A run's inputs, step by step: stimulus waveforms sampled at mid-step times, spike trains by step.

The time loop reads one row per step (``stepping.step``'s ``drive``): each current clamp's current
(nA, before its gain ``iclamp_amp``), each voltage clamp's command (mV) and whether it is on, and
each external spike train's arrivals in that step with their times. The model's stimuli come in as
plain callables of time (``IClamp.waveform``, ``VClamp.command``) and the trains as arrays of
arrival times (spike time + the connection's delay), so the engine samples them without knowing
the model's classes.

Arrivals follow NEURON's fixed step (``arrival_steps``): an event of time T is delivered before
the step from t_n for the first n where T <= t_n + dt/2, t_n being NEURON's clock (two sums of
dt/2 per step, in float64: the round-off decides a T exactly halfway, as in NEURON); T <= 0 is
delivered in finitialize, before the first recorded sample (``synapses.at_finitialize``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=4)
def _clock(dt: float, n: int) -> np.ndarray:
    """NEURON's t at the start of steps 0..n (ms): ``t += 0.5*dt`` twice per step from 0, in order
    (np.add.accumulate adds in sequence, as NEURON's loop does: the same round-off)."""
    half = np.add.accumulate(np.full(2 * n, 0.5 * dt))
    return np.concatenate([[0.0], half[1::2]])


def arrival_steps(times, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """(step, offset) of each arrival time T (ms): the first step n whose start t_n (NEURON's clock)
    has T <= t_n + dt/2 (NEURON's ``deliver_net_events``), and T - t_n (ms, in (-dt/2, dt/2]: the
    ``t`` NET_RECEIVE sees is t_n + offset). T <= 0 gives step 0, offset 0."""
    times = np.asarray(times, dtype=float)
    if not times.size:
        return np.zeros(0, int), np.zeros(0)
    guess = np.maximum(np.ceil(times / dt - 0.5).astype(np.int64), 0)
    n_max = int(guess.max()) + 2
    size = 1 << max(n_max, 1).bit_length()  # a few sizes only: the clock is cached per (dt, size)
    t = _clock(float(dt), size)
    tm = t + 0.5 * dt  # NEURON's nt->_t + 0.5 * nt->_dt
    step = guess.copy()
    # The guess is off by at most one either way (round-off of T / dt against the clock's sums).
    step = np.where(times > tm[step], step + 1, step)
    back = np.maximum(step - 1, 0)
    step = np.where((step > 0) & (times <= tm[back]), back, step)
    return step, np.where(times > 0, times - t[step], 0.0)


def sample_drive(n: int, dt: float, start: int, count: int, *,
                 currents: Sequence[Callable[[np.ndarray], np.ndarray]] = (),
                 commands: Sequence[Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]] = (),
                 trains: Sequence[np.ndarray] = (), step_row: bool = False) -> dict[str, np.ndarray]:
    """The inputs of steps [start, start + count) of a run of ``n`` steps of ``dt`` ms, (count, k) each.

    Args:
        currents: each current clamp's ``t (ms) -> current (nA)``.
        commands: each voltage clamp's ``t (ms) -> (command (mV), on (0/1))``.
        trains: each external spike train's arrival times at its receptor (spike + delay), ms.
        step_row: also a "step" row, each step's index (for the keys of mechanisms that draw random
            numbers: ``engine.noise``; a float, exact to 2**24 steps in a float32 run).

    Returns:
        "iclamp" (always, (count, 0) without clamps), "vclamp_cmd" and "vclamp_on" (with voltage
        clamps), and with trains "spikes" (arrivals per step, ``arrival_steps``) and "spike_offsets"
        (ms: the first arrival's time past the step's start; in the run's first row, where arrivals
        at T <= 0 are, minus their count instead: ``synapses.at_finitialize`` delivers those before
        the first sample, and the step reads their offset as 0), with ``step_row`` "step". Steps past
        ``n`` (padding of a last chunk) get no stimulus.
    """
    steps = np.arange(start, start + count)
    t_mid = (steps + 0.5) * dt
    live = (steps < n)[:, None]
    d = {"iclamp": np.stack([f(t_mid) for f in currents], axis=1) * live if currents else np.zeros((count, 0))}
    if commands:
        cmds = [f(t_mid) for f in commands]
        d["vclamp_cmd"] = np.stack([c for c, _ in cmds], axis=1)
        d["vclamp_on"] = np.stack([o for _, o in cmds], axis=1) * live
    if trains:
        n_tr = len(trains)
        times = np.concatenate([np.asarray(t, dtype=float).ravel() for t in trains])
        col = np.repeat(np.arange(n_tr), [np.size(t) for t in trains])
        step, offset = arrival_steps(times, dt)  # all trains at once: one pass over NEURON's clock
        rows = step - start
        ok = (rows >= 0) & (rows < count) & (step < n)
        spikes, offsets = np.zeros((count, n_tr)), np.full((count, n_tr), np.inf)
        np.add.at(spikes, (rows[ok], col[ok]), 1.0)
        np.minimum.at(offsets, (rows[ok], col[ok]), offset[ok])
        offsets[np.isinf(offsets)] = 0.0
        at_init = np.bincount(col[ok & (times <= 0)], minlength=n_tr)  # nonzero only when start == 0
        if at_init.any():
            offsets[0] = np.where(at_init > 0, -at_init, offsets[0])
        d["spikes"], d["spike_offsets"] = spikes, offsets
    if step_row:
        d["step"] = steps_column(start, count)
    return d


def steps_column(start: int, count: int) -> np.ndarray:
    """(count, 1) the indices of steps [start, start + count), as floats (the drive's dtype)."""
    return np.arange(start, start + count, dtype=float)[:, None]
