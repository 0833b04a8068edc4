"""Why does release need Ca2+? The spike opens Ca2+ channels, and Ca2+ triggers the vesicles' fusion.

When the action potential reaches the axon terminal, its depolarization opens voltage-gated Ca2+
channels. Outside the cell Ca2+ is about 2 mM, inside about 0.0001 mM (100 nM): a 20 000-fold gradient,
so Ca2+ rushes in and, just under the membrane where the vesicles wait, its concentration rises within
a fraction of a millisecond from 0.1 uM to tens of uM. The vesicles are docked to the membrane by
SNARE proteins and held back by a Ca2+ sensor (synaptotagmin) that needs several Ca2+ ions bound,
about four, before the vesicle fuses and empties its transmitter into the cleft. Because four ions
must bind, the rate of release grows as the fourth power of [Ca2+]i while Ca2+ is scarce: halve the
Ca2+ that enters and release falls 16-fold. When the spike is over the Ca2+ channels close, Ca2+ is
buffered and pumped away, and release stops: the spike is turned into a brief pulse of transmitter.

Dodge and Rahamimoff (1967) showed this at the frog neuromuscular junction: lowering external Ca2+
reduced the endplate potential along a line of slope about 4 in log-log coordinates. Without Ca2+
outside, or with the Ca2+ channels blocked (Cd2+), the spike still reaches the terminal but no
transmitter is released and the postsynaptic cell sees nothing.

Model: terminals (single compartments, 2 x 2 um, the textbook neuron's channels, at its 37 degC) with a high-voltage-activated Ca2+ channel whose current follows the Goldman-Hodgkin-Katz
flux equation (so it is proportional to [Ca2+]o), one terminal per [Ca2+]o, fired by a brief pulse.
[Ca2+]i under the membrane (a shell ``shell_nm`` deep) rises with the Ca2+ current and relaxes back
with ``tau_ca``; each of ``n_sites`` release sites releases its vesicle at the rate k_max [Ca]^n /
([Ca]^n + K^n) (n = ``cooperativity``): P = 1 - exp(-integral of the rate). The quantal content m
(vesicles released) opens m x ``quantum`` of AMPA conductance on a textbook postsynaptic cell.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from excitable.errors import ModelError
from excitable.experiments.base import Values
from excitable.experiments.common.models import single_compartment
from excitable.experiments.synapses.calcium_release_figure import plot_calcium_release
from excitable.experiments.synapses.more_declarations import CALCIUM_RELEASE as EXPERIMENT
from excitable.model.cell import Cell
from excitable.model.network import Network, Site
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp
from excitable.physics.channel import AbstractChannel, channel, inf_tau, vtrap
from excitable.physics.channels.pospischil import textbook
from excitable.physics.ions import ghk_current
from excitable.physics.receptors import AMPA
from excitable.results import Result
from excitable.units import FARADAY

#: External Ca2+ of the terminals, mM: the low end (Dodge & Rahamimoff's 0.2-1 mM) up to twice normal.
CA_OUT = (0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0)
CA_REST_MM = 1e-4  # [Ca2+]i at rest (100 nM)
STIM_MS, STIM_UA_CM2, PULSE_MS = 2.0, 30.0, 0.5  # the pulse that fires each terminal (about 2x threshold)
TEMPERATURE = textbook().celsius  # the terminals' and the postsynaptic cell's: body temperature, 37 degC
LOW_FIT = 3  # the slope is fitted over the lowest three [Ca2+]o, where the sensor is far from saturation


@channel
class CaHVA(AbstractChannel):
    """High-voltage-activated Ca2+ channel: i = pCa m^2 GHK(V, cai, cao); m with the activation rates of
    Reuveni et al. (1993) x ``speed`` (presynaptic P/Q-type channels open and close within a few tenths
    of a ms: speed 3), no inactivation within a spike. pCa in cm/s, mM, degC."""

    pCa: float = 1e-4
    cai: float = CA_REST_MM
    cao: float = 2.0
    celsius: float = TEMPERATURE  # the GHK law needs T, which ``currents`` is not given
    speed: float = 3.0

    states = ("m",)
    units = {"pCa": "cm/s", "cai": "mM", "cao": "mM", "celsius": "degC", "speed": "1"}
    ions = {"ica": "ca"}
    reference_celsius = 36.0

    def gates(self, v, celsius):
        return {"m": inf_tau(0.055 * vtrap(-27.0 - v, 3.8), 0.94 * jnp.exp((-75.0 - v) / 17.0), self.speed)}

    def currents(self, v, s):
        return {"ica": s["m"] ** 2 * ghk_current(v, self.pCa, self.cai, self.cao, 2, self.celsius)}


def terminal(cao: float, p_ca: float) -> Cell:
    """A 2 x 2 um bouton with the textbook neuron's spike channels and CaHVA at ``cao`` mM outside."""
    cell = Cell.cylinder(length=2.0, diameter=2.0, name=f"terminal {cao:g} mM")
    for ch in (*textbook().channels, CaHVA(pCa=p_ca, cao=cao)):
        cell.insert(ch)
    return cell


def terminals_run(p: Values, concentrations) -> Result:
    """Stage 1: every terminal (one per [Ca2+]o; the last one Cd2+-blocked) fires once."""
    net = Network()
    for k, cao in enumerate(concentrations):
        blocked = k == len(concentrations) - 1
        net.add(terminal(cao, p.p_ca * (1.0 - (1.0 if blocked else p.cd_block))))
    sim = Simulation(net, dt=p.dt, temperature=TEMPERATURE, v_init="rest")
    for k, cell in enumerate(net.cells):
        sim.stimulate(IClamp(cell.soma, cell.density_to_nA(STIM_UA_CM2, cell.soma), STIM_MS, PULSE_MS), cell=k)
        sim.record("v", Site(k, cell.soma), label=f"v terminal {k}")
        sim.record("CaHVA.ica", Site(k, cell.soma), label=f"ica {k}")
    return sim.run(p.tstop)


def calcium(t, ica, p: Values) -> np.ndarray:
    """[Ca2+]i under the membrane, mM: d[Ca]/dt = -ica / (2 F depth) - ([Ca] - rest) / tau_ca, the inflow
    held over each step (ica recorded at its end) and the relaxation exact (exponential integrator)."""
    dt = float(t[1] - t[0])
    depth_cm = p.shell_nm * 1e-7
    # uA/cm2 x 1e-6 = A/cm2; / (2 F depth) = mol/(s cm3); x 1e3 = mol/(s L) = M/s = mM/ms.
    inflow = -np.asarray(ica) * 1e-6 / (2.0 * FARADAY * depth_cm) * 1e3
    decay = np.exp(-dt / p.tau_ca)
    ca = np.empty_like(inflow)
    c = CA_REST_MM
    for i, j in enumerate(inflow):
        ca[i] = c
        c = CA_REST_MM + (c - CA_REST_MM) * decay + j * p.tau_ca * (1.0 - decay)
    return ca


def release(t, ca, p: Values) -> tuple[np.ndarray, float, float]:
    """(release rate per site (1/ms), probability per site, time of the peak rate ms)."""
    c_um, k_um = ca * 1e3, p.k_d
    rate = p.k_max * c_um ** p.cooperativity / (c_um ** p.cooperativity + k_um ** p.cooperativity)
    dt = float(t[1] - t[0])
    prob = 1.0 - float(np.exp(-np.sum(rate) * dt))
    return rate, prob, float(t[int(np.argmax(rate))])


def postsynaptic_run(p: Values, quanta, times) -> Result:
    """Stage 2: one textbook cell per terminal, m x quantum of AMPA conductance at the release time."""
    net = Network()
    for m, t_rel in zip(quanta, times):
        i = net.add(single_compartment("textbook").cell)
        net.spike_train([t_rel], i, AMPA(gmax=max(m, 0.0) * p.quantum), t_max=1.0, pulse=0.1, tau_clear=1.2)
    sim = Simulation(net, dt=p.dt, temperature=TEMPERATURE, v_init="rest")
    for i, cell in enumerate(net.cells):
        sim.record("v", Site(i, cell.soma), label=f"v post {i}")
    return sim.run(p.tstop)


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    concentrations = sorted(set(CA_OUT) | {p.cao}) + [p.cao]  # the last: the same, Cd2+-blocked
    pre = terminals_run(p, concentrations)
    t = pre.t
    rows = []
    for k, cao in enumerate(concentrations):
        ca = calcium(t, pre[f"ica {k}"], p)
        rate, prob, t_peak = release(t, ca, p)
        rows.append((cao, ca, rate, prob, t_peak))
    if not np.any(pre["v terminal 0"] > 0.0):
        raise ModelError("the terminal did not fire: nothing to release")
    quanta = [p.n_sites * prob for _, _, _, prob, _ in rows]
    post = postsynaptic_run(p, quanta, [t_peak for *_, t_peak in rows])
    res = Result(t=t, traces={}, name=EXPERIMENT.name)
    for k, (cao, ca, rate, _, _) in enumerate(rows):
        tag = "Cd2+ blocked" if k == len(rows) - 1 else f"{cao:g} mM"
        res.traces[f"v terminal {tag}"] = pre[f"v terminal {k}"]
        res.traces[f"ica {tag}"] = pre[f"ica {k}"]
        res.traces[f"cai {tag}"] = ca * 1e3  # uM
        res.traces[f"release rate {tag}"] = rate * p.n_sites  # vesicles / ms
        res.traces[f"v post {tag}"] = post[f"v post {k}"]
    res.meta.update(p, concentrations=concentrations)
    res.summary = summarize(res, p, rows, quanta)
    res.plotter = plot_calcium_release
    return res


def summarize(res: Result, p: Values, rows, quanta) -> dict:
    t, tr = res.t, res.traces
    conc = [cao for cao, *_ in rows[:-1]]
    k0 = int(np.searchsorted(t, STIM_MS))
    epsp = [float(tr[f"v post {cao:g} mM"].max() - tr[f"v post {cao:g} mM"][k0]) for cao in conc]
    tag = f"{p.cao:g} mM"
    ca = tr[f"cai {tag}"]
    v_pre = tr[f"v terminal {tag}"]
    out = {"cao_mM": conc, "quantal_content": quanta[:-1], "epsp_mV_by_cao": epsp,
           "peak_cai_uM_by_cao": [float(tr[f"cai {c:g} mM"].max()) for c in conc],
           "peak_ica_uA_cm2_by_cao": [float(-tr[f"ica {c:g} mM"].min()) for c in conc]}
    x, y = np.log(conc[:LOW_FIT]), np.log(quanta[:LOW_FIT])
    out["log_log_slope"] = float(np.polyfit(x, y, 1)[0])
    i = conc.index(p.cao)
    out.update({
        "cao_control_mM": p.cao,
        "terminal_peak_mV": float(v_pre.max()),
        "peak_cai_uM": float(ca.max()),
        "cai_rise_after_spike_ms": float(t[int(np.argmax(ca))] - t[int(np.argmax(v_pre))]),
        "release_probability": quanta[i] / p.n_sites,
        "quantal_content_control": quanta[i],
        "epsp_mV": epsp[i],
        "epsp_cd_block_mV": float(tr["v post Cd2+ blocked"].max() - tr["v post Cd2+ blocked"][k0]),
        "quantal_content_cd_block": quanta[-1],
        "release_ratio_half_ca": None,
    })
    if p.cao / 2 in conc:
        out["release_ratio_half_ca"] = quanta[i] / max(quanta[conc.index(p.cao / 2)], 1e-300)
    return out
