"""How do synapses affect how fast a signal travels? A chain of neurons against one continuous axon.

A signal that must cross synapses pays at each one: the presynaptic action potential has to open
Ca2+ channels in the terminal and trigger release (the synaptic delay, 0.3-1 ms), the transmitter has
to open enough receptors, and the EPSP has to charge the next soma to threshold before a new action
potential starts there. A continuous axon pays none of that: its spike just keeps going at the
conduction velocity. So over the same distance a chain of neurons is slower, by about a millisecond
or more per synapse - the time a spike needs to run millimetres of unmyelinated axon, or several
centimetres of a myelinated one (60 m/s = 60 mm/ms).

Model (PHENOMENA-SPEC row 35): ``n_neurons`` ball-and-stick neurons (soma 20 µm; unmyelinated axon
1 µm thick, ``axon_length`` long; the textbook cell's channels (``pospischil.textbook``) all over, at
its 37 °C, Ra 100 Ω cm). The axon's end is the terminal: its V crossing 0 mV releases
transmitter ``release_delay`` later (Ca2+ entry and release, lumped) onto an AMPA receptor on the next
soma (two-state, closing rate 1/ms: a 1-ms decay at body temperature; 1 mM for 0.3 ms,
cleared with 1.2 ms). Against it: one neuron whose axon is as long
as all the chain's axons together. Both are started by the same current pulse into the first soma.

Measured (0-mV upward crossings, interpolated; EPSP onset: V 0.1 mV above its value when the
terminal crossed 0 mV): total latency from the first soma's spike to the far end; in the chain, the
time in axons (conduction), from each terminal's spike to the EPSP onset in the next soma (synaptic
delay, here from the 0-mV crossing; the row-22 measure from the terminal's peak is reported too) and
from EPSP onset to the next soma's spike (integration). Per synapse: the chain's extra latency over
the axon, divided by the number of synapses.
"""

from __future__ import annotations

import numpy as np

from excitable.errors import ModelError
from excitable.experiments.base import Values
from excitable.experiments.synapses.declarations import SYNAPSE_SPEED as EXPERIMENT
from excitable.experiments.synapses.synapse_speed_figure import plot_synapse_speed
from excitable.model.cell import Cell
from excitable.model.morphology import Morphology
from excitable.model.network import Network, Site
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp, Location
from excitable.physics.channels.pospischil import textbook
from excitable.physics.receptors import AMPA
from excitable.results import Result

SOMA_UM, AXON_DIAM_UM, DX_UM, RA = 20.0, 1.0, 10.0, 100.0
STIM_DELAY_MS, STIM_MS, STIM_NA = 1.0, 1.0, 0.3
ONSET_MV = 0.1
#: AMPA closing rate at body temperature, 1/ms: a 1-ms EPSC decay, as fast cortical AMPA EPSCs at
#: 35-37 degC (Destexhe's 0.18/ms, 5.6 ms, is a room-temperature fit; a conductance that slow keeps
#: these small, low-rheobase cells firing for tens of ms after one EPSP).
AMPA_BETA = 1.0


def neuron(axon_length_um: float, name: str = "neuron") -> Cell:
    """Ball-and-stick with the textbook cell's channels (``pospischil.textbook``) everywhere."""
    morph = Morphology.ball_and_stick(soma_diameter=SOMA_UM, axon_length=axon_length_um,
                                      axon_diameter=AXON_DIAM_UM)
    cell = Cell(morph, dx_um=DX_UM, ra=RA, name=name)
    for ch in textbook().channels:
        cell.insert(ch)
    return cell


TERMINAL = Location("axon", 1.0)


def _crossing(t, v, after: float = -np.inf) -> float | None:
    """First upward 0-mV crossing after ``after`` (ms), linearly interpolated; None if none."""
    k = np.nonzero((v[:-1] < 0.0) & (v[1:] >= 0.0) & (t[1:] > after))[0]
    if not len(k):
        return None
    i = k[0]
    return float(t[i] + (t[i + 1] - t[i]) * (0.0 - v[i]) / (v[i + 1] - v[i]))


def _tstop(p: Values, n: int) -> float:
    # Conduction at >= 0.3 m/s plus 4 ms per synapse, with room to spare.
    return STIM_DELAY_MS + 5.0 + n * (p.axon_length / 300.0 + 4.0)


def run_chain(p: Values) -> Result:
    """The chain: neuron k's terminal -> AMPA on neuron k+1's soma."""
    n = p.n_neurons
    cells = [neuron(p.axon_length, f"neuron {k}") for k in range(n)]
    net = Network(cells)
    for k in range(n - 1):
        net.connect(k, k + 1, AMPA(gmax=p.gmax, beta=AMPA_BETA), pre_at=TERMINAL, delay=p.release_delay,
                    threshold=0.0, t_max=1.0, pulse=0.3, tau_clear=1.2)
    sim = Simulation(net, dt=p.dt, temperature=p.temperature, v_init="rest")
    sim.stimulate(IClamp(cells[0].soma, amplitude=STIM_NA, delay=STIM_DELAY_MS, duration=STIM_MS))
    for k in range(n):
        sim.record("v", Site(k, cells[k].soma), label=f"chain soma {k} V (mV)")
        sim.record("v", Site(k, TERMINAL), label=f"chain terminal {k} V (mV)")
    return sim.run(_tstop(p, n))


def run_axon(p: Values, t_len: float) -> tuple[Result, float]:
    """One neuron whose axon is as long as the chain's axons together."""
    cell = neuron(p.n_neurons * p.axon_length, "one axon")
    sim = Simulation(cell, dt=p.dt, temperature=p.temperature, v_init="rest")
    sim.stimulate(IClamp(cell.soma, amplitude=STIM_NA, delay=STIM_DELAY_MS, duration=STIM_MS))
    sim.record("v", cell.soma, label="soma")
    sim.record("v", Location("axon", 0.5), label="middle")
    sim.record("v", TERMINAL, label="end")
    return sim.run(t_len), cell.compartments.n


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    n = p.n_neurons
    chain = run_chain(p)
    t = chain.t
    axon, _ = run_axon(p, float(t[-1]))
    tr = dict(chain.traces)
    times = {"soma": [], "terminal": [], "terminal_peak": [], "epsp_onset": []}
    after = STIM_DELAY_MS
    for k in range(n):
        v_s, v_t = tr[f"chain soma {k} V (mV)"], tr[f"chain terminal {k} V (mV)"]
        if k > 0:
            t_term = times["terminal"][-1]
            v_at = np.interp(t_term, t, v_s)
            up = np.nonzero((t > t_term) & (v_s >= v_at + ONSET_MV))[0]
            times["epsp_onset"].append(float(t[up[0]]) if len(up) else None)
        ts = _crossing(t, v_s, after)
        tt = _crossing(t, v_t, ts if ts is not None else after)
        if ts is None or tt is None:
            raise ModelError(f"the signal died at neuron {k} of the chain (soma or terminal never reached "
                             f"0 mV); raise gmax (now {p.gmax:g} uS) or shorten axon_length")
        times["soma"].append(ts)
        times["terminal"].append(tt)
        i = np.searchsorted(t, tt)
        times["terminal_peak"].append(float(t[i + int(np.argmax(v_t[i:i + int(round(2.0 / p.dt))]))]))
        after = tt
    a_soma = _crossing(axon.t, axon["soma"], STIM_DELAY_MS)
    a_mid = _crossing(axon.t, axon["middle"], a_soma)
    a_end = _crossing(axon.t, axon["end"], a_mid)
    if a_end is None:
        raise ModelError("the spike did not reach the end of the single axon")
    length_mm = n * p.axon_length / 1000.0
    velocity = 0.5 * length_mm / (a_end - a_mid)  # mm/ms = m/s, over the far half (steady travel)
    conduction = sum(b - a for a, b in zip(times["soma"], times["terminal"]))
    synaptic = sum(o - tt for o, tt in zip(times["epsp_onset"], times["terminal"][:-1]))
    integration = sum(s - o for s, o in zip(times["soma"][1:], times["epsp_onset"]))
    chain_latency = times["terminal"][-1] - times["soma"][0]
    axon_latency = a_end - a_soma
    per_synapse = (chain_latency - axon_latency) / (n - 1)
    summary = {
        "n_neurons": n, "n_synapses": n - 1, "axon_length_um": p.axon_length, "total_length_mm": length_mm,
        "temperature_degC": p.temperature,
        "chain_latency_ms": chain_latency, "axon_latency_ms": axon_latency,
        "chain_conduction_ms": conduction, "chain_synaptic_delay_ms": synaptic,
        "chain_integration_ms": integration,
        "synaptic_delay_from_peak_ms": [o - pk for o, pk in zip(times["epsp_onset"], times["terminal_peak"][:-1])],
        "per_synapse_ms": per_synapse,
        "conduction_velocity_m_s": velocity,
        "axon_equivalent_mm_per_synapse": per_synapse * velocity,
        "myelinated_equivalent_mm_per_synapse": per_synapse * 60.0,
        "fraction_of_chain_time_at_synapses": (synaptic + integration) / chain_latency,
        "spike_times_ms": times,
    }
    traces = {k: v for k, v in tr.items()}
    traces["axon end V (mV)"] = np.interp(t, axon.t, axon["end"])
    res = Result(t=t, traces=traces, summary=summary, name=EXPERIMENT.name)
    res.meta.update(p)
    res.plotter = plot_synapse_speed
    return res
