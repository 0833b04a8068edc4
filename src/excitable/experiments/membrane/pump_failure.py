"""What if the Na+/K+ pump stops? A thin axon fires at a steady rate; at a set time ouabain blocks the pump.

The pump does not make the resting potential: the permeabilities and the gradients do (see
``resting-potential``). Its job is to keep the gradients. Every action potential lets a little Na+ in
and K+ out, and at rest the leaks do the same, slowly; the pump moves them back, 3 Na+ out for 2 K+ in.
Because it moves one net charge out per cycle, it also makes the inside a little more negative directly:
a few mV, its current divided by the membrane conductance (I_pump / g_total).

Switch it off and nothing dramatic happens at once: V steps up by those few mV, and the spikes go on.
Then the gradients run down: [Na]i rises, [K]i falls, K+ piles up in the narrow space outside the axon.
E_Na and E_K move towards 0, the resting potential (which follows E_K most closely) depolarizes,
Na+ channels inactivate, the spikes shrink and finally fail (depolarization block). In a thin axon with a
restricted extracellular space this takes tens of seconds; in a squid axon, hours.

Model: one compartment of a thin axon (diameter ``diameter_um``), HH 1952 channels with reversal
potentials from the concentrations (mammalian gradients), ohmic K+, Na+ and Cl- leaks, the Kager et al.
(2000) Na+/K+ pump (``excitable.physics.pumps.NaKPump``); [Na]i, [K]i, [Cl]i and [K]o dynamic, [K]o in
a restricted space that exchanges with the bath (``outside_um``, ``tau_out_s``). The pump's maximal rate
and the Na+ leak are set so that at rest (REST_MV, no stimulus) every ion's net flux is zero: the pump's
3 Na+ out balance the Na+ leak in and its 2 K+ in balance the K+ leak out (Cl- is at equilibrium).
"""

from __future__ import annotations

import math

import numpy as np

from excitable import backends  # noqa: F401  (float64 before any array is made)
from excitable.errors import ModelError
from excitable.experiments.base import Values
from excitable.experiments.membrane.declarations import PUMP_FAILURE as EXPERIMENT
from excitable.experiments.membrane.pump_failure_figure import plot_pump_failure
from excitable.model.cell import Cell
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp, PulseTrain
from excitable.physics.channels.ghk import IonLeak
from excitable.physics.channels.hh import HH
from excitable.physics.ions import MAMMALIAN, nernst, thermal_voltage
from excitable.physics.pumps import NaKPump, nak_pump_rate
from excitable.results import Result

#: Resting potential the model is built to sit at with the pump on (mV).
REST_MV = -65.0
#: K+ and Cl- leak conductances (mS/cm2); the Na+ leak is derived from the flux balance. Cl- is at
#: equilibrium at rest, so its conductance steadies V (HH alone sits close to repetitive firing) without
#: loading the pump.
G_K_LEAK, G_CL_LEAK = 0.05, 0.5
#: Axon length (um): any, a single compartment's concentrations depend on diameter only (vol/area = d/4).
LENGTH_UM = 20.0
#: Overshoot level (mV) of the engine's spike detector (spike counts).
SPIKE_LEVEL_MV = 0.0
#: A pulse "fires" while its response (peak - rest before it) is at least this fraction of the first's;
#: below, the spike has failed (a small, non-regenerative bump on a depolarized membrane).
FIRED_FRACTION = 0.5
#: Most samples kept of a long run (memory stays bounded: ``stride`` grows with tstop).
MAX_SAMPLES = 600_000


def balance(temperature: float, rest_mV: float = REST_MV, g_k_leak: float = G_K_LEAK) -> dict:
    """Pump and leak parameters for which every ion's net flux is zero at ``rest_mV`` (mammalian ions).

    At rest the HH channels (at their steady state) and the leaks pass I_Na (inward) and I_K (outward);
    the pump carries 3 I_p of Na+ out and 2 I_p of K+ in. Zero net flux of each ion:
    I_K + g_KL (V - E_K) = 2 I_p and I_Na + g_NaL (V - E_Na) = -3 I_p; Cl- sits at equilibrium
    ([Cl]i set so that E_Cl = V). Returns the concentrations (mM), reversal potentials (mV), I_p and
    g_NaL, and the pump's imax (uA/cm2).
    """
    ion = MAMMALIAN
    v = rest_mV
    e_na = float(nernst(ion["na"].c_in, ion["na"].c_out, 1, temperature))
    e_k = float(nernst(ion["k"].c_in, ion["k"].c_out, 1, temperature))
    cli = ion["cl"].c_out * math.exp(v / float(thermal_voltage(temperature)))  # E_Cl = V
    hh = HH(gL=0.0, eNa=e_na, eK=e_k)
    i = {k: float(x) for k, x in hh.currents(v, hh.steady_state(v, temperature)).items()}
    ip = (i["ik"] + g_k_leak * (v - e_k)) / 2.0
    g_na_leak = -(3.0 * ip + i["ina"]) / (v - e_na)
    if ip <= 0 or g_na_leak < 0:
        raise ModelError(f"no pump/leak balance at rest {v} mV (pump {ip:.3g} uA/cm2, gNa leak {g_na_leak:.3g})")
    imax = ip / float(nak_pump_rate(ion["na"].c_in, ion["k"].c_out))
    return {"nai": ion["na"].c_in, "nao": ion["na"].c_out, "ki": ion["k"].c_in, "ko": ion["k"].c_out,
            "cli": cli, "clo": ion["cl"].c_out, "ena": e_na, "ek": e_k, "ecl": v, "ipump": ip,
            "g_na_leak": g_na_leak, "g_k_leak": g_k_leak, "g_cl_leak": G_CL_LEAK, "imax": imax,
            "hh_ina": i["ina"], "hh_ik": i["ik"]}


def build_cell(p: Values, bal: dict) -> Cell:
    """The thin-axon compartment with HH, ion leaks, the pump and dynamic Na+, K+, Cl- (K+ outside too)."""
    cell = Cell.cylinder(length=LENGTH_UM, diameter=p.diameter_um, name="thin axon")
    cell.insert(HH(gL=0.0))
    cell.insert(IonLeak(gK=bal["g_k_leak"], gNa=bal["g_na_leak"], gCl=bal["g_cl_leak"]))
    cell.insert(NaKPump(imax=bal["imax"], block=p.block, block_from_ms=1000.0 * p.pump_off_s))
    cell.add_ions("na", ci=bal["nai"], co=bal["nao"])
    cell.add_ions("k", ci=bal["ki"], co=bal["ko"], outside_um3_per_um2=p.outside_um,
                  tau_out_ms=1000.0 * p.tau_out_s)
    cell.add_ions("cl", ci=bal["cli"], co=bal["clo"])
    return cell


def pulse_times(p: Values) -> np.ndarray:
    """Onsets (ms) of the stimulus pulses: one every 1/rate, the first half an interval in, so that
    whole-second pump_off times fall between pulses."""
    if p.rate_hz <= 0:
        return np.zeros(0)
    interval = 1000.0 / p.rate_hz
    return np.arange(interval / 2.0, 1000.0 * p.tstop_s, interval)


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    if p.rate_hz > 0 and p.rate_hz * 1e-3 * 1.0 > 0.5:
        raise ModelError(f"rate_hz must leave time between 1-ms pulses, got {p.rate_hz}")
    bal = balance(p.temperature)
    cell = build_cell(p, bal)
    area = cell.area_um2(cell.soma)
    onsets = pulse_times(p)
    sim = Simulation(cell, dt=p.dt, temperature=p.temperature, v_init=REST_MV)
    if len(onsets):
        sim.stimulate(PulseTrain(cell.soma, amplitude=cell.density_to_nA(p.stim_uA_cm2, cell.soma),
                                 delay=float(onsets[0]), width=1.0, interval=1000.0 / p.rate_hz,
                                 count=len(onsets)))
    for sig in ("v", "ci:na", "ci:k", "co:k", "ci:cl", "NaKPump.ipump"):
        sim.record(sig)
    sim.record_spikes()
    n_steps = sim.n_steps(1000.0 * p.tstop_s)
    stride = max(1, math.ceil(n_steps / MAX_SAMPLES))
    res = sim.run(1000.0 * p.tstop_s, stride=stride)
    one = one_action_potential(p, bal)
    summary = summarize(res, p, bal, onsets, one, area)
    traces = _thin(res, p)
    out = Result(t=traces.pop("t"), traces=traces, summary=summary, name=EXPERIMENT.name,
                 meta=dict(p, stride=stride, balance=bal, one_ap=one, pulses=onsets.tolist()))
    out.meta["per_pulse"] = _per_pulse(res, onsets, res.spikes.get(0, np.zeros(0)))
    out.meta["zooms"] = _zooms(res, out.meta["per_pulse"], 1000.0 * p.pump_off_s)
    out.plotter = plot_pump_failure
    return out


def one_action_potential(p: Values, bal: dict) -> dict:
    """One AP from rest (pump on): the Na+ it lets in, as charge and as a fraction of the content.

    The change of [Na]i over the AP (the model is at a steady state, so without the AP it would be 0) and
    Q_Na, the Na+ charge through the HH channels (integral of I_Na). Closed form: a cylinder of diameter
    d gains 4 Q_Na / (F d) of [Na]i.
    """
    from excitable.units import FARADAY

    q = p.replace(pump_off_s=1e6)
    cell = build_cell(q, bal)
    sim = Simulation(cell, dt=p.dt, temperature=p.temperature, v_init=REST_MV)
    sim.stimulate(IClamp(cell.soma, amplitude=cell.density_to_nA(p.stim_uA_cm2, cell.soma), delay=2.0,
                         duration=1.0))
    for sig in ("v", "ci:na", "HH.ina"):
        sim.record(sig)
    res = sim.run(30.0)
    ina = res["HH.ina"][1:]
    # The AP's own Na+ charge: the resting (window) current the channels pass anyway is subtracted.
    q_na = -float(np.sum(ina - ina[0])) * p.dt * 1e-3  # uA/cm2 * ms -> uC/cm2, inward > 0
    dna = float(res["ci:na"][-1] - res["ci:na"][0])
    return {"peak_mV": float(res["v"].max()), "q_na_uC_cm2": q_na,
            "na_pmol_cm2": q_na * 1e-6 / FARADAY * 1e12,
            "dnai_mM": dna, "fraction": dna / bal["nai"],
            "closed_form_dnai_mM": 4.0 * q_na * 1e-6 / FARADAY / (p.diameter_um * 1e-4) * 1e6,  # mol/cm3 -> mM
            "min_charge_uC_cm2": 1.0 * (float(res["v"].max()) - REST_MV) * 1e-3}


def _per_pulse(res: Result, onsets: np.ndarray, spikes: np.ndarray) -> dict:
    """Per pulse: the peak V within 8 ms of its onset, V just before it (the rest), the amplitude (peak -
    rest), whether V overshot SPIKE_LEVEL_MV (the engine's spike detector, exact to one step whatever the
    stride) and whether it "fired": an amplitude of at least FIRED_FRACTION of the first pulse's."""
    t, v = res.t, res["v"]
    lo = np.searchsorted(t, onsets)
    hi = np.searchsorted(t, onsets + 8.0)
    peaks = [float(v[a:b].max()) if b > a else math.nan for a, b in zip(lo, hi)]
    before = [float(v[max(a - 1, 0)]) for a in lo]
    s_lo, s_hi = np.searchsorted(spikes, onsets), np.searchsorted(spikes, onsets + 8.0)
    amp = np.array(peaks) - np.array(before)
    fired = amp >= FIRED_FRACTION * amp[0] if len(amp) else amp > 0
    return {"onset_ms": onsets.tolist(), "peak_mV": peaks, "rest_mV": before, "amplitude_mV": amp.tolist(),
            "overshoot": (s_hi > s_lo).tolist(), "fired": fired.tolist()}


def _zooms(res: Result, pp: dict, t_off: float) -> dict:
    """V around a few pulses: the first, the first after the block, half-way to failure, the failure, the last."""
    on, fired = np.asarray(pp["onset_ms"]), np.asarray(pp["fired"], bool)
    picks = {}
    if len(on):
        picks["first pulse"] = on[0]
        after = np.nonzero(on >= t_off)[0]
        if len(after):
            picks["first after the block"] = on[after[0]]
            fail = np.nonzero((on >= t_off) & ~fired)[0]
            end = fail[0] if len(fail) else len(on) - 1
            picks["half-way"] = on[(after[0] + end) // 2]
            picks["first failure" if len(fail) else "last pulse"] = on[end]
            if end != len(on) - 1:
                picks["last pulse"] = on[-1]
    out = {}
    for label, t0 in picks.items():
        a, b = np.searchsorted(res.t, [t0 - 2.0, t0 + 15.0])
        out[f"{label} ({t0 / 1000:.2f} s)"] = (res.t[a:b] - t0, res["v"][a:b])
    return out


def summarize(res: Result, p: Values, bal: dict, onsets, one: dict, area_um2: float) -> dict:
    """Measured quantities (see the module docstring); times in s, potentials in mV, mM."""
    t, v = res.t, res["v"]
    t_off = 1000.0 * p.pump_off_s
    spikes = res.spikes.get(0, np.zeros(0))
    pp = _per_pulse(res, onsets, spikes)
    fired = np.array(pp["fired"], bool)
    after = onsets >= t_off
    fails = np.nonzero(after & ~fired)[0] if len(onsets) else []
    no_overshoot = np.nonzero(after & ~np.array(pp["overshoot"], bool))[0] if len(onsets) else []
    g_total = slope_conductance(p, bal)
    no_pump = rest_without_pump(p, bal)

    def at(ms, trace):
        return float(trace[min(np.searchsorted(t, ms), len(t) - 1)])

    ena = nernst(res["ci:na"], bal["nao"], 1, p.temperature)
    ek = nernst(res["ci:k"], res["co:k"], 1, p.temperature)
    end_rest = pp["rest_mV"][-1] if len(onsets) else float(v[-1])
    return {
        "rest_mV": float(v[0]),
        "pump_current_uA_cm2": bal["ipump"],
        "g_total_mS_cm2": g_total,
        "pump_electrogenic_mV": bal["ipump"] / g_total,
        "rest_without_pump_mV": no_pump,
        "na_per_ap_pmol_cm2": one["na_pmol_cm2"],
        "na_per_ap_mM": one["dnai_mM"],
        "na_per_ap_fraction": one["fraction"],
        "ap_peak_mV": one["peak_mV"],
        "v_before_pump_off_mV": at(t_off - 1.0, v) if 0 < t_off - 1.0 < t[-1] else None,
        "v_after_pump_off_mV": at(t_off + 20.0, v) if t_off + 20.0 < t[-1] else None,
        "pump_current_at_off_uA_cm2": at(t_off - 1.0, res["NaKPump.ipump"]) if 0 < t_off < t[-1] else None,
        "nai_at_pump_off_mM": at(t_off, res["ci:na"]),
        "nai_end_mM": float(res["ci:na"][-1]),
        "ki_end_mM": float(res["ci:k"][-1]),
        "ko_end_mM": float(res["co:k"][-1]),
        "ena_end_mV": float(ena[-1]), "ek_end_mV": float(ek[-1]),
        "rest_end_mV": end_rest,
        "rest_drift_mV": end_rest - float(v[0]),
        "n_pulses": int(len(onsets)),
        "n_spikes": int(len(spikes)),
        "failure_time_s": float(onsets[fails[0]]) / 1000.0 if len(fails) else None,
        "time_to_failure_s": (float(onsets[fails[0]]) - t_off) / 1000.0 if len(fails) else None,
        "overshoot_lost_s": float(onsets[no_overshoot[0]]) / 1000.0 if len(no_overshoot) else None,
        "first_amplitude_mV": pp["amplitude_mV"][0] if len(onsets) else None,
        "last_amplitude_mV": pp["amplitude_mV"][-1] if len(onsets) else None,
        "spikes_after_pump_off": int(np.sum(spikes >= t_off)),
        "membrane_area_um2": area_um2,
    }


def _rest_current(p, bal, v, pump: bool):
    """Steady-state membrane current (uA/cm2) at V with the initial concentrations."""
    hh = HH(gL=0.0, eNa=bal["ena"], eK=bal["ek"])
    i = sum(hh.currents(v, hh.steady_state(v, p.temperature)).values())
    i += bal["g_k_leak"] * (v - bal["ek"]) + bal["g_na_leak"] * (v - bal["ena"]) + bal["g_cl_leak"] * (v - bal["ecl"])
    return float(i) + (bal["ipump"] if pump else 0.0)


def slope_conductance(p, bal, h: float = 1e-4) -> float:
    """Membrane slope conductance at rest, mS/cm2: d I_ss / dV (channels at steady state)."""
    return (_rest_current(p, bal, REST_MV + h, True) - _rest_current(p, bal, REST_MV - h, True)) / (2 * h)


def rest_without_pump(p, bal) -> float:
    """Where V would sit with the same gradients but no pump current (mV), by bisection."""
    lo, hi = REST_MV - 30.0, REST_MV + 30.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if _rest_current(p, bal, mid, False) > 0:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def _thin(res: Result, p: Values, points: int = 6000) -> dict:
    """Traces for the report: every k-th sample so that about ``points`` remain (V as min/max per bin)."""
    n = len(res.t)
    k = max(1, n // points)
    m = (n // k) * k
    out = {"t": res.t[:m:k]}
    for label in ("ci:na", "ci:k", "co:k", "ci:cl", "NaKPump.ipump"):
        out[label] = res[label][:m:k]
    v = res["v"][:m].reshape(-1, k)
    out["v_max"], out["v_min"] = v.max(axis=1), v.min(axis=1)
    out["ena"] = np.asarray(nernst(out["ci:na"], MAMMALIAN["na"].c_out, 1, p.temperature))
    out["ek"] = np.asarray(nernst(out["ci:k"], out["co:k"], 1, p.temperature))
    return out
