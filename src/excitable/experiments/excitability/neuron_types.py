"""What kinds of neurons are there? Six cells, each with its own channels, under the same kind of step.

Every neuron fires with the same fast Na+ and K+ channels, but each type adds its own slower channels,
and those decide the pattern. Given a half-second current step of twice its own rheobase (the weakest step that
makes it fire), each cell answers in its characteristic way.

A regular-spiking pyramidal cell, the most common neuron of the cortex, slows down during the step: its
slow M-type K+ current builds up with every spike and makes the next one come later (adaptation). A
fast-spiking interneuron has only the fast Na+ and K+ channels, so nothing builds up and it fires fast and
steadily. Ca2+ channels make bursts: L-type channels give the intrinsically bursting cell a burst at the
start, T-type channels give the low-threshold-spiking cell a burst when it is released from a
hyperpolarized state. A motor neuron's large soma and its strong, slow afterhyperpolarization (AHP) K+
current keep its firing slow and regular, as a muscle needs.

A sensory neuron turns a receptor current proportional to its stimulus into a firing rate that grows with
the stimulus over more than a decade: a rate code. The f-I curves, firing rate against step current,
compare all of them.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from excitable.errors import ModelError
from excitable.experiments.excitability.declarations import NEURON_TYPES as EXPERIMENT
from excitable.experiments.excitability.neuron_types_figure import plot_neuron_types
from excitable.model.cell import Cell
from excitable.model.network import Network
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp, Location
from excitable.physics.channel import AbstractChannel, channel
from excitable.physics.channels import pospischil as pos
from excitable.physics.channels.hh import Leak
from excitable.results import Result

#: Delay before each step, ms; and batch size (trials simulated at once).
DELAY_MS = 20.0
N_TRIALS = 10
#: Bursts: at least this many spikes in a row with intervals below BURST_ISI_MS.
BURST_SPIKES, BURST_ISI_MS = 3, 10.0


@channel
class KAHP(AbstractChannel):
    """Slow afterhyperpolarization K+ current, a voltage-gated stand-in for motoneurons' SK current.

    i = gAHP w (V - eK). w opens during a spike (w_inf = 1 / (1 + exp(-(V + 20) / 5)), tau 1 ms at the
    peak) and closes slowly at rest (tau up to tau_max), as the Ca2+-activated SK channels do while the
    Ca2+ that entered during the spike is cleared: each spike leaves a deep AHP lasting tens of ms.
    gAHP in mS/cm2, eK in mV, tau_max in ms (at 36 degC; Q10 3).
    """

    gAHP: float = 0.3
    eK: float = -90.0
    tau_max: float = 30.0

    states = ("w",)
    units = {"gAHP": "mS/cm2", "eK": "mV", "tau_max": "ms"}
    ions = {"ik": "k"}
    q10 = 3.0
    reference_celsius = 36.0

    def gates(self, v, celsius):
        w_inf = 1.0 / (1.0 + jnp.exp(-(v + 20.0) / 5.0))
        tau = 1.0 + (self.tau_max - 1.0) / (1.0 + jnp.exp((v + 20.0) / 5.0))
        return {"w": (w_inf, tau / self.rate_factor(celsius))}

    def conductances(self, s):
        return {"gk": self.gAHP * s["w"]}

    def currents(self, v, s):
        return {"ik": self.gAHP * s["w"] * (v - self.eK)}


def sensory_neuron() -> pos.CellPreset:
    """A slowly adapting sensory neuron: Traub-Miles Na+/K+ and a little M-current, a small soma."""
    vt = -58.0
    chans = [Leak(g=0.05, e=-70.0), pos.NaTraub(gNa=50.0, VT=vt), pos.KdTraub(gKd=6.0, VT=vt),
             pos.KMYamada(gM=0.01, tau_max=608.0)]
    return pos.CellPreset(chans, 1.0, 30.0, 30.0, 36.0)


def motor_neuron() -> pos.CellPreset:
    """An alpha motor neuron: a large soma (80 um), fast Na+/K+ and a strong slow AHP current (KAHP)."""
    vt = -58.0
    chans = [Leak(g=0.1, e=-70.0), pos.NaTraub(gNa=50.0, VT=vt), pos.KdTraub(gKd=10.0, VT=vt),
             KAHP(gAHP=0.3, tau_max=30.0)]
    return pos.CellPreset(chans, 1.0, 80.0, 80.0, 36.0)


#: name -> (preset, short description of what makes it so).
CELLS = {
    "regular spiking (RS)": (pos.regular_spiking, "pyramidal cell: M-current -> adaptation"),
    "fast spiking (FS)": (pos.fast_spiking, "interneuron: fast Na+/K+ only"),
    "intrinsically bursting (IB)": (pos.intrinsically_bursting, "L-type Ca2+ -> initial burst"),
    "low-threshold spiking (LTS)": (pos.low_threshold_spiking, "T-type Ca2+ -> low-threshold burst"),
    "motor neuron": (motor_neuron, "large soma, strong slow AHP K+ current"),
    "sensory neuron": (sensory_neuron, "receptor current proportional to the stimulus"),
}
SENSORY, LTS = "sensory neuron", "low-threshold spiking (LTS)"
#: The LTS demo step of Pospischil et al.'s code, nA.
LTS_DEMO_NA = 0.3


def build() -> tuple[Network, list[float]]:
    """All cells in one (unconnected) network, so one compiled program simulates them together;
    returns the network and each cell's nA per uA/cm2."""
    cells, per_density = [], []
    for name, (preset_fn, _) in CELLS.items():
        preset = preset_fn()
        cell = Cell.cylinder(length=preset.length, diameter=preset.diameter, cm=preset.cm, name=name)
        for ch in preset.channels:
            cell.insert(ch)
        cells.append(cell)
        per_density.append(cell.density_to_nA(1.0, cell.soma))
    return Network(cells), per_density


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    from excitable import broadcast  # the public batch helper

    p = EXPERIMENT.resolve(given)
    net, per_density = build()
    n_cells = len(per_density)
    sim = Simulation(net, dt=p.dt, temperature=p.temperature, v_init="rest")
    for c in range(n_cells):
        sim.stimulate(IClamp(Location(0, 0.5), amplitude=per_density[c], delay=DELAY_MS,
                             duration=p.duration), cell=c)
    for c in range(n_cells):
        sim.record("v", at=_site(c), label=f"v{c}")
    tstop = DELAY_MS + p.duration + 20.0
    base = broadcast(sim.parameters(), N_TRIALS)
    t = np.arange(sim.n_steps(tstop) + 1) * sim.dt

    def trial(gains):  # gains (N_TRIALS, n_cells) uA/cm2 -> V (N_TRIALS, samples, n_cells)
        res = sim.run_batch(tstop, {**base, "iclamp_amp": jnp.asarray(gains)})  # the engine's front door
        return np.stack([np.asarray(res.traces[f"v{c}"]) for c in range(n_cells)], axis=-1)

    start, stop = DELAY_MS, DELAY_MS + p.duration
    rheo = _rheobases(trial, t, n_cells, start, stop, p.tolerance)
    mult = np.linspace(0.5, p.max_multiple, N_TRIALS)
    stim_units = np.geomspace(1.0, 10.0 ** p.stimulus_decades, N_TRIALS)
    gains = mult[:, None] * rheo[None, :]
    k_sens = list(CELLS).index(SENSORY)
    # The sensory neuron's receptor current is proportional to the stimulus: 1 unit = its rheobase x 1.1.
    gains[:, k_sens] = 1.1 * rheo[k_sens] * stim_units
    fi = trial(gains)
    # Trial 0: every cell at `step` x its rheobase. Trial 1: the LTS cell at the 0.3-nA step of the
    # authors' demo (ModelDB 123623), where its T-type Ca2+ current crowns a burst.
    k_lts = list(CELLS).index(LTS)
    steps = np.tile(p.step * rheo, (N_TRIALS, 1))
    steps[1, k_lts] = LTS_DEMO_NA / per_density[k_lts]
    both = trial(steps)
    step_rec, lts_demo = both[0], both[1, :, k_lts]

    names = list(CELLS)
    summary = {"cells": names, "rheobase_uA_cm2": rheo.tolist(),
               "rheobase_nA": (rheo * np.asarray(per_density)).tolist(), "step_x_rheobase": p.step}
    pattern = [_pattern(t, step_rec[:, c], start, stop) for c in range(n_cells)]
    for key in pattern[0]:
        summary[key] = [row[key] for row in pattern]
    summary["classified_as"] = [_classify(row) for row in pattern]
    demo = _pattern(t, lts_demo, start, stop)
    summary["lts_demo_step_nA"] = LTS_DEMO_NA
    summary["lts_demo_bursts"] = demo["bursts"]
    summary["lts_demo_first_isis_ms"] = np.diff(_spikes(t, lts_demo, start, stop))[:4].tolist()
    summary["fi_multiples"] = mult.tolist()
    summary["fi_rate_hz"] = {names[c]: [_rate(t, fi[j, :, c], start, stop) for j in range(N_TRIALS)]
                             for c in range(n_cells) if c != k_sens}
    rates = [_rate(t, fi[j, :, k_sens], start, stop) for j in range(N_TRIALS)]
    summary["sensory_stimulus"] = stim_units.tolist()
    summary["sensory_current_uA_cm2"] = gains[:, k_sens].tolist()
    summary["sensory_rate_hz"] = rates
    summary["sensory_monotonic_decades"] = _monotonic_decades(stim_units, rates)
    summary["definitions"] = {
        "rheobase_uA_cm2": "smallest step (of the run's duration) that fires at least one spike (0 mV crossing)",
        "rate_hz": "spikes per second during the step",
        "adaptation_ratio": "last / first interspike interval",
        "ahp_below_rest_mV": "rest minus the mean lowest V between spikes in the second half of the step",
        "bursts": f"runs of >= {BURST_SPIKES} spikes with intervals < {BURST_ISI_MS:g} ms",
        "sensory_monotonic_decades": "span (log10) of stimulus intensities over which the rate rises strictly",
    }
    summary["temperature_degC"] = p.temperature
    traces = {f"v, {name} (mV)": step_rec[:, c] for c, name in enumerate(names)}
    traces[f"v, {LTS} at {LTS_DEMO_NA:g} nA (mV)"] = lts_demo
    for j in (0, N_TRIALS // 2, N_TRIALS - 1):
        traces[f"v, sensory neuron, stimulus {stim_units[j]:.3g} (mV)"] = fi[j, :, k_sens]
    return Result(t=t, traces=traces, summary=summary, name=EXPERIMENT.name,
                  meta=dict(p, delay=DELAY_MS, descriptions={k: v[1] for k, v in CELLS.items()}),
                  plotter=plot_neuron_types)


def _site(c: int):
    from excitable.model.network import Site

    return Site(c, Location(0, 0.5))


def _spikes(t, v, start, stop) -> np.ndarray:
    up = np.nonzero((v[:-1] < 0.0) & (v[1:] >= 0.0))[0] + 1
    s = t[up]
    return s[(s >= start) & (s < stop + 2.0)]


def _rate(t, v, start, stop) -> float:
    return 1000.0 * len(_spikes(t, v, start, stop)) / (stop - start)


def _rheobases(trial, t, n_cells, start, stop, tolerance, upper=100.0) -> np.ndarray:
    """Per cell, the smallest step (uA/cm2) that fires: N_TRIALS amplitudes per round, log-spaced over
    four decades in the first round, then evenly spaced in the bracket found."""
    lo, hi = np.zeros(n_cells), np.full(n_cells, upper)
    first_round = True
    while np.max((hi - lo) / hi) > tolerance:
        if first_round:
            amps = np.tile(np.geomspace(upper * 1e-4, upper, N_TRIALS)[:, None], (1, n_cells))
        else:
            amps = lo[None, :] + (hi - lo)[None, :] * np.arange(1, N_TRIALS + 1)[:, None] / N_TRIALS
        rec = trial(amps)
        fired = np.array([[len(_spikes(t, rec[j, :, c], start, stop)) > 0 for c in range(n_cells)]
                          for j in range(N_TRIALS)])
        if not fired[-1].all():
            bad = [list(CELLS)[c] for c in range(n_cells) if not fired[-1, c]]
            raise ModelError(f"no spike up to {upper:g} uA/cm2 for: {', '.join(bad)}")
        first = np.argmax(fired, axis=0)
        cols = np.arange(n_cells)
        lo = np.where(first > 0, amps[np.maximum(first - 1, 0), cols], 0.0 if first_round else lo)
        hi = amps[first, cols]
        first_round = False
    return 0.5 * (lo + hi)


def _pattern(t, v, start, stop) -> dict:
    """Spike count, rate, intervals, adaptation and bursts of one step response.

    A burst is a run of at least BURST_SPIKES spikes with intervals below BURST_ISI_MS that ends before
    the step does (a longer interval follows); a run lasting to the end of the step is tonic firing.
    """
    s = _spikes(t, v, start, stop)
    isi = np.diff(s)
    rest = float(v[int(np.searchsorted(t, start)) - 1])
    late = s[s >= 0.5 * (start + stop)]
    troughs = [float(v[(t > a) & (t < b)].min()) for a, b in zip(late[:-1], late[1:])]
    bursts, longest, run = 0, 0, 1
    for k, x in enumerate(isi):
        run = run + 1 if x < BURST_ISI_MS else 1
        ends = k + 1 == len(isi) or isi[k + 1] >= BURST_ISI_MS
        if run >= BURST_SPIKES and ends and k + 1 < len(isi):
            bursts += 1
            longest = max(longest, run)
    return {
        "n_spikes": int(s.size),
        "rate_hz": 1000.0 * s.size / (stop - start),
        "first_isi_ms": float(isi[0]) if isi.size else None,
        "last_isi_ms": float(isi[-1]) if isi.size else None,
        "adaptation_ratio": float(isi[-1] / isi[0]) if isi.size >= 2 else None,
        "min_isi_ms": float(isi.min()) if isi.size else None,
        "bursts": bursts,
        "longest_burst_spikes": longest,
        "first_spike_latency_ms": float(s[0] - start) if s.size else None,
        "ahp_below_rest_mV": rest - float(np.mean(troughs)) if troughs else None,
    }


def _classify(row) -> str:
    if row["n_spikes"] == 0:
        return "silent"
    if row["n_spikes"] <= 2:
        return "phasic (fires at the onset only)"
    if row["bursts"]:
        return "bursting"
    if row["adaptation_ratio"] is not None and row["adaptation_ratio"] > 1.5:
        return "adapting"
    return "fast, non-adapting" if row["rate_hz"] > 100 else "regular, non-adapting"


def _monotonic_decades(stim, rates) -> float:
    """log10 span of the longest run of stimuli over which the rate rises strictly (0 < rate)."""
    best, i0 = 0.0, None
    for i in range(len(stim)):
        if rates[i] <= 0:
            i0 = None
            continue
        if i0 is None or rates[i] <= rates[i - 1]:
            i0 = i
        best = max(best, float(np.log10(stim[i] / stim[i0])))
    return best
