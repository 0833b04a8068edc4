"""Why does a depolarized rest lead to seizures?

A piece of cortex is a network of excitatory neurons, which excite each other, and inhibitory
interneurons, which they also excite and which inhibit everyone back. Each cell also receives a
steady rain of random input from elsewhere. In a healthy network the excitatory cells rest about
15 mV below their threshold: only the occasional chance coincidence of inputs makes one fire, each
for its own reasons, so the cells fire rarely and out of step with each other (asynchronously), while
the interneurons, driven harder, fire faster and keep the excitation in check.

Now depolarize the excitatory cells' rest by 10 mV, as a raised extracellular K+ concentration does (it
lowers the K+ gradient that holds the cell at rest). Nothing else changes, not the synapses, not the
random input. But now a cell sits close to threshold, so an input that was lost before makes it fire,
and its spike in turn pushes its neighbours over. Excitation spreads through the network faster than
the interneurons can stop it: most of the cells fire together in a population burst, the interneurons
fire in response and silence everyone for a moment, and as that inhibition wears off all the cells
start together again. The result is recurring, synchronous bursts that involve most of the network: a
seizure-like state. The rates rise many times, and the synchrony index, which is near 0 when cells fire
independently and 1 when they all fire together, rises with them.

The cells are those of Pospischil et al. (2008): regular-spiking excitatory cells (with the textbook
cell's leak, a 10-ms membrane time constant) and fast-spiking interneurons, at 36 °C, connected at
random (each cell receives about 20 excitatory and 10 inhibitory synapses, delay 1.5 ms), each with its
own random background input. The textbook cell is not used: it cannot rest stably above about -64 mV,
where its Na+ window current outgrows the leak and it fires on its own; the regular-spiking cell rests
stably up to about -51.5 mV. The same network and the same background inputs run twice, with the
excitatory cells' leak reversal set for a rest of -70 mV and then of ``rest_mV``.

The recurrent synapses between excitatory cells (``g_ee`` 2.5 nS) are weaker than those onto the
interneurons (5 nS): a unitary EPSP of a few mV at rest, within the range measured between pairs of
cortical pyramidal cells (mean 1.3 mV, up to about 5 mV: Markram et al. 1997, J. Physiol. 500:409).
This strength decides the healthy network's synchrony: with 3 nS the recurrent excitation alone drew
the cells into loose step (chi 0.22, against 0.06 without it, the value for independent cells of this
number), above the < 0.2 that an asynchronous cortex shows; with 2.5 nS the healthy chi is 0.15, and
the depolarized network still bursts (chi 0.58), because there each cell is near threshold and one
input more is enough.

The first ``transient`` ms, while the network settles from its uniform starting state, are left out
of the measures and of the figure. Synchrony is the index chi of Golomb (2007, Scholarpedia 2(1):1347)
on each excitatory cell's spike train smoothed with a 10-ms exponential; a population burst is an
episode in which the population rate exceeds four times its mean and 20 Hz.

Size and speed: 200 excitatory and 50 inhibitory cells for 1 s each, at a 0.05-ms step, so the tour
shows it in seconds. A larger network (``n_exc``, ``n_inh`` with the connection probabilities scaled
to keep the same number of inputs per cell) behaves the same way, since each cell sees the same input.
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
from excitable.physics.receptors import Exp2Syn
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
    textbook cell's leak conductance (tau_m 10 ms). Unlike the textbook cell (Na+ VT near -69.5 mV, no
    stable rest above about -64 mV) it rests stably up to about -51.5 mV, so the leak reversal can put it
    at -60."""
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


#: The recurrent synapses: NEURON's Exp2Syn (linear, so one per cell and type sums all its inputs,
#: each connection carrying its weight), shaped like Destexhe et al. (1994)'s AMPA and GABA_A
#: receptors after a 1-ms, 1-mM release: rise about 0.5 ms, decay 1/beta = 5.3 and 5.6 ms, and peak
#: r = 0.62 (AMPA) and 0.96 (GABA_A) of gmax, so a connection's weight is that fraction of its gmax.
AMPA_SHAPE = dict(tau1=0.5, tau2=5.3, e=0.0)
GABA_A_SHAPE = dict(tau1=0.5, tau2=5.6, e=-80.0)
AMPA_PEAK, GABA_A_PEAK = 0.62, 0.96
#: The background events: Exp2Syn 0.5/3 ms, reversal 0 mV (an excitatory input from elsewhere).
BACKGROUND_SHAPE = dict(tau1=0.5, tau2=3.0, e=0.0)


def _random_pairs(rng, pre, post, p_connect):
    """(pre, post) pairs, each with probability ``p_connect``, no autapses."""
    mask = rng.random((len(pre), len(post))) < p_connect
    return [(pre[i], post[j]) for i, j in zip(*np.nonzero(mask)) if pre[i] != post[j]]


def build(p: Values) -> tuple[Network, dict]:
    """The network: cells, random synapses, Poisson backgrounds. Returns (network, counts)."""
    n_e, n_i = p.n_exc, p.n_inh
    exc, inh = exc_preset(), pospischil.fast_spiking()
    net = Network([_cell(exc) for _ in range(n_e)] + [_cell(inh) for _ in range(n_i)])
    E, Icells = list(range(n_e)), list(range(n_e, n_e + n_i))
    every = E + Icells
    # One synapse of each kind per cell (placing thousands of synapses one per connection made
    # building the network slower than running it); no transmitter cleft: t_max = 0.
    ampa = {c: net.synapse(Exp2Syn(**AMPA_SHAPE), c, t_max=0.0, pulse=0.0) for c in every}
    gaba = {c: net.synapse(Exp2Syn(**GABA_A_SHAPE), c, t_max=0.0, pulse=0.0) for c in every}
    counts = {}
    for key, pre, post, prob, syn, w, seed in (
            ("ee", E, E, p.p_connect, ampa, AMPA_PEAK * p.g_ee, p.seed),
            ("ei", E, Icells, p.p_connect, ampa, AMPA_PEAK * p.g_ei, p.seed + 1),
            ("ie", Icells, every, p.p_inh, gaba, GABA_A_PEAK * p.g_inh, p.seed + 2)):
        pairs = _random_pairs(np.random.default_rng(seed), pre, post, prob)
        for a, b in pairs:
            net.connect(a, b, synapse=syn[b], delay=p.delay, weight=w / 1000)  # nS -> µS
        counts[key] = len(pairs)
    rng = np.random.default_rng(p.seed + 3)
    for cell in every:
        times = np.sort(rng.uniform(0.0, p.tstop, rng.poisson(p.bg_rate_hz * p.tstop / 1000.0)))
        g_bg = p.g_bg if cell < n_e else p.g_bg_inh
        net.spike_train(times, cell, Exp2Syn(**BACKGROUND_SHAPE), weight=g_bg / 1000, t_max=0.0, pulse=0.0)
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
        synchrony_ratio=d["synchrony"] / b["synchrony"] if b["synchrony"] > 0 else None,
        **{f"{name}_{k}": summary[name][k] for name in CONDITIONS
           for k in ("rate_hz", "rate_inh_hz", "synchrony", "n_bursts")},
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
