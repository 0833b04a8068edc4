"""Why can't a patch fire again at once?

Right after an action potential most Na+ channels are inactivated: their inactivation gates (h)
closed during the spike and reopen only slowly, over milliseconds, once V is back near rest. An
inactivated channel cannot open, whatever the stimulus, so for a while no stimulus can start a
second spike: the absolute refractory period. At the same time many K+ channels (n) are still open,
holding V down.

As h recovers, more and more Na+ channels become available again. A second spike is then possible but
needs a stronger stimulus than usual, because fewer Na+ channels can open and the still-open K+
channels oppose the depolarization: the relative refractory period. When h and n are back to their
resting values, the threshold is back to normal.

The experiment gives a conditioning pulse that fires a spike and then, at increasing intervals, finds
the weakest test pulse that fires a second one. The refractory period limits how fast a neuron can fire
and makes a spike travel one way along an axon: the membrane it has just passed cannot fire again at once.
"""

from __future__ import annotations

import math

import numpy as np

from excitable.errors import ModelError
from excitable.experiments.common import no_spike
from excitable.experiments.common.models import gate_labels, prepared, reversals
from excitable.experiments.excitability.declarations import REFRACTORY_PERIOD as EXPERIMENT
from excitable.experiments.excitability.refractory_period_figure import plot_refractory_period
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp
from excitable.results import Result

#: The spec's grid (PHENOMENA-SPEC row 13, HH at 6.3 degC), ms; finer where the threshold changes fast.
HH_INTERVALS = (2, 3, 4, 5, 6, 6.5, 7, 7.25, 7.5, 7.75, 8, 8.5, 9, 9.5, 10, 10.5, 11, 11.5, 12, 12.5, 13,
                13.5, 14, 15, 16, 17.5, 20, 22.5, 25, 30, 40)
HH_HALF_WIDTH_MS = 1.475
#: A response is a spike when V overshoots this (mV) and peaks after the pulse has ended (regenerative).
SPIKE_LEVEL_MV = 0.0
#: Upper end of the single-pulse threshold search, uA/cm2.
MAX_AMPLITUDE = 200.0
#: The test threshold counts as recovered within this fraction of the control threshold.
RECOVERED = 0.05
DEFINITIONS = {
    "spike": "V overshoots 0 mV and peaks after the test pulse has ended (a regenerative response, "
             "not the pulse pushing V up passively)",
    "absolute_refractory_ms": "longest tested interval at which no test pulse up to the cap fires a spike",
    "relative_refractory_ms": "interval at which the test threshold has fallen back to within 5 % of the "
                              "single-pulse threshold (linear interpolation between tested intervals)",
}


def parse_intervals(text: str) -> list[float]:
    try:
        out = sorted({float(x) for x in text.replace(";", ",").split(",") if x.strip()})
    except ValueError:
        raise ModelError(f"intervals must be numbers separated by commas, got {text!r}") from None
    if not out or out[0] <= 0 or not all(math.isfinite(x) for x in out):
        raise ModelError(f"intervals must be positive, got {text!r}")
    return out


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""

    p = EXPERIMENT.resolve(given)
    blocked = no_spike.check(p, EXPERIMENT.name)  # TTX, TEA: no spike to measure, said in one line
    if blocked is not None:
        return blocked
    model, temperature = prepared(p)
    cell = model.cell
    unit = cell.density_to_nA(1.0, cell.soma)  # every clamp delivers its gain in uA/cm2
    # A probe run finds the AP width, which sets the default grid and the spike search window.
    probe = Simulation(cell, dt=p.dt, temperature=temperature, v_init="rest")
    scale = _time_scale(probe, unit, p)
    intervals = parse_intervals(p.intervals) if p.intervals else \
        sorted({round(x * scale, 2) for x in HH_INTERVALS})
    # Where a test spike may peak after its pulse: 12 ms for HH at 6.3 degC, scaled, but >= 10 ms: near
    # threshold the spike takes off late (a textbook cell at 37 degC: up to ~6 ms after a 1-ms pulse).
    window = max(12.0 * scale, 10.0)

    sim = Simulation(cell, dt=p.dt, temperature=temperature, v_init="rest")
    sim.stimulate(IClamp(cell.soma, amplitude=unit, delay=p.delay, duration=p.pulse))
    for d in intervals:
        sim.stimulate(IClamp(cell.soma, amplitude=unit, delay=p.delay + d, duration=p.pulse))
    gates = gate_labels(p.model)
    labels = ("v", gates["h"], gates["n"])
    for sig in labels:
        sim.record(sig)
    tstop = p.delay + intervals[-1] + p.pulse + window
    trials = PairedPulses(sim, tstop, p.delay, intervals, p.pulse, window, labels)

    control = trials.control_threshold(MAX_AMPLITUDE, p.tolerance)
    cond = p.conditioning * control
    thresholds, traces = trials.test_thresholds(cond, control, p.cap * control, p.tolerance * control)

    t = trials.t
    k_ref = len(intervals)  # the conditioning-only member
    h_tr, n_tr = traces[k_ref, :, 1], traces[k_ref, :, 2]
    onset_idx = [int(round((p.delay + d) / sim.dt)) for d in intervals]
    shown = len(intervals)  # intervals whose traces are returned (the tail's are not: a longer run)
    tail = _tail(p, intervals, thresholds, control)
    if tail:
        tail_thresholds = _tail_thresholds(cell, unit, p, temperature, tail, labels, control, cond, window)
        intervals, thresholds = [*intervals, *tail], [*thresholds, *tail_thresholds]
    summary = _summarize(p, intervals, thresholds, control, cond, h_tr, n_tr, onset_idx, temperature)
    summary["model"], summary["temperature_degC"] = p.model, temperature
    summary["traced_intervals"] = shown
    if summary["relative_refractory_ms"] is None and thresholds[-1] is not None:
        summary["note"] = (f"the threshold is still {summary['threshold_ratios'][-1]:.2f}x control at "
                           f"{intervals[-1]:g} ms: slow K+ currents (e.g. the M-current) keep it raised; "
                           "test longer intervals with --set intervals=...")

    out_traces = {"v conditioning only (mV)": traces[k_ref, :, 0], "h (Na+ inactivation gate)": h_tr,
                  "n (K+ activation gate)": n_tr}
    for k, d in enumerate(intervals[:shown]):
        if thresholds[k] is not None:
            out_traces[f"v test at {d:g} ms, at threshold (mV)"] = traces[k, :, 0]
        else:
            out_traces[f"v test at {d:g} ms, at the cap, no spike (mV)"] = traces[k, :, 0]
    return Result(t=t, traces=out_traces, summary=summary, name=EXPERIMENT.name,
                  meta=dict(p, temperature=temperature, delay=p.delay, gates=gates,
                            model_description=model.description, **reversals(model.cell)),
                  plotter=plot_refractory_period)


#: Intervals of the tail, times the last default one: where slow K+ currents (the textbook cell's
#: M-current, tau ~90 ms at rest) still hold the threshold up at the end of the default grid.
TAIL = (1.4, 2.0, 3.0, 4.0, 5.5, 7.0, 9.0, 11.2)


def _tail(p, intervals, thresholds, control) -> list[float]:
    """Longer intervals to test when the default grid ends still refractory (no user intervals)."""
    last = thresholds[-1]
    if p.intervals or last is None or last / control <= 1.0 + RECOVERED:
        return []
    return [round(intervals[-1] * f, 1) for f in TAIL]


def _tail_thresholds(cell, unit, p, temperature, tail, labels, control, cond, window) -> list:
    """Test thresholds at the ``tail`` intervals: a second batch on a longer run (only these members)."""
    sim = Simulation(cell, dt=p.dt, temperature=temperature, v_init="rest")
    sim.stimulate(IClamp(cell.soma, amplitude=unit, delay=p.delay, duration=p.pulse))
    for d in tail:
        sim.stimulate(IClamp(cell.soma, amplitude=unit, delay=p.delay + d, duration=p.pulse))
    for sig in labels:
        sim.record(sig)
    trials = PairedPulses(sim, p.delay + tail[-1] + p.pulse + window, p.delay, tail, p.pulse, window, labels)
    return trials.test_thresholds(cond, control, p.cap * control, p.tolerance * control)[0]


def _time_scale(sim: Simulation, unit: float, p) -> float:
    """AP half-width relative to HH's at 6.3 degC (1 for HH at 6.3 degC; no spike: 1)."""
    from excitable.analysis import half_width

    if p.model == "hh" and p.temperature in (None, 6.3):
        return 1.0
    sim.stimulate(IClamp(sim.cell.soma, amplitude=unit * 50.0, delay=1.0, duration=0.5))
    sim.record("v")
    res = sim.run(40.0)
    hw = half_width(res.t, res["v"])
    return 1.0 if hw is None else hw / HH_HALF_WIDTH_MS


class PairedPulses:
    """Batched paired-pulse trials on one compiled function.

    Clamp 0 is the conditioning pulse, clamp k+1 the test pulse at interval k. Batch member k runs the
    test at interval k; the last member runs the conditioning pulse alone. Changing the gains does not
    recompile.
    """

    def __init__(self, sim: Simulation, tstop, delay, intervals, pulse, window, labels):
        from excitable import broadcast  # the public batch helper

        self.sim, self.delay, self.intervals, self.pulse = sim, delay, list(intervals), pulse
        self.k, self.tstop, self.labels = len(self.intervals), tstop, list(labels)
        self.base = broadcast(sim.parameters(), self.k + 1)
        self.t = np.arange(sim.n_steps(tstop) + 1) * sim.dt
        self.window = int(round(window / sim.dt))

    def _run(self, gains: np.ndarray) -> np.ndarray:
        """(batch, samples, labels) through the engine's front door (limits, health check)."""
        import jax.numpy as jnp

        res = self.sim.run_batch(self.tstop, {**self.base, "iclamp_amp": jnp.asarray(gains)})
        return np.stack([np.asarray(res.traces[lab]) for lab in self.labels], axis=-1)

    def _fired(self, v: np.ndarray, onsets) -> np.ndarray:
        """Spike criterion per member: V > 0 mV after the pulse, with its maximum after the pulse end."""
        dt = self.sim.dt
        out = np.zeros(len(v), bool)
        for j, onset in enumerate(onsets):
            end = int(round((onset + self.pulse) / dt))
            seg = v[j, end:end + self.window]
            i = int(np.argmax(seg))
            out[j] = seg[i] > SPIKE_LEVEL_MV and i > 0
        return out

    def control_threshold(self, upper: float, tolerance: float) -> float:
        """Single-pulse threshold (uA/cm2): a (k+1)-point search per round with the conditioning clamp alone."""
        n = self.k + 1
        lo, hi = 0.0, float(upper)
        while True:
            amps = lo + (hi - lo) * np.arange(1, n + 1) / n  # the last one is hi
            gains = np.zeros((n, self.k + 1))
            gains[:, 0] = amps
            fired = self._fired(self._run(gains)[:, :, 0], [self.delay] * n)
            if not fired.any():
                raise ModelError(f"no action potential for a single pulse up to {upper:g} uA/cm2")
            first = int(np.argmax(fired))
            lo, hi = (amps[first - 1] if first else lo), amps[first]
            if hi - lo <= tolerance * hi:
                return 0.5 * (lo + hi)

    def test_thresholds(self, conditioning, control, cap, tolerance):
        """Test thresholds (uA/cm2, None when nothing up to ``cap`` fires) and the traces at threshold.

        The amplitude climbs a ladder (x 1.25 per rung, from half the control threshold up to the cap)
        until the test fires, then bisects between the last two rungs. Climbing from below matters: a
        pulse far above threshold on a recovered membrane fires a spike that peaks while the pulse is
        still on, which the regenerative criterion (peak after the pulse) would not count.
        """
        onsets = [self.delay + d for d in self.intervals] + [self.delay + self.intervals[-1]]
        n = self.k + 1
        gains = np.zeros((n, self.k + 1))
        gains[:, 0] = conditioning
        test = (np.arange(self.k), np.arange(1, self.k + 1))

        def at(amps):
            g = gains.copy()
            g[test] = amps[:self.k]
            rec = self._run(g)
            return self._fired(rec[:, :, 0], onsets), rec

        rungs = list(0.5 * control * 1.25 ** np.arange(0, 64))
        rungs = [r for r in rungs if r < cap] + [cap]
        lo, hi = np.zeros(n), np.full(n, np.inf)
        best = None
        for r, r_next in zip([0.0] + rungs[:-1], rungs):
            todo = ~np.isfinite(hi)
            if not todo[:self.k].any():
                break
            ok, rec = at(np.where(todo, r_next, hi))
            # Keep the latest trace of members still climbing (at the end: their response to the cap).
            best = rec if best is None else np.where(todo[:, None, None], rec, best)
            hi = np.where(ok & todo, r_next, hi)
            lo = np.where(ok & todo, r, lo)
        fired = np.isfinite(hi)
        hi = np.where(fired, hi, cap)
        lo = np.where(fired, lo, cap)
        while np.max(hi - lo) > tolerance:
            mid = 0.5 * (lo + hi)
            ok, rec = at(mid)
            hi = np.where(ok, mid, hi)
            lo = np.where(ok, lo, mid)
            best = np.where(ok[:, None, None], rec, best)
        thresholds = [float(0.5 * (a + b)) if f else None for a, b, f in zip(lo[:self.k], hi[:self.k], fired)]
        return thresholds, best


def _interval_where_ratio(intervals, ratios, level) -> float | None:
    """First interval at which threshold / control has fallen to ``level`` (linear interpolation)."""
    prev = None
    for d, r in zip(intervals, ratios):
        if r is not None and r <= level:
            if prev is None or prev[1] is None:
                return float(d)
            (d0, r0) = prev
            return float(d0 + (r0 - level) / (r0 - r) * (d - d0))
        prev = (d, r)
    return None


def _summarize(p, intervals, thresholds, control, cond, h_tr, n_tr, onset_idx, temperature) -> dict:
    from excitable.analysis import absolute_refractory_period, relative_refractory_period

    trials = list(zip(intervals, thresholds))
    ratios = [None if x is None else x / control for x in thresholds]
    h_on = [float(h_tr[i]) for i in onset_idx]
    n_on = [float(n_tr[i]) for i in onset_idx]
    fired = [r for r in ratios if r is not None]
    k_min = int(np.nanargmin([np.nan if r is None else r for r in ratios])) if fired else None
    k8 = int(np.argmin(np.abs(np.asarray(intervals[:len(onset_idx)]) - 8.0)))  # a traced interval
    return {
        "absolute_refractory_ms": absolute_refractory_period(trials),
        "relative_refractory_ms": relative_refractory_period(trials, control_threshold=control,
                                                             tolerance=RECOVERED),
        "definitions": DEFINITIONS,
        "control_threshold_uA_cm2": control,
        "conditioning_uA_cm2": cond,
        "cap_uA_cm2": p.cap * control,
        "intervals_ms": list(intervals),
        "test_thresholds_uA_cm2": thresholds,
        "threshold_ratios": ratios,
        "interval_2x_fires_ms": _interval_where_ratio(intervals, ratios, 2.0),
        "interval_4x_fires_ms": _interval_where_ratio(intervals, ratios, 4.0),
        "min_ratio": None if k_min is None else ratios[k_min],
        "min_ratio_interval_ms": None if k_min is None else intervals[k_min],
        "h_rest": float(h_tr[0]),
        "n_rest": float(n_tr[0]),
        "h_at_test_onset": h_on,
        "n_at_test_onset": n_on,
        "interval_gate_check_ms": intervals[k8],
        "h_at_check": h_on[k8],
        "n_at_check": n_on[k8],
    }
