"""The one health check of a run: NaN, inf or a runaway V stops it with one message.

A run that blew up (dt too long for the model, a parameter far outside its range) or that was
driven beyond anything physical (a current of 1e12 uA/cm2 drives V to ~1e10 mV) must say so
rather than report numbers: ``check_health`` raises ``SimulationError`` when any recorded value
is NaN or inf, a recorded V (one node or all) leaves +-``RUNAWAY_MV``, or the final state's V
(where the run has it at hand) is either. A NaN in V reaches every recorded signal of the cell
within a step, since all of them depend on V, so the recordings alone catch it even when V is not
recorded. A mechanism's own signal that nothing feeds back to V can go bad alone: then the message
names it, not V. The usual case costs one sum over the recordings and a min and a max per recorded V.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from excitable.errors import SimulationError

#: |V| above this (mV) is taken as a numerical blow-up (or an input far outside the physical range).
RUNAWAY_MV = 1e4


def check_health(recordings: np.ndarray, probes: Sequence, n_nodes: int, *, dt: float, stride: int = 1,
                 first_sample: int = 0, final_v: np.ndarray | None = None, t_final: float = 0.0) -> None:
    """Raise SimulationError if the run went numerically unstable.

    Args:
        recordings: (..., n_samples, width): the probes' columns, in the order of ``probes``
            (``engine.plan.Probe``, each ``width(n_nodes)`` columns), with any leading batch axes.
        dt: the time step, ms; stride: steps per sample; first_sample: the sample index of the
            first row (a chunk of a longer run), for the time in the message.
        final_v: V at every node of the last state (batch axes first), or None when only the
            recordings are at hand (a fused kernel, or recordings alone); t_final: its time, ms.
    """
    rec = np.asarray(recordings)
    final_v = np.zeros(0) if final_v is None else np.asarray(final_v)
    columns, col = [], 0
    for p in probes:
        w = p.width(n_nodes)
        if p.kind in ("v", "v_all"):
            columns.append(slice(col, col + w))
        col += w
    voltages = [rec[..., c] for c in columns]
    # A NaN or inf anywhere makes the sum NaN or inf (or the sum overflowed: then the slow path
    # looks closer); NaN fails every comparison, so the bounds test catches it too.
    if (np.isfinite(np.sum(rec)) and bool(np.all(np.abs(final_v) <= RUNAWAY_MV))
            and all(v.size == 0 or (v.min() >= -RUNAWAY_MV and v.max() <= RUNAWAY_MV) for v in voltages)):
        return
    bad = (~np.isfinite(rec)).any(axis=-1)  # (..., n_samples)
    for v in voltages:
        bad |= (~(np.abs(v) <= RUNAWAY_MV)).any(axis=-1)
    final_bad = ~(np.abs(final_v) <= RUNAWAY_MV)
    if not bad.any() and not final_bad.any():
        return  # the sum overflowed on finite values within bounds
    rows = bad.reshape(-1, bad.shape[-1]).any(axis=0) if bad.size else np.zeros(0, bool)
    t = (first_sample + int(np.argmax(rows))) * stride * dt if rows.any() else t_final
    values = np.concatenate([np.abs(v).ravel() for v in voltages] + [np.abs(final_v).ravel()])
    if values.size and np.all(values <= RUNAWAY_MV):  # V fine: another signal went bad
        raise SimulationError(_not_v(rec, probes, n_nodes, t, dt))
    runaway = values[np.isfinite(values) & (values > RUNAWAY_MV)]
    peak = runaway.max() if runaway.size else (np.inf if np.isinf(values).any() else np.nan)
    raise SimulationError(
        f"the run became numerically unstable by t = {t:g} ms: V reached {peak:.3g} mV (NaN, or beyond "
        f"+-{RUNAWAY_MV:g} mV); reduce dt (now {dt:g} ms) or check amplitudes and parameters")


def _not_v(rec: np.ndarray, probes: Sequence, n_nodes: int, t: float, dt: float) -> str:
    """The message for a run whose V stayed finite and in bounds while another recorded signal did
    not: a mechanism's own state that nothing feeds back to V (ModelDB 116096's cadspine.mod, its
    Ca2+ at 0/0 from parameters left at 0: NaN in NEURON too)."""
    col = 0
    for p in probes:
        w = p.width(n_nodes)
        column = rec[..., col:col + w]
        if not np.isfinite(column).all():
            what = "NaN" if np.isnan(column).any() else "infinite"
            return (f"the run became numerically unstable by t = {t:g} ms: {p.label} became {what} while V "
                    f"stayed finite; check the parameters it depends on (a rate or a division by 0 undefined "
                    f"there?) or reduce dt (now {dt:g} ms)")
        col += w
    return f"the run became numerically unstable by t = {t:g} ms; reduce dt (now {dt:g} ms)"
