"""Why does a depolarized rest lead to seizures? An E/I network at rest -70 mV, then at -60 mV.

A network of excitatory cells (Pospischil et al. 2008 regular-spiking: VT -56.2 mV, M-current; with
the textbook cell's leak, 0.1 mS/cm2, tau_m 10 ms) and inhibitory fast-spiking cells, connected at random
by AMPA and GABA_A synapses (two-state receptors, one per connection, 1.5 ms delay), each cell
bombarded by its own Poisson background. The same network, the same background spikes, twice:

- baseline: the leak reversal of the excitatory cells puts them at rest -70 mV. Background
  fluctuations rarely reach threshold, so the excitatory cells fire sparsely and independently:
  low rates, asynchronous (chi small);
- depolarized: the leak reversal of the excitatory cells is raised so that they rest 10 mV closer to
  threshold (default -60 mV: a raised [K]o does this to the resting K+ conductance). Near threshold
  the same background makes them fire far more, and an EPSP that was lost at -70 mV now fires its
  target: the excitatory cells recruit each other and the interneurons, whose synchronized
  inhibition silences everyone for a moment, after which all recover together and fire again.
  The result is recurring population bursts that involve most cells (chi large): a seizure-like
  state.

Why not the textbook cell (``pospischil.textbook()``, threshold -55 mV)? It cannot rest above
-64.2 mV: there its Na+ window current (m_inf^3 h_inf) grows faster with V than the leak, so the
steady state becomes unstable and every cell fires on its own. The regular-spiking cell's Na+ window
sits 13 mV higher (VT -56.2 mV), so it rests stably up to about -51.5 mV. ``rest_mV`` above that
limit shifts the leak reversal by the same amount as the requested rest (the passive rest) and the
summary says the cells have no stable rest.

Measures (on the excitatory cells, after a transient): mean rate; the synchrony index chi of Golomb
(2007, Scholarpedia 2(1):1347) on each cell's spike train convolved with a 10-ms exponential
(chi = 1: all cells together; ~1/sqrt(N): independent), and on the membrane potentials; population
bursts: episodes in which the population rate exceeds 4 x its mean and 20 Hz.

Default run (400 E + 100 I, 2 s; about 38 s on 2 cores): baseline E 1.2 Hz, chi 0.06, no bursts;
depolarized (-60 mV) E 19.7 Hz (15.8x), chi 0.64, 34 population bursts (about 19 per second) each
joined by 75 % of the excitatory cells; the interneurons, silent at baseline, fire 15 Hz in the bursts.
The background (1 kHz of 0.7-nS events per cell) holds the mean V near -57 mV at baseline, -56 mV
depolarized: what changes is how often its fluctuations and the recurrent EPSPs reach threshold.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from excitable.errors import ModelError
from excitable.experiments.base import Values
from excitable.experiments.synapses.declarations import EPILEPSY as EXPERIMENT
from excitable.experiments.synapses.epilepsy_figure import plot_epilepsy
from excitable.model.cell import Cell
from excitable.model.network import Network
from excitable.model.simulation import Simulation
from excitable.physics.channels import pospischil
from excitable.physics.receptors import AMPA, Exp2Syn, GABAa
from excitable.results import Result

#: Samples of V kept for chi_V and the figure, ms.
SAMPLE_MS = 0.5
#: Exponential filter of the spike trains for chi, ms.
CHI_TAU_MS = 10.0
#: Population-rate bins, ms.
BIN_MS = 5.0
CONDITIONS = ("baseline", "depolarized")
#: Rest of the excitatory cells in the baseline network, mV.
BASELINE_REST_MV = -70.0
#: Leak conductance of the excitatory cells, mS/cm2 (the textbook cell's; RS as published: 0.0205).
G_LEAK_EXC = 0.1


def exc_preset():
    """The excitatory cell: Pospischil's regular-spiking cell (VT -56.2 mV, M-current) with the
    textbook cell's leak conductance (tau_m 10 ms). Unlike the textbook cell (VT -69.3 mV, no stable
    rest above -64.2 mV) it rests stably up to about -51.5 mV, so the leak reversal can put it at -60."""
    rs = pospischil.regular_spiking()
    return rs._replace(channels=[dataclasses.replace(ch, g=G_LEAK_EXC) if ch.name == "Leak" else ch
                                 for ch in rs.channels])


def _cell(preset) -> Cell:
    cell = Cell.cylinder(length=preset.length, diameter=preset.diameter, cm=preset.cm)
    for ch in preset.channels:
        cell.insert(ch)
    return cell


def _other_current(preset, v):
    """Steady-state membrane current (uA/cm2) at V (mV) of every channel but the leak."""
    total = np.zeros_like(np.asarray(v, float))
    for ch in preset.channels:
        if ch.name != "Leak":
            s = ch.steady_state(v, preset.celsius)
            total = total + np.asarray(sum(ch.currents(v, s).values()))
    return total


def _leak_curve(preset):
    """V (mV) on the stable branch and the leak reversal (mV) that makes each V the rest."""
    g_leak = next(ch.g for ch in preset.channels if ch.name == "Leak")
    v = np.arange(-90.0, -40.0, 0.01)
    e_l = v + _other_current(preset, v) / g_leak  # gL (V - eL) + I_other(V) = 0 at rest
    stop = int(np.argmax(np.diff(e_l) <= 0))  # past here the steady state is unstable
    return v[: stop + 1], e_l[: stop + 1]


def rest_for_leak(preset, e_leak: float) -> float | None:
    """Resting potential (mV) with leak reversal ``e_leak``, or None if the cell cannot rest."""
    v, e_l = _leak_curve(preset)
    return float(np.interp(e_leak, e_l, v)) if e_leak <= e_l[-1] else None


def leak_for_rest(preset, rest_mV: float) -> tuple[float, bool, float]:
    """(leak reversal that makes ``rest_mV`` the rest, whether that rest is stable, highest stable rest).

    At rest gL (V - eL) + I_other(V) = 0, so eL = V + I_other(V) / gL. The rest is stable while eL
    grows with V (the steady-state I-V slope is positive); past the maximum the cell fires on its own,
    and then the leak reversal is shifted by the requested change of rest instead (passive rest).
    """
    v, e_l = _leak_curve(preset)
    if rest_mV <= v[-1]:
        return float(np.interp(rest_mV, v, e_l)), True, float(v[-1])
    e_leak0 = next(ch.e for ch in preset.channels if ch.name == "Leak")
    return float(e_leak0 + rest_mV - rest_for_leak(preset, e_leak0)), False, float(v[-1])


def build(p: Values) -> tuple[Network, dict]:
    """The network: cells, random synapses, Poisson backgrounds. Returns (network, counts)."""
    n_e, n_i = p.n_exc, p.n_inh
    exc, inh = exc_preset(), pospischil.fast_spiking()
    net = Network([_cell(exc) for _ in range(n_e)] + [_cell(inh) for _ in range(n_i)])
    E, Icells = list(range(n_e)), list(range(n_e, n_e + n_i))
    seed, d = p.seed, p.delay
    counts = {
        "ee": net.connect_rule(E, E, AMPA(gmax=p.g_ee / 1000), rule="random", p_connect=p.p_connect,
                               seed=seed, delay=d),
        "ei": net.connect_rule(E, Icells, AMPA(gmax=p.g_ei / 1000), rule="random",
                               p_connect=p.p_connect, seed=seed + 1, delay=d),
        "ie": net.connect_rule(Icells, E + Icells, GABAa(gmax=p.g_inh / 1000), rule="random",
                               p_connect=p.p_inh, seed=seed + 2, delay=d),
    }
    rng = np.random.default_rng(seed + 3)
    bg = Exp2Syn(tau1=0.5, tau2=3.0, e=0.0)
    for cell in E + Icells:
        times = np.sort(rng.uniform(0.0, p.tstop, rng.poisson(p.bg_rate_hz * p.tstop / 1000.0)))
        net.spike_train(times, cell, bg, weight=p.g_bg / 1000, t_max=0.0, pulse=0.0)
    return net, counts


def with_leak(params: dict, n_exc: int, e_leak: float) -> dict:
    """``params`` with the leak reversal of the first ``n_exc`` cells (the E cells) set to ``e_leak``."""
    channels = dict(params["channels"])
    leak = channels["Leak"]
    e = np.array(leak.e, dtype=float)
    e[:n_exc] = e_leak
    channels["Leak"] = dataclasses.replace(leak, e=e)
    return {**params, "channels": channels}


def measure(res, p: Values) -> dict:
    """Rates, synchrony and bursts of one run (E cells unless said)."""
    from excitable.analysis import network as na

    n_e, n_i = p.n_exc, p.n_inh
    t0, t1 = p.transient, p.tstop
    exc = {i: res.spikes[i] for i in range(n_e)}
    inh = {i: res.spikes[i] for i in range(n_e, n_e + n_i)}
    t_bins, rate = na.population_rate(exc, t0, t1, BIN_MS)
    _, rate_i = na.population_rate(inh, t0, t1, BIN_MS)
    mean = na.mean_rate(exc, t0, t1)
    bursts = na.population_bursts(t_bins, rate, threshold_hz=max(20.0, 4.0 * mean))
    activity = na.filtered_trains(exc, t0, t1, SAMPLE_MS, CHI_TAU_MS)
    keep = res.t >= t0
    v = res.traces["v_all"][keep][:, :n_e]
    in_burst = [np.mean([np.any((x >= a - BIN_MS) & (x <= b + BIN_MS)) for x in exc.values()])
                for a, b, _ in bursts]
    return {
        "rate_hz": mean,
        "rate_inh_hz": na.mean_rate(inh, t0, t1),
        "synchrony": na.synchrony_chi(activity) if activity.any() else 0.0,
        "synchrony_v": na.synchrony_chi(v),
        "n_bursts": len(bursts),
        "burst_rate_hz": len(bursts) / ((t1 - t0) / 1000.0),
        "cells_per_burst": float(np.mean(in_burst)) if in_burst else 0.0,
        "mean_v_mV": float(v.mean()),
        "_t_bins": t_bins, "_rate": rate, "_rate_inh": rate_i, "_bursts": bursts,
    }


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    if p.transient >= p.tstop - 100.0:
        raise ModelError(f"transient ({p.transient:g} ms) must end at least 100 ms before tstop "
                         f"({p.tstop:g} ms)")
    exc = exc_preset()
    e_leak0 = leak_for_rest(exc, BASELINE_REST_MV)[0]
    e_leak, stable, v_max = leak_for_rest(exc, p.rest_mV)
    net, counts = build(p)
    sim = Simulation(net, dt=p.dt, temperature=exc.celsius, v_init="rest")
    sim.record("v", at="all")
    sim.record_spikes()
    base = sim.parameters()
    stride = max(1, int(round(SAMPLE_MS / p.dt)))
    runs, spikes = {}, {}
    for name, e_l in zip(CONDITIONS, (e_leak0, e_leak)):
        res = sim.run(p.tstop, params=with_leak(base, p.n_exc, e_l), stride=stride)
        runs[name] = measure(res, p)
        runs[name]["e_leak_mV"] = e_l
        runs[name]["_v_examples"] = res.traces["v_all"][:, [0, 1, p.n_exc]]
        runs[name]["_t"] = res.t
        spikes[name] = res.spikes
    rests = (rest_for_leak(exc, e_leak0), rest_for_leak(exc, e_leak))
    summary = {name: {k: v for k, v in runs[name].items() if not k.startswith("_")} for name in CONDITIONS}
    for name, rest in zip(CONDITIONS, rests):
        summary[name]["rest_mV"] = rest
    summary["depolarized"]["stable_rest"] = stable
    b, d = summary["baseline"], summary["depolarized"]
    summary.update(
        rate_ratio=d["rate_hz"] / b["rate_hz"] if b["rate_hz"] > 0 else None,
        synchrony_definition=(f"Golomb (2007) chi of the {p.n_exc} excitatory cells: sqrt(Var[mean "
                              f"signal] / mean Var[signal]) in [0, 1], signal = spike train convolved "
                              f"with a {CHI_TAU_MS:g}-ms exponential (synchrony_v: membrane potential), "
                              f"from {p.transient:g} to {p.tstop:g} ms"),
        highest_stable_rest_mV=v_max,
        n_synapses=counts,
        spec_row_34={"baseline_rate_below_5_hz": b["rate_hz"] < 5.0,
                     "baseline_chi_below_0.2": b["synchrony"] < 0.2,
                     "rate_ratio_at_least_3": d["rate_hz"] >= 3.0 * b["rate_hz"],
                     "depolarized_chi_above_0.5": d["synchrony"] > 0.5,
                     "recurring_bursts": d["n_bursts"] >= 2},
    )
    t_bins = runs["baseline"]["_t_bins"]
    traces = {f"{name} E rate (Hz)": runs[name]["_rate"] for name in CONDITIONS}
    traces.update({f"{name} I rate (Hz)": runs[name]["_rate_inh"] for name in CONDITIONS})
    out = Result(t=t_bins, traces=traces, summary=summary, name=EXPERIMENT.name)
    out.meta.update(p, spikes=spikes, runs={n: {k: v for k, v in runs[n].items() if k.startswith("_")}
                                            for n in CONDITIONS})
    out.plotter = plot_epilepsy
    return out
