"""When does the next cell fire? When enough EPSPs sum to reach threshold.

One excitatory synapse opens a few channels for a few milliseconds and depolarizes the postsynaptic
cell by well under a millivolt to a millivolt or so: a unitary EPSP, far too small to take a cell from
rest (-70 mV) to threshold (about -55 mV). A neuron fires when many such inputs add up. Inputs that
arrive together at different synapses add (spatial summation); inputs that arrive one after another
add too, as long as each comes before the last has decayed, within the membrane time constant
(about 10 ms here; temporal summation). The charge they bring in spreads over the same membrane
capacitance, so their depolarizations add, nearly linearly while small.

So the number of inputs needed is about the distance to threshold divided by one EPSP's size. Spreading the same inputs out in time needs more of them, because the first
ones have partly leaked away before the last arrive. An inhibitory input at the same time pulls V
toward E_Cl and opens a shunt, so more excitation is needed still. Close to threshold the Na+
channels start to open and help (the sum is then a little more than linear), while each EPSP's
driving force (V - 0 mV) shrinks as V rises (a little less than linear): the two nearly cancel.

Model: the textbook neuron (one compartment, rest -70 mV, threshold -55 mV, at its own temperature,
body temperature since its retuning) receiving k =
1 ... ``n_max`` AMPA synapses of ``gmax`` each: all at once, spread evenly over ``spread`` ms, or all
at once with one GABA_A synapse. One more copy of the cell receives a 1-ms current pulse: its voltage
threshold (V where dV/dt reaches 10 mV/ms) is measured independently of any synapse.

Which threshold? The spike takes off (dV/dt = 10 mV/ms) near -55 mV, but for a brief input the point of
no return is lower: the voltage where the instantaneous current-voltage relation turns inward, the Na+
activation gate m at its steady state for each V and the slower gates (h, n, the M-current) still at
rest (``instant_threshold``). Below it the membrane's outward current brings V back; above it the
Na+ current wins and V runs away by itself.
"""

from __future__ import annotations

import numpy as np

from excitable.analysis import threshold_voltage
from excitable.experiments.base import Values
from excitable.experiments.common.models import single_compartment
from excitable.experiments.synapses.more_declarations import POSTSYNAPTIC_SPIKE as EXPERIMENT
from excitable.experiments.synapses.postsynaptic_spike_figure import plot_postsynaptic_spike
from excitable.model.network import Network, Site
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp
from excitable.physics.receptors import AMPA, GABAa
from excitable.results import Result

INPUT_MS = 5.0  # the first input arrives here
PROBE_UA_CM2 = 14.0  # the current-clamp pulse (1 ms, about 2x threshold) that measures V threshold
CONDITIONS = ("together", "spread", "inhibited")
#: Transmitter in the cleft per release, as in synaptic-transmission: 1 mM for 0.1 ms, cleared in 1.2 ms.
CLEFT = dict(t_max=1.0, pulse=0.1, tau_clear=1.2)


def input_times(condition: str, k: int, p: Values) -> np.ndarray:
    """Arrival times (ms) of the k inputs: together, or evenly over ``spread`` ms."""
    if condition == "spread" and k > 1:
        return INPUT_MS + np.round(np.linspace(0.0, p.spread, k) / p.dt) * p.dt
    return np.full(k, INPUT_MS)


def textbook_celsius() -> float:
    """The temperature the textbook cell is tuned for, degC (its preset's: the cell runs where it was fitted)."""
    return float(single_compartment("textbook").temperature)


def build(p: Values) -> Simulation:
    """len(CONDITIONS) x n_max cells (condition, k inputs) and the current-clamp probe, one network."""
    net = Network()
    for condition in CONDITIONS:
        for k in range(1, p.n_max + 1):
            i = net.add(single_compartment("textbook").cell)
            for t_in in input_times(condition, k, p):
                net.spike_train([t_in], i, AMPA(gmax=p.gmax), **CLEFT)
            if condition == "inhibited":
                net.spike_train([INPUT_MS], i, GABAa(gmax=p.gmax_inh, e=p.e_cl), **CLEFT)
    probe = net.add(single_compartment("textbook").cell)
    sim = Simulation(net, dt=p.dt, temperature=textbook_celsius(), v_init="rest")
    cells = net.cells
    for i, cell in enumerate(cells[:-1]):
        condition, k = CONDITIONS[i // p.n_max], i % p.n_max + 1
        sim.record("v", Site(i, cell.soma), label=f"v {condition} {k}")
    soma = cells[probe].soma
    sim.stimulate(IClamp(soma, cells[probe].density_to_nA(PROBE_UA_CM2, soma), INPUT_MS, 1.0), cell=probe)
    sim.record("v", Site(probe, soma), label="v current clamp")
    return sim


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    res = build(p).run(p.tstop)
    res.name = EXPERIMENT.name
    res.meta.update(p, input_ms=INPUT_MS, probe_uA_cm2=PROBE_UA_CM2)
    res.summary = summarize(res, p)
    res.plotter = plot_postsynaptic_spike
    return res


def summarize(res: Result, p: Values) -> dict:
    t, tr = res.t, res.traces
    k0 = int(np.searchsorted(t, INPUT_MS))  # the last sample before any input
    rest = float(tr["v together 1"][k0])
    probe = threshold_voltage(t, tr["v current clamp"])
    v_th = None if probe is None else probe[1]
    out = {"rest_mV": rest, "threshold_mV": v_th,
           "unitary_epsp_mV": float(tr["v together 1"].max() - rest)}
    for condition in CONDITIONS:
        peaks = [float(tr[f"v {condition} {k}"][k0:].max()) for k in range(1, p.n_max + 1)]
        fired = [v > 0.0 for v in peaks]
        out[f"peak_mV_{condition}"] = peaks
        out[f"needed_{condition}"] = fired.index(True) + 1 if any(fired) else None
    v_go = instant_threshold(rest)
    out["instant_threshold_mV"] = v_go
    out["predicted_needed"] = None if v_go is None else (v_go - rest) / out["unitary_epsp_mV"]
    k = out["needed_together"]
    # The largest summed EPSP that stays below threshold: how close the last failure came.
    out["largest_subthreshold_mV"] = None if k is None or k < 2 else out["peak_mV_together"][k - 2]
    return out


def instant_threshold(rest: float, fast: tuple[str, ...] = ("m",)) -> float | None:
    """The textbook cell's point of no return for a brief input, mV: the first V above ``rest`` where
    its instantaneous ionic current (``fast`` gates at steady state at V, the others at rest) turns
    inward (None if it never does below 0 mV)."""
    model = single_compartment("textbook")
    cell, celsius = model.cell, model.temperature
    v = np.arange(rest + 0.05, 0.0, 0.01)
    total = np.zeros_like(v)
    for mech in cell.mechanisms.values():
        at_v, at_rest = mech.gates(v, celsius), mech.gates(np.float64(rest), celsius)
        states = {g: (at_v[g][0] if g in fast else at_rest[g][0]) for g in at_v}
        total += sum(np.asarray(i, float) for i in mech.currents(v, states).values())
    k = np.nonzero(total < 0)[0]
    if not len(k) or k[0] == 0:
        return None
    j = k[0]  # linear interpolation of the zero crossing between v[j - 1] (outward) and v[j] (inward)
    return float(v[j - 1] + (v[j] - v[j - 1]) * total[j - 1] / (total[j - 1] - total[j]))
