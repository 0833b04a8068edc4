"""What if Na+ and K+ permeability both increase? Ratios set the resting potential; sizes set the shunt.

The GHK equation depends only on the *ratios* of the permeabilities: scale all of them by k and the
resting potential does not move; scale PNa and PK together with PCl fixed and it barely moves; scale PNa
alone and it climbs towards E_Na (with PNa/PK = 20, as at the peak of an action potential, it is +51 mV).

What the sizes change is how leaky the membrane is. More open channels mean a smaller input
resistance (R_in = 1 / (g A)) and a shorter time constant (tau = C / g): both fall as 1/k. The same
synaptic current then makes a smaller EPSP, and a spike has to push against a larger leak current, so its
threshold rises and its amplitude falls ("shunting"). In HH's squid axon the leak (E_L = -54.3 mV) is
itself a mixture of Na+ and K+ permeabilities; scaling it by k shows the shunt. Scaling the
voltage-gated gNa and gK together instead makes a faster, taller spike with a higher current threshold.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from excitable import backends  # noqa: F401  (float64 before any array is made)
from excitable.errors import ModelError
from excitable.experiments.base import Values
from excitable.experiments.membrane.declarations import PERMEABILITY as EXPERIMENT
from excitable.experiments.membrane.declarations import RESTING_POTENTIAL as RESTING
from excitable.experiments.membrane.permeability_figure import plot_permeability
from excitable.experiments.membrane.resting_potential import chord_conductances, ghk_rest
from excitable.model.cell import Cell
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp
from excitable.physics.channels.ghk import IonLeak
from excitable.physics.channels.hh import HH
from excitable.physics.ions import nernst
from excitable.results import Result

#: Passive protocol (ms): step on at STEP_ON until STEP_OFF, EPSC at EPSC_AT for EPSC_MS, end TSTOP.
STEP_ON, STEP_OFF, EPSC_AT, EPSC_MS, TSTOP = 5.0, 205.0, 305.0, 5.0, 400.0
#: HH part: 1-ms pulse at HH_DELAY ms, runs of HH_TSTOP ms at 6.3 degC; bisection up to HH_MAX uA/cm2.
HH_DELAY, HH_TSTOP, HH_TEMPERATURE, HH_MAX = 5.0, 30.0, 6.3, 400.0
#: Compartment: 20 x 20 um cylinder (area 1257 um2).
SIZE_UM = 20.0


def parse_k(text) -> np.ndarray:
    """"1,2,5" -> array; each k > 0 and finite, at least one."""
    items = text if isinstance(text, (list, tuple, np.ndarray)) else str(text).strip("[]() ").split(",")
    try:
        k = np.array([float(x) for x in items if str(x).strip()], dtype=float)
    except ValueError:
        raise ModelError(f"k_values must be numbers separated by commas, got {text!r}") from None
    if k.size == 0 or not np.all(np.isfinite(k)) or np.any(k <= 0) or np.any(k > 100):
        raise ModelError(f"k_values must be numbers in (0, 100], got {text!r}")
    return np.unique(k)


def ghk_series(k: np.ndarray, temperature: float) -> dict:
    """GHK resting potential (mV) with the mammalian ions when permeabilities are scaled by k."""
    base = RESTING.resolve({"temperature": temperature})

    def rest(**scale):
        return ghk_rest(base.replace(**{n: base[n] * x for n, x in scale.items()}))

    out = {"all": [], "na_and_k": [], "na": [], "k": []}
    for x in k:
        out["all"].append(rest(pk=x, pna=x, pcl=x))
        out["na_and_k"].append(rest(pk=x, pna=x))
        out["na"].append(rest(pna=x))
        out["k"].append(rest(pk=x))
    out["na_over_k_20"] = ghk_rest(base.replace(pna=20.0 * base.pk))
    return out


def passive(p: Values, k: np.ndarray) -> tuple[dict, dict, np.ndarray]:
    """A compartment with only K+ and Na+ leaks (the resting chord conductances), both scaled by k."""
    base = RESTING.resolve({"temperature": p.temperature})
    g = chord_conductances(base, ghk_rest(base))
    e = {ion: float(nernst(base[f"{ion}i"], base[f"{ion}o"], 1, p.temperature)) for ion in ("k", "na")}
    cell = Cell.cylinder(length=SIZE_UM, diameter=SIZE_UM)
    cell.insert(IonLeak(gK=g["k"], gNa=g["na"], gCl=0.0, eK=e["k"], eNa=e["na"]))
    area = cell.area_um2(cell.soma)
    rest = (g["k"] * e["k"] + g["na"] * e["na"]) / (g["k"] + g["na"])
    sim = Simulation(cell, dt=p.dt, temperature=p.temperature, v_init=rest)
    to_nA = cell.density_to_nA(1.0, cell.soma)
    sim.stimulate(IClamp(cell.soma, amplitude=p.step_uA_cm2 * to_nA, delay=STEP_ON, duration=STEP_OFF - STEP_ON))
    sim.stimulate(IClamp(cell.soma, amplitude=p.epsc_uA_cm2 * to_nA, delay=EPSC_AT, duration=EPSC_MS))
    sim.record("v")
    params = sim.parameters()
    batch = _broadcast(params, len(k))
    leak = batch["channels"]["IonLeak"]
    batch["channels"]["IonLeak"] = dataclasses.replace(leak, gK=leak.gK * k[:, None], gNa=leak.gNa * k[:, None])
    res = sim.run_batch(TSTOP, batch)
    t, v = res.t, res["v"]
    g_tot = (g["k"] + g["na"]) * k  # mS/cm2
    i_step = p.step_uA_cm2 * to_nA  # nA
    dv = v[:, np.searchsorted(t, STEP_OFF) - 1] - rest
    out = {
        "rest_mV": rest, "g_k_mS_cm2": g["k"], "g_na_mS_cm2": g["na"], "area_um2": area,
        "rin_MOhm": (dv / i_step).tolist(),
        "rin_theory_MOhm": (1.0 / (g_tot * 1e-3 * area * 1e-8) / 1e6).tolist(),  # 1/(S/cm2 * cm2) ohm
        "tau_ms": [_tau(t, vi, rest, dvi) for vi, dvi in zip(v, dv)],
        "tau_theory_ms": (1.0 / g_tot).tolist(),  # cm = 1 uF/cm2: tau = cm / g (uF/mS = ms)
        "epsp_mV": _epsp(t, v, p.epsc_uA_cm2).tolist(),
    }
    return out, {f"passive v, k = {x:g} (mV)": v[i] for i, x in enumerate(k)}, t


def _epsp(t, v, sign) -> np.ndarray:
    """Largest deviation (mV) after EPSC_AT from V at EPSC_AT, in the direction of the current."""
    k0 = np.searchsorted(t, EPSC_AT)
    dv = v[:, k0:] - v[:, k0 - 1:k0]
    return dv.max(axis=1) if sign >= 0 else dv.min(axis=1)


def _tau(t, v, rest, dv_ss) -> float:
    """Time from step onset until V covers 1 - 1/e of its final change, linear interpolation (ms)."""
    if dv_ss == 0:
        return float("nan")
    frac = (v - rest) / dv_ss
    k0 = np.searchsorted(t, STEP_ON)
    idx = k0 + int(np.argmax(frac[k0:] >= 1.0 - np.exp(-1.0)))
    f0, f1 = frac[idx - 1], frac[idx]
    target = 1.0 - np.exp(-1.0)
    return float(t[idx - 1] + (target - f0) / (f1 - f0) * (t[idx] - t[idx - 1]) - STEP_ON)


def _broadcast(params, n):
    import jax

    return jax.tree.map(lambda a: np.broadcast_to(np.asarray(a), (n, *np.shape(a))).copy(), params)


def hh_series(p: Values, k: np.ndarray, which: str) -> tuple[dict, dict]:
    """HH compartment with the leak ("leak") or the voltage-gated gNa and gK ("gated") scaled by k.

    Per k: resting potential (Newton on the steady-state current), the 1-ms pulse current threshold
    (batched bisection on "V overshoots 0 mV", to 0.1 %), and the peak and amplitude (peak - rest) of
    the response to a fixed pulse of twice the unscaled threshold.
    """
    cell = Cell.cylinder(length=SIZE_UM, diameter=SIZE_UM).insert(HH())
    sim = Simulation(cell, dt=p.dt, temperature=HH_TEMPERATURE, v_init=-65.0)
    sim.stimulate(IClamp(cell.soma, amplitude=cell.density_to_nA(1.0, cell.soma), delay=HH_DELAY, duration=1.0))
    sim.record("v")
    batch = _broadcast(sim.parameters(), len(k))
    hh = batch["channels"]["HH"]
    scale = {"leak": {"gL": hh.gL * k[:, None]},
             "gated": {"gNa": hh.gNa * k[:, None], "gK": hh.gK * k[:, None]}}[which]
    batch["channels"]["HH"] = dataclasses.replace(hh, **scale)
    rests = hh_rest(dataclasses.replace(HH(), **{n: a[:, 0] for n, a in scale.items()}))
    batch["v_init"] = rests
    fn = sim.function(HH_TSTOP, batched=True)

    def peaks(gains):
        batch["iclamp_amp"] = np.asarray(gains, float)[:, None]
        return np.asarray(fn(batch))[:, :, 0].max(axis=1)

    lo, hi = np.zeros(len(k)), np.full(len(k), HH_MAX)
    fires = peaks(hi) >= 0.0
    for _ in range(20):
        mid = 0.5 * (lo + hi)
        ok = peaks(mid) >= 0.0
        hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid)
    thr = np.where(fires, 0.5 * (lo + hi), np.nan)
    k1 = int(np.argmin(np.abs(k - 1.0)))
    fixed = 2.0 * (thr[k1] if np.isclose(k[k1], 1.0) and fires[k1] else 6.933)
    batch["iclamp_amp"] = np.full((len(k), 1), fixed)
    res = sim.run_batch(HH_TSTOP, batch)
    v = res["v"]
    peak = v.max(axis=1)
    out = {"rest_mV": rests.tolist(), "threshold_uA_cm2": [None if np.isnan(x) else float(x) for x in thr],
           "stimulus_uA_cm2": float(fixed), "peak_mV": peak.tolist(), "amplitude_mV": (peak - rests).tolist()}
    traces = {f"HH {which} x{x:g}: v (mV)": v[i] for i, x in enumerate(k)}
    return out, traces, res.t


def hh_rest(hh: HH, guess: float = -65.0) -> np.ndarray:
    """V (mV) where HH's steady-state current vanishes, by Newton from ``guess``; parameters may be arrays."""
    def i_ss(v):
        return np.asarray(sum(hh.currents(v, hh.steady_state(v, HH_TEMPERATURE)).values()), float)

    v = np.full(np.shape(hh.gL) or np.shape(hh.gNa) or (), guess, dtype=float)
    for _ in range(50):
        slope = (i_ss(v + 1e-4) - i_ss(v - 1e-4)) / 2e-4
        v = v - np.clip(i_ss(v) / slope, -5.0, 5.0)
    return v


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    k = parse_k(p.k_values)
    ghk = ghk_series(k, p.temperature)
    pas, pas_traces, t = passive(p, k)
    leak, leak_traces, t_hh = hh_series(p, k, "leak")
    gated, gated_traces, _ = hh_series(p, k, "gated")
    summary = {
        "k_values": k.tolist(),
        "ghk_rest_all_scaled_mV": ghk["all"], "ghk_rest_na_and_k_scaled_mV": ghk["na_and_k"],
        "ghk_rest_na_scaled_mV": ghk["na"], "ghk_rest_k_scaled_mV": ghk["k"],
        "ghk_rest_pna_over_pk_20_mV": ghk["na_over_k_20"],
        **{f"passive_{n}": x for n, x in pas.items()},
        **{f"hh_leak_{n}": x for n, x in leak.items()},
        **{f"hh_gated_{n}": x for n, x in gated.items()},
        "temperature_degC": p.temperature, "hh_temperature_degC": HH_TEMPERATURE,
    }
    meta = dict(p, hh_t=t_hh, hh_traces={**leak_traces, **gated_traces})
    return Result(t=t, traces=pas_traces, summary=summary, name=EXPERIMENT.name, meta=meta,
                  plotter=plot_permeability)
