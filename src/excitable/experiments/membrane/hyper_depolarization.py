"""What makes the membrane more or less negative? Open a K+, a Cl- or a Na+ conductance for a while.

Every ion has an equilibrium potential E, the voltage at which its concentration gradient and the
electrical force on it balance (K+ about -90 mV, Cl- about -80 mV in a mature neuron, Na+ about +50 mV).
An open channel lets its ion flow towards that balance, and the flow carries charge: K+ leaving or Cl-
entering makes the inside more negative (hyperpolarizing), Na+ entering makes it less negative
(depolarizing). So opening a channel pulls V towards the E of the ions it passes.

V does not go all the way there. The channels that were already open (the resting leak) keep pulling
towards rest, and V settles where the two pulls balance: the conductance-weighted mean of the reversal
potentials, (g_rest V_rest + g E) / (g_rest + g). The more channels open, the closer V gets to their E.

When the reversal potential equals rest (Cl- channels in many neurons), opening the channels moves no
charge and V does not move at all. The channels still matter: they make the membrane leakier (a lower
input resistance), so any other current, such as a small test pulse or an excitatory input, now changes
V less. That silent, dampening effect is called shunting, and it is how much inhibition works.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from excitable.errors import ModelError
from excitable.experiments.membrane.declarations import HYPER_DEPOLARIZATION as EXPERIMENT
from excitable.experiments.membrane.hyper_depolarization_figure import plot_hyper_depolarization
from excitable.model.cell import Cell
from excitable.model.network import Network
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp
from excitable.physics.channel import AbstractChannel, channel
from excitable.physics.channels.hh import Leak
from excitable.results import Result

#: The passive membrane (PHENOMENA-SPEC row 5): Rm = 20 kOhm cm2 (tau 20 ms), rest -70 mV.
PASSIVE_G, PASSIVE_E = 0.05, -70.0


@channel
class LigandGated(AbstractChannel):
    """A ligand-gated conductance, open while its ligand is in the cleft: g = gmax o, i = g (V - e).

    The open fraction o relaxes to 1 while the transmitter concentration T > 0 and back to 0 once it is
    gone, with time constant ``tau`` (ms), fast next to the membrane's. A point mechanism: gmax in uS,
    e in mV, current in nA (outward positive).
    """

    gmax: float = 0.0
    e: float = 0.0
    tau: float = 0.1

    kind = "point"
    states = ("o",)
    units = {"gmax": "uS", "e": "mV", "tau": "ms"}

    def steady_state(self, v, celsius):
        return {"o": jnp.zeros_like(jnp.asarray(v, dtype=float))}

    def rates(self, v, s, celsius, drive):
        T = jnp.broadcast_to(drive.get("T", 0.0), jnp.shape(v))
        return {"o": (jnp.where(T > 0, 1.0, 0.0), self.tau + jnp.zeros_like(T))}

    def gates(self, v, celsius):
        return self.rates(v, {}, celsius, {"T": 0.0})

    def conductances(self, s):
        return {"g": self.gmax * s["o"]}

    def currents(self, v, s):
        return {"i": self.gmax * s["o"] * (v - self.e)}


def _cell(model: str):
    """(cell, temperature, EK, ENa, description)."""
    if model == "passive":
        cell = Cell.cylinder(length=20.0, diameter=20.0).insert(Leak(g=PASSIVE_G, e=PASSIVE_E))
        return cell, 36.0, -90.0, 50.0, "passive membrane (Rm 20 kOhm cm2, tau 20 ms, rest -70 mV)"
    from excitable.experiments.common.models import single_compartment

    sc = single_compartment(model)
    ek = -77.0 if model == "hh" else -90.0
    return sc.cell, sc.temperature, ek, 50.0, sc.description


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    from excitable import broadcast, with_param  # the public batch helpers

    p = EXPERIMENT.resolve(given)
    if p.t_on + p.duration > p.tstop:
        raise ModelError(f"t_on + duration ({p.t_on + p.duration:g} ms) must not exceed tstop "
                         f"({p.tstop:g} ms)")
    cell, t0, ek, ena, description = _cell(p.model)
    temperature = t0 if p.temperature is None else p.temperature
    area = cell.area_um2(cell.soma)
    per_density = area * 1e-5  # uS per mS/cm2 (1 um2 = 1e-8 cm2, 1 mS = 1e3 uS), also nA per uA/cm2
    net = Network([cell])
    net.spike_train([p.t_on], 0, LigandGated(gmax=p.g * per_density), t_max=1.0, pulse=p.duration)
    # One test pulse once the opened conductance has settled; a control run without the ligand gets the
    # same pulse at the same time, so the two responses differ only by the open channels.
    t_test = p.t_on + 0.5 * p.duration
    sim = Simulation(net, dt=p.dt, temperature=temperature, v_init="rest")
    sim.stimulate(IClamp(cell.soma, amplitude=p.test_amplitude * per_density, delay=t_test,
                         duration=p.test_duration))
    for sig in ("v", "LigandGated[0].i", "LigandGated[0].g"):
        sim.record(sig)
    base = sim.parameters()
    v_rest = float(sim.resting_potential()[0])
    e_k = ek if p.e_k is None else p.e_k
    e_na = ena if p.e_na is None else p.e_na
    conditions = {"K+ channels open": e_k, "Cl- channels open": p.e_cl,
                  "Cl- channels, E = rest (shunt)": v_rest, "Na+ channels open": e_na}
    n = len(conditions)
    batch = broadcast(base, n + 1)
    batch = with_param(batch, "LigandGated.e", np.asarray([*conditions.values(), v_rest])[:, None])
    gmax = np.full((n + 1, 1), p.g * per_density)
    gmax[n] = 0.0  # the control: no channels open
    batch = with_param(batch, "LigandGated.gmax", gmax)
    res = sim.run_batch(p.tstop, batch)  # the engine's front door
    rec = np.stack([np.asarray(res.traces[s]) for s in ("v", "LigandGated[0].i", "LigandGated[0].g")], axis=-1)
    t = np.arange(rec.shape[1]) * sim.dt
    g_leak = PASSIVE_G if p.model == "passive" else None
    control = _response(t, rec[n, :, 0], t_test, p.test_duration)
    rows = [_measure(t, rec[j], e, v_rest, p, t_test, per_density, g_leak, control)
            for j, e in enumerate(conditions.values())]
    summary = {"conditions": list(conditions), "e_mV": list(conditions.values()), "rest_mV": v_rest,
               "g_mS_cm2": p.g, "test_response_closed_mV": control}
    for key in rows[0]:
        summary[key] = [r[key] for r in rows]
    if g_leak is not None:
        summary["input_resistance_rest_MOhm"] = 1.0 / (g_leak * per_density)
        summary["input_resistance_open_MOhm"] = 1.0 / ((g_leak + p.g) * per_density)
    summary["definitions"] = {
        "v_ss_mV": "V just before the test pulse, with the channels open (None unless V has "
                   "settled: changed < 0.1 mV over the 5 ms before)",
        "v_ss_predicted_mV": "chord-conductance formula (g_rest V_rest + g E) / (g_rest + g), passive cell",
        "ligand_current_uA_cm2": "current through the opened channels just after they open (outward > 0)",
        "test_response_*_mV": "peak depolarization by the test pulse, from the V just before it; closed: "
                              "the same pulse in a run without the ligand",
        "test_response_ratio": "response with the channels open / closed: below 1, the input resistance fell",
    }
    summary.update(model=p.model, temperature_degC=temperature)
    traces = {}
    for j, name in enumerate(conditions):
        traces[f"v, {name} (mV)"] = rec[j, :, 0]
        traces[f"ligand current, {name} (uA/cm2)"] = rec[j, :, 1] / per_density
    traces["open conductance (mS/cm2)"] = rec[0, :, 2] / per_density
    traces["v, channels closed (mV)"] = rec[n, :, 0]
    traces["test current (uA/cm2)"] = np.concatenate([[0.0], IClamp(
        cell.soma, p.test_amplitude, t_test, p.test_duration).waveform(t[1:] - sim.dt / 2)])
    return Result(t=t, traces=traces, summary=summary, name=EXPERIMENT.name,
                  meta=dict(p, temperature=temperature, description=description, t_test=t_test,
                            conditions=list(conditions)),
                  plotter=plot_hyper_depolarization)


def _response(t, v, start, width) -> float:
    k0 = int(np.searchsorted(t, start))
    k1 = int(np.searchsorted(t, start + width + 10.0))
    return float(np.max(v[k0:k1]) - v[k0])


def _measure(t, rec, e, v_rest, p, t_test, per_density, g_leak, control) -> dict:
    v = rec[:, 0]
    k_ss = int(np.searchsorted(t, t_test)) - 1
    k_on = int(np.searchsorted(t, p.t_on + 0.5))  # the channels are open (tau 0.1 ms) by then
    v_ss = float(v[k_ss])
    late = v[int(np.searchsorted(t, t_test - 5.0)):k_ss + 1]
    opened = (t >= p.t_on) & (t < p.t_on + p.duration)
    # Action potentials (active models only): upward crossings of 0 mV while the channels are open.
    spikes = 0 if g_leak is not None else int(np.count_nonzero((v[:-1] < 0.0) & (v[1:] >= 0.0) & opened[1:]))
    steady = bool(np.ptp(late) < 0.1)
    predicted = None if g_leak is None else (g_leak * v_rest + p.g * e) / (g_leak + p.g)
    dv = v_ss - v_rest
    during = _response(t, v, t_test, p.test_duration)
    return {
        "v_ss_mV": v_ss if steady else None,
        "steady": steady,
        "spikes_while_open": spikes,
        "v_ss_predicted_mV": predicted,
        "delta_v_mV": dv,
        "effect": "fires action potentials" if spikes else "hyperpolarizes" if dv < -0.1
        else "depolarizes" if dv > 0.1 else "no change (shunt)",
        "ligand_current_uA_cm2": float(rec[k_on, 1] / per_density),
        "test_response_open_mV": during,
        "test_response_ratio": during / control if control > 0 else None,
    }
