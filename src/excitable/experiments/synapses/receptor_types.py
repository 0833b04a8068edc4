"""Nicotinic vs muscarinic receptors: what does each do with the same acetylcholine?

A nicotinic receptor is itself the channel (ionotropic): acetylcholine (ACh) binding opens a pore for
Na+ and K+ whose reversal potential is near 0 mV, so within a millisecond an inward current depolarizes
the cell (a fast excitatory postsynaptic potential), and the response is over a few milliseconds after
ACh is gone.

A muscarinic receptor has no pore (metabotropic): bound ACh activates G proteins, which act on other
proteins, so every muscarinic response starts late (tens of milliseconds), grows slowly and lasts
hundreds of milliseconds or more. What it does depends on the receptor subtype and its G protein.
M2 and M4 couple to G_i/o: the G protein's beta-gamma subunits open GIRK K+ channels (several per
channel, so the opening lags and grows steeply with the G-protein level); K+ flows out toward E_K and
the cell hyperpolarizes (the slow inhibitory potential of the heart's pacemaker and of autonomic
ganglia; Hartzell 1981). A burst releases more ACh and activates more G protein; with four G proteins
per channel the response to a burst is far more than the sum of single responses.

M1, M3 and M5 couple to G_q: the G protein activates phospholipase C, which uses up the membrane lipid
PIP2 that the M-type K+ channels (KCNQ2/3) need in order to open. The M channels close, the small
outward K+ current they carried at rest stops, and the cell depolarizes slightly; above all, the M
current no longer builds up during firing to slow the cell down, so the same input makes more spikes
(Brown & Adams 1980, who named the current after muscarine; Hille, Ion Channels of Excitable
Membranes, 3rd ed., ch. 6). So "muscarinic" does not mean "inhibitory": M2 inhibits, M1 excites.

Model: textbook single compartments (rest -70 mV, 37 °C, the cell's own). One receives one release of ACh on a
nicotinic synapse, one on a muscarinic M2 synapse, a third a burst on M2. Two more carry their M-type
K+ conductance on a muscarinic M1 mechanism (``excitable.experiments.synapses.m_current``: the same
conductance as the textbook cell's M current, which the G protein can close): one receives the burst,
the other none, and both get the same current step while the ACh acts. Each release puts ``t_max`` mM
of ACh in the cleft for 0.1 ms, cleared by acetylcholinesterase with time constant ``tau_clear``.

Measures (from the release, on V - rest): latency, the first time |dV| exceeds 10 % of its peak; time
to peak; duration, the time |dV| stays above half its peak; the sign of the peak.
"""

from __future__ import annotations

import numpy as np

from excitable.analysis import spike_times
from excitable.experiments.common.models import single_compartment
from excitable.experiments.synapses.declarations import RECEPTOR_TYPES as EXPERIMENT
from excitable.experiments.synapses.m_current import MuscarinicM1
from excitable.experiments.synapses.receptor_types_figure import plot_receptor_types
from excitable.model.network import Network, Site
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp
from excitable.physics.receptors import MuscarinicM2, Nicotinic
from excitable.results import Result

RELEASE_MS = 20.0
PULSE_MS = 0.1
#: The current step given to both M1 cells (ms): it starts when the burst's M closure is near its
#: largest (about 200 ms after the burst) and ends as it wears off.
M1_STEP = (200.0, 500.0)
#: The recorded V of each cell, in the order of the network.
CELLS = ("v_nicotinic", "v_muscarinic", "v_muscarinic_burst", "v_m1", "v_m1_control")


def _m1_cell(cell, atropine: float):
    """The M1 mechanism carrying ``cell``'s own M conductance (its KMYamada set to 0), so that ACh
    can close it; atropine keeps that fraction of the receptors from binding ACh."""
    area_cm2 = float(cell.compartments.area_um2.sum()) * 1e-8
    g_us = cell.mechanisms["KMYamada"].gM * area_cm2 * 1e3  # mS/cm2 x cm2 = mS -> µS
    cell.set("KMYamada.gM", 0.0)
    return MuscarinicM1(gmax=g_us, K1=MuscarinicM1.K1 * (1.0 - atropine))


def _network(p):
    """The five cells and their synapses (see the module's docstring), the burst's release times (ms)
    and the model's temperature (°C)."""
    models = [single_compartment("textbook") for _ in CELLS]
    cells = [m.cell for m in models]
    m1 = [_m1_cell(cells[3], p.atropine), _m1_cell(cells[4], 1.0)]  # the control binds no ACh
    net = Network(cells)
    cleft = {"t_max": p.t_max, "pulse": PULSE_MS, "tau_clear": p.tau_clear}
    burst = RELEASE_MS + np.arange(p.burst_spikes) * 1000.0 / p.burst_rate
    m2 = MuscarinicM2(gmax=p.gmax_muscarinic * (1.0 - p.atropine))
    net.spike_train([RELEASE_MS], 0, Nicotinic(gmax=p.gmax_nicotinic * (1.0 - p.curare)), **cleft)
    net.spike_train([RELEASE_MS], 1, m2, **cleft)
    net.spike_train(burst, 2, m2, **cleft)
    net.spike_train(burst, 3, m1[0], **cleft)
    net.spike_train(burst, 4, m1[1], **cleft)
    return net, cells, burst, models[0].temperature


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    net, cells, burst, temperature = _network(p)
    sim = Simulation(net, dt=p.dt, temperature=temperature, v_init="rest")
    for k in (3, 4):
        amplitude = cells[k].density_to_nA(p.m1_step, cells[k].soma)
        sim.stimulate(IClamp(cells[k].soma, amplitude=amplitude, delay=M1_STEP[0],
                             duration=M1_STEP[1] - M1_STEP[0]), cell=k)
    for k, label in enumerate(CELLS):
        sim.record("v", Site(k, cells[k].soma), label=label)
    sim.record("Nicotinic[0].g", label="g_nicotinic")
    sim.record("MuscarinicM2[0].g", label="g_muscarinic")
    sim.record("MuscarinicM2[1].g", label="g_muscarinic_burst")
    sim.record("MuscarinicM1[0].g", label="g_m_current")
    sim.record("MuscarinicM1[1].g", label="g_m_current_control")
    res = sim.run(p.tstop)
    res.name = EXPERIMENT.name
    res.meta.update(p, release_ms=RELEASE_MS, burst_times_ms=burst.tolist(), m1_step_ms=M1_STEP)
    res.summary = _summary(res.t, res.traces, p)
    res.plotter = plot_receptor_types
    return res


def _summary(t, tr, p) -> dict:
    """Each response's measures; the M1 cells' spikes during the step, their slow depolarization at
    rest before it and how much of the M conductance the ACh closed."""
    rest = float(tr["v_nicotinic"][0])
    nic = response_measures(t, tr["v_nicotinic"] - rest, RELEASE_MS)
    mus = response_measures(t, tr["v_muscarinic"] - rest, RELEASE_MS)
    burst_r = response_measures(t, tr["v_muscarinic_burst"] - rest, RELEASE_MS)
    g1, gb = float(tr["g_muscarinic"].max()), float(tr["g_muscarinic_burst"].max())
    before = int(np.searchsorted(t, M1_STEP[0])) - 1  # just before the step: the ACh alone
    in_step = (t >= M1_STEP[0]) & (t <= M1_STEP[1] + 5.0)
    spikes = {k: int(len(spike_times(t[in_step], tr[k][in_step]))) for k in ("v_m1", "v_m1_control")}
    g_m, g_m0 = tr["g_m_current"][before], tr["g_m_current_control"][before]
    return {
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
        "nicotinic_peak_mV": nic["peak_mV"],
        "nicotinic_time_to_peak_ms": nic["time_to_peak_ms"],
        "m2_peak_mV": mus["peak_mV"],
        "m2_time_to_peak_ms": mus["time_to_peak_ms"],
        "m1_depolarization_mV": float(tr["v_m1"][before] - tr["v_m1_control"][before]),
        "m1_m_current_closed_percent": 100.0 * (1.0 - g_m / g_m0) if g_m0 > 0 else None,
        "m1_spikes": spikes["v_m1"],
        "m1_spikes_control": spikes["v_m1_control"],
        "m1_step_uA_cm2": p.m1_step,
    }


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
