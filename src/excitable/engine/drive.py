"""A run's inputs, step by step: stimulus waveforms sampled at mid-step times, spike trains by step.

The time loop reads one row per step (``stepping.step``'s ``drive``): each current clamp's current
(nA, before its gain ``iclamp_amp``), each voltage clamp's command (mV) and whether it is on, and
each external spike train's spikes in that step. The model's stimuli come in as plain callables of
time (``IClamp.waveform``, ``VClamp.command``) and the trains as arrays of spike times, so the
engine samples them without knowing the model's classes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def sample_drive(n: int, dt: float, start: int, count: int, *,
                 currents: Sequence[Callable[[np.ndarray], np.ndarray]] = (),
                 commands: Sequence[Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]] = (),
                 trains: Sequence[np.ndarray] = ()) -> dict[str, np.ndarray]:
    """The inputs of steps [start, start + count) of a run of ``n`` steps of ``dt`` ms, (count, k) each.

    Args:
        currents: each current clamp's ``t (ms) -> current (nA)``.
        commands: each voltage clamp's ``t (ms) -> (command (mV), on (0/1))``.
        trains: each external spike train's spike times, ms.

    Returns:
        "iclamp" (always, (count, 0) without clamps), "vclamp_cmd" and "vclamp_on" (with voltage
        clamps), "spikes" (with trains: spikes per step). Steps past ``n`` (padding of a last
        chunk) get no stimulus.
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
        spikes = np.zeros((count, len(trains)))
        for k, times in enumerate(trains):
            # A spike at time t counts as detected at the end of the step that ends at t.
            rows = np.clip(np.round(times / dt).astype(int) - 1, 0, None) - start
            ok = (rows >= 0) & (rows < count) & (rows + start < n)
            np.add.at(spikes[:, k], rows[ok], 1.0)
        d["spikes"] = spikes
    return d
