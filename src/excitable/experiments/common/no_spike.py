"""When a drug leaves a single-compartment model unable to fire: a clear result instead of an error.

Experiments that measure something of an action potential (the gates' overlap, the currents, the
undershoot, the refractory period) cannot measure it when there is none: with the Na+ channels
blocked (TTX, ``gNa_scale`` 0) the membrane only charges and discharges passively; with most K+
channels blocked (TEA, ``gK_scale`` near 0) the HH cell has no physiological rest (its leak reverses
at -54 mV and the Na+ window current holds it depolarized, where the Na+ channels are inactivated).
``check`` runs one strong pulse first (only when a drug is applied: the intact models always fire)
and, if either happens, returns a Result that says so in its summary (``no_action_potential``) and in
its figure, with the V trace that shows why. With the Na+ inactivation removed (pronase,
``no_inactivation``) the spike starts but never ends: V stays on a plateau (``no_repolarization``).
"""

from __future__ import annotations

import numpy as np

from excitable.results import Result

#: The test pulse: strong (about 6 times the HH and textbook 1-ms thresholds) yet too weak to charge
#: a 1-µF/cm² membrane from rest past 0 mV on its own (40 mV), so only a spike crosses 0 mV; 1 ms,
#: after 5 ms at rest.
PULSE_UA_CM2, PULSE_MS, ONSET_MS, AFTER_MS = 40.0, 1.0, 5.0, 30.0
#: A resting potential above this (mV) is no physiological rest: the Na+ channels are inactivated.
HIGHEST_REST_MV = -50.0
#: V may wander this much (mV) before the pulse and still count as a resting state.
REST_DRIFT_MV = 1.0
#: Still above this (mV) 30 ms after the pulse, a spike has not repolarized: a plateau.
PLATEAU_MV = -40.0


def check(p, name: str) -> Result | None:
    """None if the model of ``p`` (drugs applied) rests and fires; otherwise the no-spike Result."""
    if p.get("gNa_scale", 1.0) == 1.0 and p.get("gK_scale", 1.0) == 1.0 and not p.get("no_inactivation"):
        return None
    from excitable.experiments.common.models import prepared
    from excitable.model.simulation import Simulation
    from excitable.model.stimuli import IClamp

    model, temperature = prepared(p)
    cell = model.cell
    sim = Simulation(cell, dt=p.dt, temperature=temperature, v_init=model.v_init)
    sim.stimulate(IClamp(cell.soma, amplitude=cell.density_to_nA(PULSE_UA_CM2, cell.soma), delay=ONSET_MS,
                         duration=PULSE_MS))
    sim.record("v")
    res = sim.run(ONSET_MS + AFTER_MS)
    t, v = res.t, res["v"]
    before = v[t < ONSET_MS]
    reason = _reason(p, float(np.ptp(before)), float(before[-1]), float(v[t >= ONSET_MS].max()))
    key = "no_action_potential"
    if reason is None and p.get("no_inactivation") and v[-1] > PLATEAU_MV:
        key, reason = "no_repolarization", (
            f"the spike never ends: with no Na+ inactivation (pronase) the Na+ channels stay open and V "
            f"stays on a plateau at {v[-1]:+.0f} mV, where the K+ current only balances the Na+ current; "
            f"normally h closes the Na+ channels and the spike is over in about 1 ms")
    if reason is None:
        return None
    summary = {key: reason, "plateau_mV": float(v[-1]) if key == "no_repolarization" else None,
               "rest_mV": float(before[-1]) if key == "no_repolarization" else None,
               "peak_mV": float(v.max()) if key == "no_repolarization" else None, "model": p.model,
               "temperature_degC": temperature, "gNa_scale": p.get("gNa_scale", 1.0),
               "gK_scale": p.get("gK_scale", 1.0), "test_pulse_uA_cm2": PULSE_UA_CM2,
               "v_before_pulse_mV": float(before[-1]), "v_max_mV": float(v.max())}
    return Result(t=t, traces={"v": v}, summary=summary, name=name, meta=dict(p),
                  plotter=lambda r: plot_no_spike(r, name))


def _reason(p, drift: float, v_rest: float, v_peak: float) -> str | None:
    """Why there is no action potential to measure (one line), or None when there is one."""
    gna, gk = p.get("gNa_scale", 1.0), p.get("gK_scale", 1.0)
    if drift > REST_DRIFT_MV or v_rest > HIGHEST_REST_MV:
        return (f"no resting state: with K+ conductance x{gk:g} V settles at {v_rest:+.0f} mV (it moved "
                f"{drift:.0f} mV before the pulse), where the Na+ channels are inactivated, so no spike can "
                f"be measured; a partial block (gK_scale 0.4-0.7) keeps a rest and widens the spike")
    if v_peak < 0.0 or gna == 0.0:
        return (f"no action potential: with Na+ conductance x{gna:g} (TTX) even a {PULSE_UA_CM2:g} µA/cm² "
                f"pulse only charges the membrane passively (V peaks at {v_peak:+.0f} mV, below 0 mV)")
    return None


def plot_no_spike(res, name: str):
    """V under the test pulse, with the reason as the title."""
    import textwrap

    from excitable.experiments.common.figures import CAPTION, COLORS, new_figure, reference_lines

    fig, ax = new_figure(1, 1, height=4.0, width=8.0)
    a = ax[0, 0]
    a.plot(res.t, res["v"], color=COLORS["v"], lw=1.5, label="V")
    a.axvspan(ONSET_MS, ONSET_MS + PULSE_MS, color=COLORS["stimulus"], alpha=0.3, lw=0,
              label=f"test pulse, {PULSE_UA_CM2:g} µA/cm² for {PULSE_MS:g} ms")
    a.legend(loc="upper right", frameon=False)
    reference_lines(a, threshold=None)
    a.set_xlabel("time (ms)")
    a.set_ylabel("V (mV)")
    s = res.summary
    reason = s.get("no_action_potential") or s["no_repolarization"]
    a.set_title(f"{name}: nothing to measure, " + ("no action potential" if "no_action_potential" in s else
                                                   "the spike never ends (pronase)"))
    # The reason under the panel, where no trace is: a caption a student reads with the figure.
    a.text(0.0, -0.2, "\n".join(textwrap.wrap(reason, 110)), transform=a.transAxes,
           **CAPTION)
    return fig
