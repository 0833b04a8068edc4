"""How does the signal cross to the next cell? An action potential releases transmitter onto receptors.

The presynaptic neuron fires and its action potential runs down the axon to the terminal. There the
depolarization opens voltage-gated Ca2+ channels; Ca2+ entry triggers vesicle fusion after a short
latency (about 0.15 ms at body temperature; Sabatini & Regehr 1996), and the transmitter fills the
cleft (about 1 mM, cleared within a millisecond or two; Clements et al. 1992). It binds ligand-gated
receptors on the postsynaptic membrane, which open (AMPA, nicotinic: cation channels with E near
0 mV), let a net inward current flow and depolarize the cell: the excitatory postsynaptic potential
(EPSP). A large enough EPSP reaches threshold and fires the postsynaptic cell. The synaptic delay
(presynaptic peak to EPSP onset, 0.5-1 ms) is mostly the Ca2+-to-release step, which is strongly
temperature dependent (Q10 about 3; Katz & Miledi 1965), so the delay shortens as temperature rises.

Model: presynaptic ball-and-stick cell (soma 20 µm, axon 1 µm thick, ``axon_length`` long, the textbook
cell's channels everywhere, at its 37 °C); its terminal is the end of the axon. When the terminal's V
crosses 0 mV the engine triggers release after a fixed delay, chosen from a presynaptic-only run so
that release begins ``release_latency`` x ``latency_q10`` ^ ((37 - T) / 10) ms after the terminal's
AP peak (the Ca2+ entry and Ca2+-to-release steps, lumped). Cleft: ``t_max`` mM for ``pulse`` ms,
then cleared with time constant ``tau_clear``. Postsynaptic: the textbook single compartment (rest
-70 mV; both cells default to the textbook cell's 37 °C) with one receptor (Destexhe kinetic schemes,
``excitable.physics.receptors``).

EPSP onset criterion: the first time the postsynaptic V is 0.1 mV above its value at release.

Did it fire? A strong synapse takes the EPSP to threshold and the cell fires an action potential
(V crosses 0 mV); the spike is then not part of the EPSP. The summary says which happened: below
threshold, ``epsp_amplitude_mV`` is the EPSP's height; when the cell fired, it is None and the
numbers of the spike are given instead: when V crossed the textbook cell's threshold
(``THRESHOLD_MV``, where it takes off by itself), how long the EPSP took to get there from its
onset, and the spike's peak.
"""

from __future__ import annotations

import numpy as np

from excitable.analysis import crossing_times
from excitable.errors import ModelError
from excitable.experiments.base import Values
from excitable.experiments.common.models import single_compartment
from excitable.experiments.synapses.declarations import SYNAPTIC_TRANSMISSION as EXPERIMENT
from excitable.experiments.synapses.synaptic_transmission_figure import plot_synaptic_transmission
from excitable.model.cell import Cell
from excitable.model.morphology import Morphology
from excitable.model.network import Network, Site
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp, Location
from excitable.physics.channels.pospischil import textbook
from excitable.physics.receptors import AMPA, NMDA, Nicotinic
from excitable.results import Result

#: Default clearance time constants, ms: glutamate (Clements et al. 1992), ACh with AChE (0.1-0.2 ms).
TAU_CLEAR = {"ampa": 1.2, "nmda": 1.2, "nicotinic": 0.15}
RECEPTORS = {"ampa": AMPA, "nicotinic": Nicotinic, "nmda": NMDA}
STIM_DELAY_MS, STIM_NA, STIM_MS = 2.0, 0.3, 1.0
ONSET_MV = 0.1  # EPSP onset criterion: V this far above its value at release
TRIGGER_MV = 0.0  # the terminal's V crossing this upward triggers release
REFERENCE_TEMPERATURE = textbook().celsius  # 37 degC: release_latency is given at the cells' own temperature
#: The textbook neuron's voltage threshold, mV: V where dV/dt reaches 10 mV/ms on the upstroke
#: (action-potential's default run measures -54.7; the tests measure it on this cell's synaptic spike).
THRESHOLD_MV = -55.0


def presynaptic_cell(axon_length_um: float) -> Cell:
    """Ball-and-stick presynaptic neuron with the textbook cell's channels (``pospischil.textbook``) everywhere."""
    morph = Morphology.ball_and_stick(soma_diameter=20.0, axon_length=axon_length_um, axon_diameter=1.0)
    cell = Cell(morph, dx_um=10.0, ra=100.0, name="presynaptic")
    for ch in textbook().channels:
        cell.insert(ch)
    return cell


TERMINAL = Location("axon", 1.0)


def release_latency(p: Values) -> float:
    """Terminal AP peak -> release, ms, at the run's temperature (Q10 scaling from REFERENCE_TEMPERATURE)."""
    return p.release_latency * p.latency_q10 ** ((REFERENCE_TEMPERATURE - p.temperature) / 10.0)


def _calibrate(pre_cell: Cell, p: Values) -> tuple[float, float]:
    """(time V first >= TRIGGER_MV at the terminal (end of that step), terminal peak time), ms, from a
    presynaptic-only run: the chain is feed-forward, so the same times hold in the full network."""
    sim = Simulation(pre_cell, dt=p.dt, temperature=p.temperature, v_init="rest")
    sim.stimulate(IClamp(pre_cell.soma, amplitude=STIM_NA, delay=STIM_DELAY_MS, duration=STIM_MS))
    sim.record("v", TERMINAL, label="terminal")
    res = sim.run(min(p.tstop, 25.0))
    v = res["terminal"]
    up = np.nonzero((v[1:] >= TRIGGER_MV) & (v[:-1] < TRIGGER_MV))[0]
    if not len(up):
        raise ModelError("the presynaptic action potential did not reach the terminal "
                         f"(axon_length {p.axon_length} um, {p.temperature} degC)")
    k = up[0] + 1
    k_peak = k + int(np.argmax(v[k:k + int(round(3.0 / p.dt))]))
    return float(res.t[k]), float(res.t[k_peak])


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    tau_clear = TAU_CLEAR[p.receptor] if p.tau_clear is None else p.tau_clear
    pre = presynaptic_cell(p.axon_length)
    t_cross, t_peak = _calibrate(pre, p)
    latency = release_latency(p)
    delay = max(0.0, round((t_peak + latency - t_cross) / p.dt) * p.dt)

    post_model = single_compartment("textbook")
    post = post_model.cell
    net = Network([pre, post])
    receptor = RECEPTORS[p.receptor](gmax=p.gmax * (1.0 - p.antagonist))
    net.connect(pre, post, receptor, pre_at=TERMINAL, delay=delay, threshold=TRIGGER_MV,
                t_max=p.t_max, pulse=p.pulse, tau_clear=tau_clear)
    sim = Simulation(net, dt=p.dt, temperature=p.temperature, v_init="rest")
    sim.stimulate(IClamp(pre.soma, amplitude=STIM_NA, delay=STIM_DELAY_MS, duration=STIM_MS))
    sim.record("v", Site(0, pre.soma), label="v_pre_soma")
    sim.record("v", Site(0, TERMINAL), label="v_terminal")
    sim.record("v", Site(1, post.soma), label="v_post")
    name = receptor.name
    sim.record(f"{name}[0].T", label="transmitter")
    sim.record(f"{name}[0].{receptor.states[0]}", label="open_fraction")
    sim.record(f"{name}[0].i", label="i_syn")
    res = sim.run(p.tstop)
    res.name = EXPERIMENT.name
    res.meta.update(p, tau_clear=tau_clear, receptor_name=name, connection_delay_ms=delay,
                    release_latency_ms=latency, stimulus=(STIM_DELAY_MS, STIM_MS, STIM_NA))
    res.summary = summarize(res, p, latency)
    res.plotter = plot_synaptic_transmission
    return res


def first_crossing(t, v, level) -> float | None:
    """First sample time at which v >= level (None if never)."""
    k = np.nonzero(v >= level)[0]
    return float(t[k[0]]) if len(k) else None


def summarize(res: Result, p: Values, latency: float) -> dict:
    """The measured numbers: presynaptic timing, release, cleft, receptors, and what the postsynaptic
    cell did (an EPSP below threshold, or a spike: ``postsynaptic_response`` says which in words)."""
    t, tr = res.t, res.traces
    v_term, v_post = tr["v_terminal"], tr["v_post"]
    k_peak_term = int(np.argmax(v_term))
    t_peak_term = float(t[k_peak_term])
    T = tr["transmitter"]
    on = np.nonzero(T > 0)[0]
    # T is recorded after each step, and it is present during the step that starts at release.
    t_release = float(t[on[0]] - p.dt) if len(on) else None
    k_rel = int(on[0] - 1) if len(on) else 0
    base = float(v_post[k_rel])
    t_onset = first_crossing(t[k_rel:], v_post[k_rel:], base + ONSET_MV)
    i_syn = tr["i_syn"]
    t_soma_peak = float(t[int(np.argmax(tr["v_pre_soma"]))])
    out = {
        "receptor": p.receptor,
        "temperature_degC": p.temperature,
        "gmax_uS": p.gmax,
        "receptors_blocked_fraction": p.antagonist,
        "presynaptic_soma_peak_ms": t_soma_peak,
        "terminal_peak_ms": t_peak_term,
        "terminal_peak_mV": float(v_term[k_peak_term]),
        "axon_conduction_ms": t_peak_term - t_soma_peak,
        "release_ms": t_release,
        "release_after_peak_ms": None if t_release is None else t_release - t_peak_term,
        "release_latency_setting_ms": latency,
        "peak_transmitter_mM": float(T.max()),
        "tau_clear_ms": res.meta["tau_clear"],
        "peak_open_fraction": float(tr["open_fraction"].max()),
        "peak_epsc_nA": float(i_syn.min()),  # inward is negative
        "postsynaptic_rest_mV": base,
        "epsp_onset_ms": t_onset,
        "synaptic_delay_ms": None if t_onset is None else t_onset - t_peak_term,
        "onset_criterion": f"V rises {ONSET_MV} mV above its value at release",
    }
    out.update(postsynaptic_outcome(t[k_rel:], v_post[k_rel:], base, t_onset))
    out["postsynaptic_response"] = response_text(out)
    return out


def postsynaptic_outcome(t, v, rest: float, t_onset: float | None) -> dict:
    """What the postsynaptic cell did from release on (``t``, ``v``: ms, mV): an EPSP below
    threshold (its amplitude) or a spike (threshold crossing, time from EPSP onset, peak)."""
    spikes = crossing_times(t, v, 0.0)
    fired = bool(len(spikes))
    t_thr = first_crossing(t, v, THRESHOLD_MV) if fired else None
    return {
        "postsynaptic_fired": fired,
        "n_postsynaptic_spikes": int(len(spikes)),
        "postsynaptic_peak_mV": float(v.max()),
        # the spike is not part of the EPSP: its height is only measured when it stays below threshold
        "epsp_amplitude_mV": None if fired else float(v.max() - rest),
        "threshold_mV": THRESHOLD_MV,
        "threshold_crossing_ms": t_thr,
        "epsp_onset_to_threshold_ms": None if t_thr is None or t_onset is None else t_thr - t_onset,
        "first_spike_ms": float(spikes[0]) if fired else None,
    }


def response_text(s: dict) -> str:
    """The second half of the plain answer (what the transmitter does to the next cell), in words,
    from the summary ``s``: an EPSP below threshold, a spike, no EPSP (blocked or too small)."""
    delay, opens = s["synaptic_delay_ms"], "the transmitter opens receptor channels on the next cell"
    if s["postsynaptic_fired"]:
        start = f"{opens}, which starts to depolarize" + ("" if delay is None else
                                                           f" {delay:.2f} ms after the terminal's spike")
        return (f"{start}: the EPSP reached threshold ({s['threshold_mV']:.0f} mV) "
                f"{s['epsp_onset_to_threshold_ms']:.1f} ms later and the cell fired a spike "
                f"(peak {s['postsynaptic_peak_mV']:+.0f} mV)")
    if s["receptors_blocked_fraction"] >= 1.0:
        return ("the transmitter reaches the next cell, but the antagonist blocks all its receptors: no current "
                "flows and there is no EPSP")
    if delay is None:
        return (f"{opens}, but too few: its V rises by only {s['epsp_amplitude_mV']:.2f} mV, less than the "
                f"{ONSET_MV} mV that marks an EPSP's onset")
    return (f"{opens}, which depolarizes by {s['epsp_amplitude_mV']:.1f} mV {delay:.2f} ms after the terminal's "
            f"spike: an EPSP, below threshold ({s['threshold_mV']:.0f} mV), so the cell does not fire")
