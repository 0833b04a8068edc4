"""Nicotinic vs muscarinic receptors: the same acetylcholine, a fast excitation or a slow inhibition.

A nicotinic receptor is itself the channel (ionotropic): ACh binding opens a pore for Na+ and K+ with
a reversal potential near 0 mV, so within a millisecond an inward current depolarizes the cell, and the
response is over a few milliseconds after ACh is gone. A muscarinic M2 receptor (metabotropic) has no
pore: bound ACh activates G proteins, whose beta-gamma subunits must find and open separate K+
channels (GIRK) - several per channel, so the opening lags and grows steeply with the G-protein level.
K+ flows out toward E_K (-95 mV): a hyperpolarization that starts tens of milliseconds late, peaks
after a few hundred and lasts for many hundreds (the slow IPSP; Hartzell 1981). A burst releases more
ACh and activates more G protein; with four G proteins per channel the response to a burst is far
more than the sum of single responses.

Model: three textbook single compartments (rest -70 mV, 36 degC); one receives ACh on a nicotinic
synapse, one on a muscarinic M2 synapse (excitable.physics.receptors: Destexhe-type kinetic schemes),
the third on an M2 synapse hit by a burst. Each release puts ``t_max`` mM of ACh in the cleft for
0.1 ms, cleared by acetylcholinesterase with time constant ``tau_clear``.

Measures (from the release, on V - rest): latency = first time |dV| exceeds 10 % of its peak;
time to peak; duration = time |dV| stays above half its peak (half-width); sign of the peak.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.models import single_compartment
from excitable.experiments.synapses.declarations import RECEPTOR_TYPES as EXPERIMENT
from excitable.experiments.synapses.receptor_types_figure import plot_receptor_types
from excitable.model.network import Network, Site
from excitable.model.simulation import Simulation
from excitable.physics.receptors import MuscarinicM2, Nicotinic
from excitable.results import Result

RELEASE_MS = 20.0
PULSE_MS = 0.1


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    model = single_compartment("textbook")
    cells = [model.cell] + [single_compartment("textbook").cell for _ in range(2)]
    net = Network(cells)
    cleft = {"t_max": p.t_max, "pulse": PULSE_MS, "tau_clear": p.tau_clear}
    burst = RELEASE_MS + np.arange(p.burst_spikes) * 1000.0 / p.burst_rate
    net.spike_train([RELEASE_MS], 0, Nicotinic(gmax=p.gmax_nicotinic * (1.0 - p.curare)), **cleft)
    net.spike_train([RELEASE_MS], 1, MuscarinicM2(gmax=p.gmax_muscarinic * (1.0 - p.atropine)), **cleft)
    net.spike_train(burst, 2, MuscarinicM2(gmax=p.gmax_muscarinic * (1.0 - p.atropine)), **cleft)
    sim = Simulation(net, dt=p.dt, temperature=model.temperature, v_init="rest")
    for k, label in enumerate(("v_nicotinic", "v_muscarinic", "v_muscarinic_burst")):
        sim.record("v", Site(k, cells[k].soma), label=label)
    sim.record("Nicotinic[0].g", label="g_nicotinic")
    sim.record("MuscarinicM2[0].g", label="g_muscarinic")
    sim.record("MuscarinicM2[1].g", label="g_muscarinic_burst")
    res = sim.run(p.tstop)
    res.name = EXPERIMENT.name
    res.meta.update(p, release_ms=RELEASE_MS, burst_times_ms=burst.tolist())
    t, tr = res.t, res.traces
    rest = float(tr["v_nicotinic"][0])
    nic = response_measures(t, tr["v_nicotinic"] - rest, RELEASE_MS)
    mus = response_measures(t, tr["v_muscarinic"] - rest, RELEASE_MS)
    burst_r = response_measures(t, tr["v_muscarinic_burst"] - rest, RELEASE_MS)
    g1, gb = float(tr["g_muscarinic"].max()), float(tr["g_muscarinic_burst"].max())
    res.summary = {
        "rest_mV": rest,
        "release_ms": RELEASE_MS,
        "nicotinic": nic,
        "muscarinic": mus,
        "muscarinic_burst": burst_r,
        "nicotinic_conductance": response_measures(t, tr["g_nicotinic"], RELEASE_MS, "uS"),
        "muscarinic_conductance": response_measures(t, tr["g_muscarinic"], RELEASE_MS, "uS"),
        "burst_spikes": p.burst_spikes,
        # Supralinear summation (G^4 cooperativity): burst peak conductance / (n x single peak).
        "burst_conductance_ratio": gb / g1 if g1 > 0 else None,
        "burst_supralinearity": gb / (p.burst_spikes * g1) if g1 > 0 else None,
        # None when a blocker (curare, atropine) leaves one of the two without a response.
        "speed_ratio_time_to_peak": mus["time_to_peak_ms"] / nic["time_to_peak_ms"]
        if nic["time_to_peak_ms"] and mus["time_to_peak_ms"] is not None else None,
    }
    res.plotter = plot_receptor_types
    return res


def response_measures(t, dv, t0: float, unit: str = "mV") -> dict:
    """Sign, peak (signed, ``peak_<unit>``), latency (10 % of peak), time to peak and half-width of
    ``dv`` after ``t0``; times in ms from ``t0``. ``sign`` is reported for voltages only."""
    after = t >= t0
    tt, y = t[after] - t0, dv[after]
    k = int(np.argmax(np.abs(y)))
    peak = float(y[k])
    if peak == 0.0:
        return {"sign": "none", f"peak_{unit}": 0.0, "latency_ms": None, "time_to_peak_ms": None,
                "duration_ms": None, "lasts_to_end": False}
    mag = np.abs(y) * np.sign(peak) * np.sign(y)  # the response in its own direction
    above10 = np.nonzero(mag >= 0.1 * abs(peak))[0]
    above50 = np.nonzero(mag >= 0.5 * abs(peak))[0]
    # Half-width: the contiguous run above half the peak that contains the peak.
    lo = hi = k
    while lo > 0 and mag[lo - 1] >= 0.5 * abs(peak):
        lo -= 1
    while hi < len(mag) - 1 and mag[hi + 1] >= 0.5 * abs(peak):
        hi += 1
    out = {
        "sign": "depolarizing" if peak > 0 else "hyperpolarizing",
        f"peak_{unit}": peak,
        "latency_ms": float(tt[above10[0]]),
        "time_to_peak_ms": float(tt[k]),
        "duration_ms": float(tt[hi] - tt[lo]) if len(above50) else None,
        "lasts_to_end": bool(hi == len(mag) - 1),
    }
    if unit != "mV":
        del out["sign"]
    return out
