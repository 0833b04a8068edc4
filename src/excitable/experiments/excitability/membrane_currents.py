"""Why is the total current outward in the falling phase although INa is still inward?

During the falling phase of an action potential the Na+ channels are not all closed yet: their
inactivation gates close over a millisecond or so, and until then Na+ keeps flowing in (INa is
inward, negative). But the depolarization has by now opened many K+ channels, and K+ flows out
(IK, outward, positive) with a large driving force, because V is far above E_K. IK outgrows INa,
so the sum of all ionic currents is outward.

With no stimulus on, the only place that net ionic current can go is the membrane capacitance: by
Kirchhoff's current law C dV/dt + I_ion = 0, so an outward ionic current discharges the membrane and
V falls. The capacitive current, drawn dashed, is the mirror image of the net ionic current. The
bars show the balance at the instant V falls fastest: Na+ still in, K+ out, and the net outward.

The sign of the total, not of each current, decides which way V moves: a current can flow inward
while V falls, as long as a larger one flows outward.
"""

from __future__ import annotations

import numpy as np

from excitable.errors import ModelError
from excitable.experiments.base import Values
from excitable.experiments.common import no_spike
from excitable.experiments.common.batching import Prepared, run_prepared
from excitable.experiments.common.models import pulse_simulation, reversals, stim_density
from excitable.experiments.excitability.declarations import MEMBRANE_CURRENTS as EXPERIMENT
from excitable.experiments.excitability.membrane_currents_figure import NAMES, plot_membrane_currents
from excitable.physics.channel import signal_names
from excitable.results import Result


def _group(name: str) -> str:
    """Which family a current belongs to: "na", "k", "leak" or "other" (Ca2+ ...)."""
    mech, _, field = name.partition(".")
    if "na" in field:
        return "na"
    if field.startswith("ik"):
        return "k"
    if field in ("il", "i") and mech in ("HH", "Leak"):
        return "leak"
    return "other"


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    blocked = no_spike.check(EXPERIMENT.resolve(given), EXPERIMENT.name)  # TTX, TEA: said in one line
    return blocked if blocked is not None else run_prepared(EXPERIMENT, prepare, finish, given)


def prepare(p: Values) -> Prepared:
    """The simulation of ``p`` (resolved parameters), built but not run (``experiments.common.batching``)."""
    if p.tstop <= p.delay:  # the run would end before the stimulus: name what the user set
        raise ModelError(f"tstop must be longer than the stimulus onset (delay = {p.delay:g} ms), "
                         f"got {p.tstop:g} ms")
    sim, model, temperature, amplitude = pulse_simulation(p)
    currents = []
    for sig in ("v", "i_cap", "i_ion"):
        sim.record(sig)
    for name, mech in sim.cell.mechanisms.items():
        for field in signal_names(mech, temperature)["currents"]:
            sim.record(f"{name}.{field}")
            currents.append(f"{name}.{field}")
    return Prepared(sim, p.tstop, {"model": model, "temperature": temperature, "amplitude": amplitude,
                                      "currents": currents})


def finish(p: Values, prep: Prepared, res: Result) -> Result:
    """The experiment's Result from the recordings of ``prep``'s simulation."""
    sim, ctx = prep.sim, prep.context
    currents = ctx["currents"]
    t, tr = res.t, res.traces
    tr["i_stim"] = stim_density(t, p, ctx["amplitude"], sim.dt)
    for fam in ("na", "k", "leak", "other"):
        members = [c for c in currents if _group(c) == fam]
        if members:
            tr[f"I_{fam}"] = sum(tr[c] for c in members)
    res.summary = summarize(t, tr, p.delay, sim.cell.cm[0], p.probe_v)
    res.summary.update(model=p.model, temperature_degC=ctx["temperature"], amplitude_uA_cm2=ctx["amplitude"])
    res.name = EXPERIMENT.name
    res.meta.update(p, temperature=ctx["temperature"], amplitude=ctx["amplitude"], currents=currents,
                    model_description=ctx["model"].description, **reversals(sim.cell))
    res.plotter = plot_membrane_currents
    return res


def summarize(t, tr, onset, cm, probe_v=None) -> dict:
    """Currents at the steepest fall, signs over the falling phase, and the Kirchhoff residual.

    Step k of backward Euler takes V from t[k-1] to t[k]; the recorded currents of sample k are the ones
    that step used, and i_cap[k] = Cm (V[k] - V[k-1]) / dt. The steepest fall is the step with the most
    negative i_cap; its voltage is reported at the step's midpoint. Near that extremum dV/dt is flat
    while INa and IK change fast (about 1 % per 0.1 mV), so the currents are also reported at a given
    voltage on the falling phase (``probe_v``), interpolated linearly in V between samples: a
    well-conditioned comparison with other integrators.
    """
    from excitable.analysis import action_potential_summary

    v = tr["v"]
    ap = action_potential_summary(t, v, stimulus_onset_ms=onset)
    if not ap["n_spikes"]:
        raise ModelError("no action potential (stimulus too weak, or Na+ channels blocked)")
    k_peak = int(np.searchsorted(t, ap["peak_time_ms"]))
    below = np.nonzero(v[k_peak:] < ap["rest_mV"])[0]
    k_end = k_peak + (int(below[0]) if below.size else len(v) - 1 - k_peak)
    fall = slice(k_peak + 1, k_end + 1)
    k = k_peak + 1 + int(np.argmin(tr["i_cap"][fall]))
    at = {f: float(tr[f"I_{f}"][k]) for f in ("na", "k", "leak", "other") if f"I_{f}" in tr}
    v_steep = float(0.5 * (v[k] + v[k - 1]))
    vp = round(v_steep, 1) if probe_v is None else float(probe_v)
    seg_v = v[k_peak:k_end + 1][::-1]  # increasing along the reversed falling branch
    if not seg_v[0] <= vp <= seg_v[-1]:
        raise ModelError(f"probe_v = {vp:g} mV is not on the falling phase ({seg_v[0]:.1f} to {seg_v[-1]:.1f} mV)")
    read = {name: float(np.interp(vp, seg_v, tr[key][k_peak:k_end + 1][::-1]))
            for name, key in [*((NAMES[f], f"I_{f}") for f in at), ("I_ion", "i_ion")]}
    resid = tr["i_cap"][1:] + tr["i_ion"][1:] - tr["i_stim"][1:]
    return {
        **{key: ap[key] for key in ("rest_mV", "peak_mV", "peak_time_ms", "undershoot_mV")},
        "falling_phase_ms": [float(t[k_peak]), float(t[k_end])],
        "steepest_fall_time_ms": float(t[k] - 0.5 * (t[1] - t[0])),
        "steepest_fall_v_mV": v_steep,
        "steepest_fall_dvdt_mV_ms": float(tr["i_cap"][k] / cm),
        **{f"{NAMES[f]}_at_steepest_fall_uA_cm2": val for f, val in at.items()},
        "I_ion_at_steepest_fall_uA_cm2": float(tr["i_ion"][k]),
        "I_cap_at_steepest_fall_uA_cm2": float(tr["i_cap"][k]),
        "probe_v_mV": vp,
        **{f"{name}_at_probe_v_uA_cm2": val for name, val in read.items()},
        "dvdt_at_probe_v_mV_ms": -read["I_ion"] / cm,
        "INa_range_in_falling_phase_uA_cm2": [float(tr["I_na"][fall].min()), float(tr["I_na"][fall].max())],
        "I_ion_min_in_falling_phase_uA_cm2": float(tr["i_ion"][fall].min()),
        "ionic_current_outward_throughout_fall": bool(np.all(tr["i_ion"][fall] > 0)),
        "na_inward_throughout_fall": bool(np.all(tr["I_na"][fall] < 0)),
        "kirchhoff_max_residual_uA_cm2": float(np.max(np.abs(resid))),
    }
