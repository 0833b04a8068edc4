"""What happens in each phase of the action potential? One pulse, and every gate and current recorded.

At rest (about -70 mV in a typical neuron) the membrane is mostly permeable to K+, so V sits near E_K,
the K+ equilibrium potential. A stimulus pushes V up. Once V passes threshold (about -55 mV), enough
voltage-gated Na+ channels open (their fast activation gate m swings open) that Na+ rushes in faster
than K+ and leak current can carry charge out: the inflow depolarizes the membrane further, which opens
more Na+ channels. This positive feedback is the rising phase, and it takes a fraction of a millisecond.

V heads for E_Na (about +50 mV) but never gets there: the peak (about +40 mV) is where the inward Na+
current is balanced by the K+ and leak currents. Two slower processes end the spike. The Na+ channels
inactivate (their gate h closes although V is still high), and the delayed-rectifier K+ channels open
(their gate n rises). K+ now flows out faster than Na+ comes in, so the net ionic current is outward and
V falls: the falling phase.

The K+ channels close slowly, so for a few milliseconds after the spike more of them are open than at
rest and V dips below rest, towards E_K: the undershoot (afterhyperpolarization). During the recovery
that follows, n falls back and h recovers, so the Na+ channels are ready to open again and the
membrane can fire the next spike.

Blocking the channels shows who does what: with the Na+ channels blocked (tetrodotoxin) there is no
spike at all, and with part of the K+ channels blocked (tetraethylammonium) the falling phase is slower
and the spike lasts longer.
"""

from __future__ import annotations

import numpy as np

from excitable.errors import ModelError
from excitable.experiments.base import Values
from excitable.experiments.common.batching import Prepared, run_prepared
from excitable.experiments.common.models import pulse_simulation, stim_density
from excitable.experiments.excitability.action_potential_figure import plot_action_potential
from excitable.experiments.excitability.declarations import ACTION_POTENTIAL as EXPERIMENT
from excitable.model.simulation import Simulation
from excitable.results import Result

def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    return run_prepared(EXPERIMENT, prepare, finish, given)


def prepare(p: Values) -> Prepared:
    """The simulation of ``p`` (resolved parameters), built but not run (``experiments.common.batching``)."""
    if p.tstop <= p.delay:  # the run would end before the stimulus: name what the user set
        raise ModelError(f"tstop must be longer than the stimulus onset (delay = {p.delay:g} ms), "
                         f"got {p.tstop:g} ms")
    sim, model, temperature, amplitude = pulse_simulation(p)
    record_everything(sim)
    return Prepared(sim, p.tstop, {"model": model, "temperature": temperature, "amplitude": amplitude})


def finish(p: Values, prep: Prepared, res: Result) -> Result:
    """The experiment's Result from the recordings of ``prep``'s simulation."""
    sim, ctx = prep.sim, prep.context
    res.traces["i_stim"] = stim_density(res.t, p, ctx["amplitude"], sim.dt)
    res.name = EXPERIMENT.name
    res.meta.update(p, temperature=ctx["temperature"], amplitude=ctx["amplitude"],
                    model_description=ctx["model"].description,
                    states={name: m.states for name, m in sim.cell.mechanisms.items()})
    res.summary = summarize(res, p.delay, cm=float(sim.cell.cm[0]))
    guard_resting_state(res.summary, res.t, res.traces["v"], p.delay, p.get("gK_scale", 1.0))
    res.summary["no_repolarization"] = plateau_reason(res.summary, p.get("no_inactivation", False))
    res.summary.update(model=p.model, temperature_degC=ctx["temperature"], amplitude_uA_cm2=ctx["amplitude"])
    res.plotter = plot_action_potential
    return res


def record_everything(sim: Simulation) -> None:
    """Record V, capacitive and ionic current, and every state, current and conductance at the soma."""
    for sig in ("v", "i_cap", "i_ion"):
        sim.record(sig)
    from excitable.physics.channel import signal_names

    for name, mech in sim.cell.mechanisms.items():
        names = signal_names(mech, sim.temperature)
        for field in (*names["states"], *names["currents"], *names["conductances"]):
            sim.record(f"{name}.{field}")


def summarize(res: Result, onset_ms: float, cm: float = 1.0) -> dict:
    """AP measures (analysis.shape) plus when Na+ and K+ conductances peak and how far h and n go.

    Times named ``*_time_ms`` are on the trace's clock (as ``spike_times_ms``, where the figure draws
    them); those named ``*_after_stimulus_ms`` count from the stimulus onset (what a textbook quotes:
    the V peak, then gNa's, then gK's), so the two kinds are never mixed under one name.
    ``cm`` (uF/cm2) turns the recorded ionic current into the membrane's own rate of rise.
    """
    from excitable.analysis import action_potential_summary

    t, v = res.t, res.traces["v"]
    out = action_potential_summary(t, v, stimulus_onset_ms=onset_ms)
    out.update(threshold_by_own_rate(t, v, res.traces.get("i_ion"), cm, onset_ms, out))
    out["peak_time_after_stimulus_ms"] = None if out["peak_time_ms"] is None else out["peak_time_ms"] - onset_ms
    out["max_v_mV"] = float(np.max(v))
    out["duration_above_0mV_ms"] = duration_above(t, v, 0.0, onset_ms)
    # V at the run's end: back near rest after a spike, or still up on a plateau (pronase: no h)
    out["v_end_mV"] = float(v[-1])
    for label, key in (("HH.gna", "gna"), ("HH.gk", "gk")):
        if label in res.traces:
            g = res.traces[label]
            k = int(np.argmax(g))
            out[f"peak_{key}_mS_cm2"] = float(g[k])
            out[f"peak_{key}_time_after_stimulus_ms"] = float(t[k] - onset_ms)
    if "HH.h" in res.traces:
        out["h_rest"] = float(res.traces["HH.h"][0])
        out["h_min"] = float(res.traces["HH.h"].min())
        out["n_max"] = float(res.traces["HH.n"].max())
    return out


THRESHOLD_CRITERIA = {
    "dV/dt": "V where dV/dt reaches 10 mV/ms on the upstroke",
    "-I_ion/C_m": "V where the membrane's own rate of rise, -I_ion/C_m (dV/dt less the stimulus's share), "
                  "reaches 10 mV/ms: the pulse alone drives dV/dt above 10 mV/ms",
}


def threshold_by_own_rate(t, v, i_ion, cm: float, onset_ms: float, summary: dict) -> dict:
    """``threshold_mV`` and the criterion that gave it (``threshold_criterion``, THRESHOLD_CRITERIA).

    The dV/dt = 10 mV/ms threshold cannot be told apart from a pulse whose own I/C_m (e.g. 19 uA/cm2 on
    1 uF/cm2: 19 mV/ms) keeps dV/dt above 10 mV/ms until the spike takes off. The same criterion is then
    applied to -I_ion/C_m, the dV/dt the ionic currents alone give, sampled at every step: it equals
    dV/dt once the pulse is off, so the two agree wherever both are defined (tested).
    """
    from excitable.analysis import threshold_voltage

    if summary["threshold_mV"] is not None or not summary["n_spikes"] or i_ion is None:
        return {"threshold_criterion": "dV/dt" if summary["threshold_mV"] is not None else None}
    i0 = int(np.searchsorted(t, onset_ms, side="right")) - 1  # from the onset, as the summary's spikes
    own = threshold_voltage(t[i0:], v[i0:], rate=-np.asarray(i_ion)[i0:] / cm)
    if own is None:
        return {"threshold_criterion": None}
    return {"threshold_mV": own[1], "threshold_criterion": "-I_ion/C_m"}


def duration_above(t, v, level: float, after_ms: float) -> float | None:
    """How long the first excursion above ``level`` mV that starts at or after ``after_ms`` lasts, ms
    (PHENOMENA-SPEC row 39's "AP duration at 0 mV"); None if V never crosses up, or never comes back."""
    above = v > level
    ups = np.nonzero(~above[:-1] & above[1:] & (t[1:] >= after_ms))[0]
    if not len(ups):
        return None
    downs = np.nonzero(above[ups[0] + 1:-1] & ~above[ups[0] + 2:])[0]
    return float(t[ups[0] + 2 + downs[0]] - t[ups[0] + 1]) if len(downs) else None


def plateau_reason(summary: dict, no_inactivation: bool) -> str | None:
    """Why the spike never ended (one line), when pronase left V on a plateau at the run's end."""
    from excitable.experiments.common.no_spike import PLATEAU_MV

    if not no_inactivation or summary["v_end_mV"] <= PLATEAU_MV:
        return None
    return (f"the spike never ends: with no Na+ inactivation (pronase) the Na+ channels stay open and V "
            f"stays on a plateau at {summary['v_end_mV']:+.0f} mV, where the K+ current only balances the Na+ "
            f"current; normally h closes the Na+ channels and the spike is over in about 1 ms")


# V may wander this much before the stimulus and still count as a resting state, mV.
REST_DRIFT_MV = 1.0
REST_DEPENDENT = ("rest_mV", "half_width_ms", "undershoot_mV", "undershoot_time_ms", "threshold_mV")


def guard_resting_state(summary: dict, t, v, onset_ms: float, gk_scale: float) -> None:
    """Say so, instead of reporting a rest, when the cell has none before the stimulus.

    With the K+ channels blocked (TEA, ``gK_scale`` near 0) the HH cell has no stable resting
    potential: its leak reverses at -54 mV and the Na+ window current runs it up to a depolarized
    state (or into spontaneous firing) before the stimulus. Measures taken relative to rest are then
    meaningless (a "rest" of +46 mV), so they become None and ``no_resting_state`` explains why.
    """
    before = v[t < onset_ms]
    drift = float(np.ptp(before)) if before.size else 0.0
    summary["resting_state"] = drift <= REST_DRIFT_MV
    summary["no_resting_state"] = None
    if summary["resting_state"]:
        return
    for key in REST_DEPENDENT:
        summary[key] = None
    summary["no_resting_state"] = (
        f"no resting state: with K+ conductance x{gk_scale:g} V never settles (it moves {drift:.0f} mV, "
        f"up to {float(before.max()):+.0f} mV, before the stimulus), so rest, threshold and undershoot "
        f"are undefined; a partial block (gK_scale 0.4-0.7) keeps a rest and widens the spike")
