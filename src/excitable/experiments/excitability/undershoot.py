"""What is the undershoot for?

After an action potential, V falls below the resting potential for a while: the undershoot, or
afterhyperpolarization. It happens because the K+ channels that repolarized the spike close slowly:
for several milliseconds more K+ channels are open than at rest, so V is pulled toward the K+
reversal potential E_K, below rest, and returns as they close.

The undershoot does two jobs. It resets the Na+ channels: their inactivation gates (h) reopen only at
negative potentials, and faster the more negative V is, so the undershoot gets the cell ready to fire
again. And it spaces the spikes: while the extra K+ conductance lasts, a steady input has to work
against it before it can reach threshold again, so the undershoot's depth and duration set how fast a
cell fires during a long stimulus.

The figure compares three copies of the same cell whose K+ gate opens and closes at the normal speed,
twice as slowly, or faster (its time constant scaled, its voltage dependence unchanged). Slower K+
gates make the undershoot deeper and longer and the firing slower; faster gates do the opposite.
"""

from __future__ import annotations

import numpy as np

from excitable.errors import ModelError
from excitable.experiments.common import no_spike
from excitable.experiments.common.models import reversals
from excitable.experiments.excitability.declarations import UNDERSHOOT as EXPERIMENT
from excitable.experiments.excitability.undershoot_figure import plot_undershoot
from excitable.model.cell import Cell
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp
from excitable.physics.channel import channel, inf_tau
from excitable.physics.channels.hh import HH, hh_rates
from excitable.physics.channels.pospischil import KdTraub, traub_rates
from excitable.results import Result

#: Default stimuli per model, uA/cm2.
DEFAULTS = {"hh": {"pulse_amplitude": 20.0, "step_amplitude": 20.0},
            "textbook": {"pulse_amplitude": 15.0, "step_amplitude": 1.0}}
#: Window after the single pulse in which its undershoot is measured (ms, HH 6.3 degC; scaled by Q10).
SINGLE_WINDOW_MS = 40.0
#: The undershoot lasts while V is more than this far below rest (mV).
BELOW_REST_MV = 1.0


@channel
class HHTauN(HH):
    """NEURON's ``hh`` with the K+ gate's time constant multiplied by ``tau_n_scale`` (steady state kept).

    tau_n_scale > 1 slows both the opening and the closing (deactivation) of the K+ channels. The
    other parameters, the current laws and the ions are ``HH``'s own.
    """

    tau_n_scale: float = 1.0

    units = {**HH.units, "tau_n_scale": "1"}

    def gates(self, v, celsius):
        phi = self.rate_factor(celsius)
        out = {g: inf_tau(a, b, phi) for g, (a, b) in hh_rates(v).items()}
        n_inf, tau_n = out["n"]
        out["n"] = (n_inf, tau_n * self.tau_n_scale)
        return out


@channel
class KdTraubTauN(KdTraub):
    """Traub-Miles delayed-rectifier K+ (``KdTraub``) with tau_n multiplied by ``tau_n_scale``."""

    tau_n_scale: float = 1.0

    units = {**KdTraub.units, "tau_n_scale": "1"}

    def gates(self, v, celsius):
        n_inf, tau = inf_tau(*traub_rates(v, self.VT)["n"], self.rate_factor(celsius))
        return {"n": (n_inf, tau * self.tau_n_scale)}


def build_cell(model: str, gna_scale: float, gk_scale: float) -> tuple[Cell, float, str, str]:
    """(cell, its temperature, the name of the mechanism with tau_n_scale, description)."""
    if model == "hh":
        ch = HHTauN(gNa=120.0 * gna_scale, gK=36.0 * gk_scale)
        cell = Cell.cylinder(length=20.0, diameter=20.0, ra=35.4).insert(ch)
        return cell, 6.3, "HHTauN", "HH 1952 squid axon (20 x 20 um)"
    from excitable.physics.channels import pospischil

    preset = pospischil.textbook()
    cell = Cell.cylinder(length=preset.length, diameter=preset.diameter, cm=preset.cm)
    for ch in preset.channels:
        if isinstance(ch, KdTraub):
            ch = KdTraubTauN(gKd=ch.gKd * gk_scale, eK=ch.eK, VT=ch.VT)
        elif hasattr(ch, "gNa"):
            ch = type(ch)(**{**ch.parameters(), "gNa": ch.gNa * gna_scale})
        cell.insert(ch)
    return cell, preset.celsius, "KdTraubTauN", "textbook mammalian cell (Pospischil RS, tuned)"


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    from excitable import broadcast, with_param  # the public batch helpers

    p = EXPERIMENT.resolve(given)
    blocked = no_spike.check(p, EXPERIMENT.name)  # TTX, TEA: no spike to measure, said in one line
    if blocked is not None:
        return blocked
    p = p.replace(**{key: default for key, default in DEFAULTS[p.model].items() if p[key] is None})
    cell, t0, mech, description = build_cell(p.model, p.gNa_scale, p.gK_scale)
    temperature = t0 if p.temperature is None else p.temperature
    scales = {"control": 1.0, "slowed K+ gate": p.slow, "faster K+ gate": p.fast}
    unit = cell.density_to_nA(1.0, cell.soma)
    sim = Simulation(cell, dt=p.dt, temperature=temperature, v_init="rest")
    sim.stimulate(IClamp(cell.soma, amplitude=unit, delay=p.delay, duration=1.0))
    sim.stimulate(IClamp(cell.soma, amplitude=unit, delay=p.delay, duration=p.step_duration))
    n_label = f"{mech}.n"
    for sig in ("v", n_label):
        sim.record(sig)
    phi = 3.0 ** ((temperature - t0) / 10.0)
    window = SINGLE_WINDOW_MS * max(p.slow, 1.0) / phi if p.model == "hh" else 60.0
    tstop = p.delay + max(p.step_duration + 5.0, window)
    k = len(scales)
    batch = broadcast(sim.parameters(), 2 * k)
    batch = with_param(batch, f"{mech}.tau_n_scale", np.tile(list(scales.values()), 2)[:, None])
    gains = np.zeros((2 * k, 2))
    gains[:k, 0] = p.pulse_amplitude
    gains[k:, 1] = p.step_amplitude
    res = sim.run_batch(tstop, {**batch, "iclamp_amp": gains})  # the engine's front door
    rec = np.stack([np.asarray(res.traces[lab]) for lab in ("v", n_label)], axis=-1)
    t = np.arange(rec.shape[1]) * sim.dt

    summary = {"conditions": list(scales), "tau_n_scale": list(scales.values())}
    rows = []
    for j, (name, sc) in enumerate(scales.items()):
        single = _single(t, rec[j, :, 0], p.delay, p.delay + window)
        train = _train(t, rec[k + j, :, 0], p.delay, p.delay + p.step_duration)
        rows.append({**single, **train})
    for key in rows[0]:
        summary[key] = [r[key] for r in rows]
    summary["definitions"] = {
        "undershoot_depth_mV": "rest minus the lowest V after the single spike",
        "undershoot_duration_ms": f"time the single spike leaves V more than {BELOW_REST_MV:g} mV below rest",
        "rate_hz": "firing rate in the second half of the long step, 1000 / mean interspike interval",
        "train_trough_mV": "mean lowest V between spikes in the second half of the step",
    }
    summary.update(model=p.model, temperature_degC=temperature)
    # The headline numbers of each cell by name (the lists above are in the order of "conditions").
    for key in ("undershoot_depth_mV", "undershoot_duration_ms", "rate_hz"):
        for cond, short in zip(scales, ("control", "slowed", "faster")):
            summary[f"{key}_{short}"] = summary[key][list(scales).index(cond)]
    traces = {}
    for j, name in enumerate(scales):
        traces[f"v single spike, {name} (mV)"] = rec[j, :, 0]
        traces[f"n single spike, {name}"] = rec[j, :, 1]
        traces[f"v long step, {name} (mV)"] = rec[k + j, :, 0]
    return Result(t=t, traces=traces, summary=summary, name=EXPERIMENT.name,
                  meta=dict(p, temperature=temperature, window=window, description=description,
                            conditions=list(scales), **reversals(cell)),
                  plotter=plot_undershoot)


def _single(t, v, onset, end) -> dict:
    from excitable.analysis import action_potential_summary

    sel = t <= end
    ap = action_potential_summary(t[sel], v[sel], stimulus_onset_ms=onset)
    if not ap["n_spikes"] or ap["undershoot_mV"] is None:
        raise ModelError("the single pulse fired no complete spike; raise pulse_amplitude")
    rest = ap["rest_mV"]
    k_peak = int(np.searchsorted(t, ap["peak_time_ms"]))
    below = v[k_peak:np.searchsorted(t, end)] < rest - BELOW_REST_MV
    duration = float(np.count_nonzero(below) * (t[1] - t[0]))
    return {
        "rest_mV": rest,
        "peak_mV": ap["peak_mV"],
        "half_width_ms": ap["half_width_ms"],
        "undershoot_mV": ap["undershoot_mV"],
        "undershoot_depth_mV": rest - ap["undershoot_mV"],
        "undershoot_time_ms": ap["undershoot_time_ms"] - onset,
        "undershoot_duration_ms": duration,
    }


def _train(t, v, start, stop) -> dict:
    from excitable.analysis import interspike_intervals, spike_times

    spikes = spike_times(t, v)
    late = spikes[(spikes >= 0.5 * (start + stop)) & (spikes < stop)]
    isi = interspike_intervals(late)
    troughs = [float(v[(t > a) & (t < b)].min()) for a, b in zip(late[:-1], late[1:])]
    return {
        "n_spikes_step": int(np.count_nonzero((spikes >= start) & (spikes < stop))),
        "rate_hz": float(1000.0 / isi.mean()) if isi.size else 0.0,
        "train_trough_mV": float(np.mean(troughs)) if troughs else None,
    }
