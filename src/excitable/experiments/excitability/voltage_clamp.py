"""How do voltage-gated channels respond to a voltage step? HH's voltage clamp, simulated.

In a voltage clamp an amplifier holds the membrane at a chosen voltage and measures the current it must
inject to keep it there: that current is exactly what the channels pass. Holding V fixed removes the
feedback between V and the channels, so each channel's response to a voltage can be seen on its own.
Hodgkin and Huxley did this in the squid giant axon in 1952, stepping the membrane from rest to a
series of voltages.

After a depolarizing step the Na+ current flows in within a millisecond (its activation gate m opens
fast) and then shuts off although the voltage stays up (its inactivation gate h closes, more slowly).
The larger the step, the closer V gets to E_Na and the smaller the driving force, so the Na+ current
shrinks near E_Na and reverses (flows out) beyond it. The K+ current turns on later (its gate n opens
slowly) and stays on for as long as the step lasts: the delayed-rectifier K+ channels do not inactivate.

At a fixed voltage each gate relaxes exponentially to its steady state, so the conductances follow
closed-form curves (the dots), exactly the equations Hodgkin and Huxley fitted to their measurements.
Those two behaviours, fast Na+ activation followed by inactivation and slow, lasting K+ activation, are
all an action potential needs.
"""

from __future__ import annotations

import numpy as np

from excitable.errors import ModelError
from excitable.experiments.common.models import gate_labels, prepared
from excitable.experiments.excitability.declarations import VOLTAGE_CLAMP as EXPERIMENT
from excitable.experiments.excitability.voltage_clamp_figure import plot_voltage_clamp
from excitable.model.simulation import Simulation
from excitable.model.stimuli import VClamp
from excitable.results import Result


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""

    p = EXPERIMENT.resolve(given)
    if p.step_max < p.step_min:
        raise ModelError(f"step_max ({p.step_max:g}) must be >= step_min ({p.step_min:g})")
    model, temperature = prepared(p)
    cell = model.cell
    gates = gate_labels(p.model)
    na_mech, k_mech = gates["h"].split(".")[0], gates["n"].split(".")[0]
    na, k = cell.mechanisms[na_mech], cell.mechanisms[k_mech]
    steps = np.arange(p.step_min, p.step_max + 0.5 * p.step_size, p.step_size)
    levels = sorted(set(np.round(p.holding + steps, 6)) | {float(p.probe)})
    tstop = p.hold + p.duration + 5.0
    labels = ["v", gates["m"], gates["h"], gates["n"], f"{na_mech}.ina", f"{k_mech}.ik", "vclamp[0]"]
    runs = {}
    for vc in levels:
        # The same structure each time: the compiled program is reused, only the command changes.
        sim = Simulation(cell, dt=p.dt, temperature=temperature, v_init=p.holding)
        sim.stimulate(VClamp(cell.soma, ((p.hold, p.holding), (p.duration, vc),
                                         (tstop, p.holding)), rs=p.rs))
        for sig in labels:
            sim.record(sig)
        runs[vc] = sim.run(tstop)
    t = runs[levels[0]].t
    on = (t > p.hold) & (t <= p.hold + p.duration)
    # The maximal conductances as set on the cell (after gNa_scale / gK_scale), not the class defaults.
    na_set, k_set = cell.mechanism_at_sites(na_mech), cell.mechanism_at_sites(k_mech)
    gna_max = float(np.asarray(na_set.gNa).ravel()[0])
    gk_max = float(np.asarray(getattr(k_set, "gK", getattr(k_set, "gKd", 0.0))).ravel()[0])
    rows = {vc: _analyse(t, runs[vc].traces, on, vc, p, gates, na, k, gna_max, gk_max, temperature)
            for vc in levels}
    summary = _summarize(rows, levels, p, temperature, na, gna_max)
    summary.update(model=p.model, temperature_degC=temperature)
    traces = {}
    for vc in levels:
        tr, row = runs[vc].traces, rows[vc]
        traces[f"v at {vc:+g} (mV)"] = tr["v"]
        traces[f"INa at {vc:+g} (uA/cm2)"] = tr[f"{na_mech}.ina"]
        traces[f"IK at {vc:+g} (uA/cm2)"] = tr[f"{k_mech}.ik"]
        traces[f"gNa at {vc:+g} (mS/cm2)"] = row["gna"]
        traces[f"gK at {vc:+g} (mS/cm2)"] = row["gk"]
        traces[f"gNa closed form at {vc:+g} (mS/cm2)"] = row["gna_cf"]
        traces[f"gK closed form at {vc:+g} (mS/cm2)"] = row["gk_cf"]
    return Result(t=t, traces=traces, summary=summary, name=EXPERIMENT.name,
                  meta=dict(p, temperature=temperature, levels=levels, model_description=model.description),
                  plotter=plot_voltage_clamp)


def gate_course(chan, v_cmd, v_hold, temperature, t_since):
    """Closed form at a fixed voltage: x(t) = x_inf - (x_inf - x0) exp(-t / tau_x), x0 = x_inf(v_hold)."""
    after = chan.gates(np.float64(v_cmd), temperature)
    before = chan.gates(np.float64(v_hold), temperature)
    return {g: float(inf) - (float(inf) - float(before[g][0])) * np.exp(-t_since / float(tau))
            for g, (inf, tau) in after.items()}


def _analyse(t, tr, on, vc, p, gates, na, k, gna_max, gk_max, temperature) -> dict:
    since = np.where(on, t - p.hold, 0.0)
    cf_na = gate_course(na, vc, p.holding, temperature, since)
    cf_k = gate_course(k, vc, p.holding, temperature, since)
    gna = gna_max * tr[gates["m"]] ** 3 * tr[gates["h"]]
    gk = gk_max * tr[gates["n"]] ** 4
    gna_cf = np.where(on, gna_max * cf_na["m"] ** 3 * cf_na["h"], np.nan)
    gk_cf = np.where(on, gk_max * cf_k["n"] ** 4, np.nan)
    ina = [v for key, v in tr.items() if key.endswith(".ina")][0][on]
    ik = [v for key, v in tr.items() if key.endswith(".ik")][0][on]
    j = int(np.argmax(np.abs(ina)))
    scale_na = max(float(np.max(gna_cf[on])), 1e-300)
    scale_k = max(float(np.max(gk_cf[on])), 1e-300)
    return {
        "gna": gna, "gk": gk, "gna_cf": gna_cf, "gk_cf": gk_cf,
        "peak_ina": float(ina[j]), "peak_ina_time": float(t[on][j] - p.hold),
        "ina": ina, "t_on": t[on] - p.hold,
        "ik_end": float(ik[-1]), "ik_max": float(ik.max()),
        "gna_err": float(np.max(np.abs(gna[on] - gna_cf[on])) / scale_na),
        "gk_err": float(np.max(np.abs(gk[on] - gk_cf[on])) / scale_k),
        "clamp_err": float(np.max(np.abs(tr["v"][on] - vc))),
    }


def inactivation_tau(t_on, ina) -> float | None:
    """Time constant (ms) of the Na+ current's decay after its peak: a straight-line fit of
    log|INa - INa(end)| from 1 ms after the peak until the difference falls to 2 % of its size there."""
    j = int(np.argmax(np.abs(ina)))
    d = np.abs(ina - ina[-1])
    start = int(np.searchsorted(t_on, t_on[j] + 1.0))
    if start >= len(d) - 3 or d[start] <= 0:
        return None
    stop = start + int(np.argmax(d[start:] < 0.02 * d[start]))
    if stop - start < 3:
        return None
    slope = np.polyfit(t_on[start:stop], np.log(d[start:stop]), 1)[0]
    return float(-1.0 / slope) if slope < 0 else None


def _summarize(rows, levels, p, temperature, na, gna_max) -> dict:
    peaks = [rows[vc]["peak_ina"] for vc in levels]
    rev = None
    for (v0, i0), (v1, i1) in zip(zip(levels, peaks), zip(levels[1:], peaks[1:])):
        if i0 < 0 <= i1:
            rev = float(v0 + (0 - i0) / (i1 - i0) * (v1 - v0))
    probe = rows[float(p.probe)]
    _, tau_h = na.gates(np.float64(p.probe), temperature)["h"]
    return {
        "step_levels_mV": list(levels),
        "peak_ina_uA_cm2": peaks,
        "peak_ina_time_ms": [rows[vc]["peak_ina_time"] for vc in levels],
        "ik_end_uA_cm2": [rows[vc]["ik_end"] for vc in levels],
        "ik_end_over_max": [rows[vc]["ik_end"] / rows[vc]["ik_max"] if rows[vc]["ik_max"] > 0 else None
                            for vc in levels],
        "ina_reversal_mV": rev,
        "eNa_mV": float(np.asarray(na.eNa)),
        "probe_mV": float(p.probe),
        "probe_peak_ina_uA_cm2": probe["peak_ina"],
        "probe_peak_ina_time_ms": probe["peak_ina_time"],
        "probe_inactivation_tau_ms": inactivation_tau(probe["t_on"], probe["ina"]) if gna_max > 0 else None,
        "tau_h_closed_form_ms": float(tau_h),
        "gK_max_rel_error": max(rows[vc]["gk_err"] for vc in levels),
        "gNa_max_rel_error": max(rows[vc]["gna_err"] for vc in levels),
        "clamp_max_error_mV": max(rows[vc]["clamp_err"] for vc in levels),
        "definitions": {
            "g*_max_rel_error": "largest |simulated - closed form| during the steps, relative to the peak of "
                                "the closed form, with the closed form at the command voltage",
            "clamp_max_error_mV": "largest |V - command| during the steps (the series resistance rs lets "
                                  "V differ from the command by the clamp current x rs)",
            "ina_reversal_mV": "where the peak Na+ current changes sign (linear interpolation)",
        },
    }
