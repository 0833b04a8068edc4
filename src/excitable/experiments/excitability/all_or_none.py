"""Why is the action potential all-or-none? Sweep 1-ms pulses through threshold.

A weak pulse charges the membrane a little, and the charge leaks away again: the response is graded,
a bump that grows with the stimulus and fades within milliseconds. A few Na+ channels open, but the
outward K+ and leak currents they provoke carry more charge than the Na+ brings in.

At threshold the balance tips. The inward Na+ current now exceeds the outward currents, so the
membrane depolarizes further by itself, which opens still more Na+ channels: the upstroke regenerates
itself and no longer needs the stimulus. From then on the spike's size is set by the membrane, not by
the pulse. Its peak is where the Na+ current meets the K+ and leak currents, near E_Na, whatever the
stimulus was: a pulse twice the threshold gives the same spike as one just above it, only earlier.

So there is no half a spike: a stimulus either reaches threshold and the full action potential
follows, or it does not and nothing follows. Just above threshold the cell hesitates (V lingers near
threshold for several milliseconds before the upstroke), which is the signature of that tipping point.
Information is therefore carried by whether and how often a neuron fires, not by the size of its spikes.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.models import single_compartment
from excitable.experiments.excitability import all_or_none_search as finder
from excitable.experiments.excitability.all_or_none_figure import plot_all_or_none
from excitable.experiments.excitability.declarations import ALL_OR_NONE as EXPERIMENT
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp
from excitable.results import Result

#: A trial "fires" when V overshoots this level (mV) after the pulse onset: a regenerative response.
SPIKE_LEVEL_MV = 0.0


def run(**given) -> Result:
    p = EXPERIMENT.resolve(given)
    model = single_compartment(p.model)
    cell = model.cell
    temperature = model.temperature if p.temperature is None else p.temperature
    sim = Simulation(cell, dt=p.dt, temperature=temperature, v_init=model.v_init)
    # A 1 uA/cm2 pulse whose gain is the swept amplitude: changing it does not recompile.
    sim.stimulate(IClamp(cell.soma, amplitude=cell.density_to_nA(1.0, cell.soma),
                         delay=p.delay, duration=p.pulse))
    sim.record("v")
    base = sim.parameters()
    batch_fn = sim.function(p.tstop, batched=True)

    def peaks_of(amps: np.ndarray) -> np.ndarray:  # (1, POINTS) amplitudes -> peaks, one batched run
        return run_amplitudes(batch_fn, base, amps.ravel()).max(axis=1).reshape(amps.shape)

    key = ("all-or-none", repr(sorted((k, v) for k, v in p.items() if k not in ("n_sweep",))))
    thr = finder.recall(key)
    if thr is None:
        thr = float(finder.search(peaks_of, [p.max_amplitude], p.tolerance, SPIKE_LEVEL_MV, "max_amplitude")[0])
        finder.remember(key, thr)
    amps = np.unique(np.concatenate([np.linspace(0.1, 5.0, p.n_sweep) * thr, [0.99 * thr, 1.01 * thr]]))
    v_all = run_amplitudes(batch_fn, base, amps)
    peaks = v_all.max(axis=1)
    t = np.arange(v_all.shape[1]) * sim.dt
    near = {f"v at {a / thr:.2f} x threshold (mV)": v_all[i]
            for i, a in enumerate(amps) if np.isclose(a, 0.99 * thr) or np.isclose(a, 1.01 * thr)}
    for frac in (0.5, 2.0):
        i = int(np.argmin(np.abs(amps - frac * thr)))
        near[f"v at {amps[i] / thr:.2f} x threshold (mV)"] = v_all[i]
    supra = (amps >= 1.2 * thr) & (amps <= 5.0 * thr)
    sub = amps < thr
    summary = {
        "threshold_amplitude_uA_cm2": thr,
        "threshold_criterion": f"V overshoots {SPIKE_LEVEL_MV:g} mV; bisection to {p.tolerance:g} relative",
        "pulse_ms": p.pulse,
        "amplitudes_uA_cm2": amps.tolist(),
        "peaks_mV": peaks.tolist(),
        "suprathreshold_peak_range_mV": float(np.ptp(peaks[supra])) if supra.any() else None,
        "subthreshold_max_peak_mV": float(peaks[sub].max()) if sub.any() else None,
        "model": p.model,
        "temperature_degC": temperature,
    }
    res = Result(t=t, traces=dict(sorted(near.items())), summary=summary, name=EXPERIMENT.name,
                 meta=dict(p, temperature=temperature), plotter=plot_all_or_none)
    return res


def run_amplitudes(batch_fn, base, amps: np.ndarray) -> np.ndarray:
    """V (amplitudes, samples) of one batched run of ``batch_fn`` at pulse gains ``amps``; a sweep of
    up to ``POINTS`` amplitudes is padded to the search's batch (one program for both), the padding
    dropped."""
    import jax

    amps = np.asarray(amps, dtype=float)
    size = max(len(amps), finder.POINTS)
    padded = np.concatenate([amps, np.full(size - len(amps), amps[-1])])
    batch = jax.tree.map(lambda x: np.broadcast_to(x, (size, *np.shape(x))), base)
    batch["iclamp_amp"] = padded[:, None]
    return np.asarray(batch_fn(batch))[: len(amps), :, 0]


def bisect_threshold(peak_of, upper: float, tolerance: float) -> float:
    """Smallest amplitude whose response overshoots SPIKE_LEVEL_MV, by bisection (uA/cm2): one run
    per step (the NEURON side-by-side test bisects both simulators with it; ``run`` searches in
    batches, ``all_or_none_search``, by the same criterion and stopping rule).

    Raises ModelError if even ``upper`` does not fire (e.g. Na+ channels blocked).
    """
    from excitable.errors import ModelError

    lo, hi = 0.0, float(upper)
    if peak_of(hi) < SPIKE_LEVEL_MV:
        raise ModelError(f"no action potential up to max_amplitude = {upper:g} uA/cm2")
    while hi - lo > tolerance * hi:
        mid = 0.5 * (lo + hi)
        if peak_of(mid) >= SPIKE_LEVEL_MV:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)
