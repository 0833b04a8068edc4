"""Why are graded potentials proportional to the stimulus, and why do they fade with distance?

A passive cable (a dendrite or axon with only leak channels) is injected with current at its sealed
0-end. The injected current has two ways to go: along the core (axial resistivity Ri) to the next
stretch of cable, or out through the membrane (specific resistance Rm) at the spot where it is. Every
micrometre it travels, a little more of it leaks out, so the voltage falls off exponentially,
V(x) = V0 exp(-x / lambda). The length constant lambda = sqrt(Rm d / (4 Ri)) is where the two
resistances balance: a better-insulated membrane (larger Rm) or a thicker, easier core (larger d,
smaller Ri) carries the signal farther. Nothing in a passive membrane depends on V, so the response is
proportional to the stimulus (double the current, double the voltage, at every point and time).

A short pulse fades faster with distance than a steady current, and its peak arrives later: on the way
the current must also charge the membrane capacitance (time constant tau = Rm Cm), so the cable
smooths a brief input in time as it attenuates it in space.

Theory (Rall; Koch 1999, "Biophysics of Computation", ch. 2), with d, Rm, Ri in cm and ohm:
lambda = sqrt(Rm d / (4 Ri)); input resistance of a semi-infinite cable R_inf = (2/pi) sqrt(Rm Ri)
d^(-3/2) (x coth(L / lambda) for a sealed cable of length L); step response
V(X, T) = (R_inf I / 2) [e^-X erfc(X/(2 sqrt T) - sqrt T) - e^X erfc(X/(2 sqrt T) + sqrt T)]
with X = x / lambda, T = t / tau.
"""

from __future__ import annotations

import math

import numpy as np

from excitable.errors import ModelError
from excitable.experiments.base import Values
from excitable.experiments.cables.declarations import GRADED_POTENTIAL as EXPERIMENT
from excitable.experiments.cables.graded_potential_figure import plot_graded_potential
from excitable.model.cell import Cell
from excitable.model.morphology import Morphology
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp, Location
from excitable.physics.channels.hh import Leak
from excitable.results import Result

#: Resting (leak reversal) potential, mV.
E_REST = -65.0
#: Pulse onset, ms.
DELAY_MS = 1.0
#: Distances (in theoretical length constants) at which V(t) and peak times are reported.
DISTANCES_LAMBDA = (0.0, 0.5, 1.0, 2.0)
#: Recording sites spread evenly along the cable (plus the sites above).
N_SITES = 101


def parse_amplitudes(text) -> np.ndarray:
    """"-0.1, 0.05, 0.2" (or a list) -> array of nA; needs >= 2 distinct finite values."""
    if isinstance(text, (list, tuple, np.ndarray)):
        items = list(text)
    else:
        items = [s for s in str(text).strip().strip("[]()").replace(";", ",").split(",") if s.strip()]
    try:
        amps = np.array([float(s) for s in items], dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"amplitudes must be numbers separated by commas (nA), got {text!r}") from None
    if not np.all(np.isfinite(amps)):
        raise ModelError(f"amplitudes must be finite, got {text!r}")
    if np.unique(amps).size < 2:
        raise ModelError(f"amplitudes must hold at least 2 different values, got {text!r}")
    if np.max(np.abs(amps)) > 10.0:
        raise ModelError(f"amplitudes must be within +/- 10 nA, got {text!r}")
    return amps


def cable_theory(diameter_um: float, rm: float, ra: float, cm: float, length_um: float) -> dict:
    """Closed-form constants of a passive cable: lambda (um), tau (ms), R_inf and sealed R_in (MOhm)."""
    d_cm = diameter_um * 1e-4
    lam_um = math.sqrt(rm * d_cm / (4.0 * ra)) * 1e4
    r_inf = (2.0 / math.pi) * math.sqrt(rm * ra) * d_cm ** -1.5 / 1e6
    return {"lambda_um": lam_um, "tau_ms": rm * cm * 1e-3, "r_inf_MOhm": r_inf,
            "r_sealed_MOhm": r_inf / math.tanh(length_um / lam_um)}


def _f(X, T):
    """e^-X erfc(X/(2 sqrt T) - sqrt T) - e^X erfc(X/(2 sqrt T) + sqrt T); 0 for T <= 0."""
    X, T = np.broadcast_arrays(np.asarray(X, float), np.asarray(T, float))
    out = np.zeros(X.shape)
    ok = T > 0
    sT = np.sqrt(T[ok])
    a = X[ok] / (2.0 * sT)
    erfc = np.vectorize(math.erfc, otypes=[float])
    out[ok] = np.exp(-X[ok]) * erfc(a - sT) - np.exp(X[ok]) * erfc(a + sT)
    return out


def step_response(x_um, t_ms, *, lambda_um: float, tau_ms: float, source_um: float = 0.0):
    """V / (R_inf I) for a current step switched on at t = 0, ``source_um`` from the sealed end of a
    semi-infinite passive cable (Rall's solution plus its mirror image in the sealed end)."""
    x = np.asarray(x_um, float) / lambda_um
    a = source_um / lambda_um
    T = np.asarray(t_ms, float) / tau_ms
    return 0.25 * (_f(np.abs(x - a), T) + _f(x + a, T))


def pulse_response(x_um, t_ms, *, width_ms: float, **kw):
    """V / (R_inf I) for a pulse of ``width_ms`` starting at t = 0 (the difference of two steps)."""
    t = np.asarray(t_ms, float)
    return step_response(x_um, t, **kw) - step_response(x_um, t - width_ms, **kw)


def build(p: Values) -> Cell:
    """The passive cable: one cylinder with a leak of g = 1/Rm, reversal E_REST."""
    morph = Morphology.cylinder(length=p.length_um, diameter=p.diameter_um, region="dend",
                                name="cable")
    cell = Cell(morph, dx_um=p.dx_um, ra=p.ra, cm=p.cm, name="passive cable")
    return cell.insert(Leak(g=1000.0 / p.rm, e=E_REST))  # ohm*cm2 -> mS/cm2


def _sites(cell: Cell, L: float, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """Node indices to record (even spread plus the DISTANCES_LAMBDA sites) and their positions (um)."""
    comp = cell.compartments
    nodes = np.nonzero(comp.area_um2 > 0)[0]
    pos = comp.x[nodes] * L
    want = np.concatenate([np.linspace(0.0, L, N_SITES), [k * lam for k in DISTANCES_LAMBDA if k * lam < L]])
    picks = np.unique(nodes[np.abs(pos[None, :] - want[:, None]).argmin(axis=1)])
    return picks, comp.x[picks] * L


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    amps = parse_amplitudes(p.amplitudes)
    if p.step_nA == 0:
        raise ModelError("step_nA must not be 0 (the steady profile needs a current)")
    L = p.length_um
    th = cable_theory(p.diameter_um, p.rm, p.ra, p.cm, L)
    lam, tau = th["lambda_um"], th["tau_ms"]
    cell = build(p)
    if cell.n > 20000:
        raise ModelError(f"length_um / dx_um gives {cell.n} compartments (> 20000); increase dx_um")
    at = Location(0, 0.0)
    picks, x = _sites(cell, L, lam)
    x0 = float(cell.compartments.x[cell.node(at)] * L)  # the stimulated node's centre (dx/2)

    # 1) Steady state: a long step. Backward Euler settles on the same steady state whatever the step,
    #    so a step of tau/50 over 15 tau does this cheaply (what is left of the transient is < 1e-5 of
    #    V(x) out to 5 lambda, where lambda is fitted).
    dt_ss = max(p.dt, tau / 50.0)
    ss = Simulation(cell, dt=dt_ss, temperature=p.temperature, v_init=E_REST)
    ss.stimulate(IClamp(at, amplitude=p.step_nA, delay=0.0, duration=1e9))
    _record(ss, cell, picks)
    v_ss = _steady(ss, picks, 15.0 * tau)
    dv_ss = v_ss - E_REST

    # 2) Brief pulses of each amplitude: one compiled run, batched over the amplitudes.
    sim = Simulation(cell, dt=p.dt, temperature=p.temperature, v_init=E_REST)
    sim.stimulate(IClamp(at, amplitude=1.0, delay=DELAY_MS, duration=p.pulse))  # gain = amplitude
    _record(sim, cell, picks)
    tstop = DELAY_MS + p.pulse + 2.5 * tau
    import jax

    base = sim.parameters()
    batch = jax.tree.map(lambda a: np.broadcast_to(a, (len(amps), *np.shape(a))), base)
    batch["iclamp_amp"] = amps[:, None]
    res = sim.run_batch(tstop, batch)
    dv = np.stack([res[f"v{k}"] for k in picks], axis=-1) - E_REST  # (amplitude, time, site)
    t = res.t

    summary = measure(t, dv, dv_ss, x, amps, p, th, x0)
    summary["n_compartments"] = cell.n
    ref = int(np.argmax(np.abs(amps)))
    shown = [int(np.argmin(np.abs(x - d))) for d in summary["peak_distances_um"]]
    traces = {f"V at {x[k]:.0f} um, {amps[ref]:g}-nA pulse (mV)": dv[ref, :, k] + E_REST for k in shown}
    meta = dict(p, positions_um=x.tolist(), steady_mV=dv_ss.tolist(), source_um=x0,
                pulse_peak_profile_mV=_signed_peak(dv[ref]).tolist(), reference_amplitude_nA=amps[ref],
                theory=th, steady_dt_ms=dt_ss, model_description=repr(cell))
    return Result(t=t, traces=traces, summary=summary, name=EXPERIMENT.name, meta=meta,
                  plotter=plot_graded_potential)


def _record(sim: Simulation, cell: Cell, picks) -> None:
    comp = cell.compartments
    for k in picks:
        sim.record("v", Location(0, float(comp.x[k])), label=f"v{k}")


def _steady(sim: Simulation, picks, tstop: float) -> np.ndarray:
    res = sim.run(tstop)
    return np.array([res[f"v{k}"][-1] for k in picks])


def _signed_peak(dv: np.ndarray) -> np.ndarray:
    """Per site (last axis), the deflection from rest of largest magnitude, with its sign (mV)."""
    k = np.argmax(np.abs(dv), axis=-2)
    return np.take_along_axis(dv, k[..., None, :], axis=-2)[..., 0, :]


def measure(t, dv, dv_ss, x, amps, p, th, x0) -> dict:
    """Lambda from the steady profile, input resistance, linearity, and the pulse's decay and delay."""
    from excitable.analysis import length_constant, linearity_r2

    L, lam_th, tau = p.length_um, th["lambda_um"], th["tau_ms"]
    # Fit the exponential over the first half only: near the sealed far end the profile flattens
    # (cosh((L - x)/lambda)), which would bias the fit for short cables.
    half = x <= 0.5 * L
    if half.sum() < 3:
        raise ModelError("need at least 3 recording sites in the first half of the cable; increase length_um")
    lam = length_constant(x[half], dv_ss[half])
    r_in = dv_ss[0] / p.step_nA  # mV / nA = MOhm
    peaks = _signed_peak(dv)  # (amplitude, site)
    ref = int(np.argmax(np.abs(amps)))
    slope = float(np.polyfit(amps, peaks[:, 0], 1)[0])
    prof = peaks[ref] / peaks[ref, 0]
    below = np.nonzero(prof < math.exp(-1.0))[0]
    if len(below) and below[0] > 0:
        i = below[0]  # interpolate log(profile) between the last site above 1/e and the first below
        a, b = np.log(prof[i - 1]), np.log(prof[i])
        decay_len = float(x[i - 1] + (x[i] - x[i - 1]) * (a + 1.0) / (a - b) - x0)
    else:
        decay_len = None
    dist = [float(x[np.argmin(np.abs(x - k * lam_th))]) for k in DISTANCES_LAMBDA if k * lam_th < L]
    idx = [int(np.argmin(np.abs(x - d))) for d in dist]
    k_peak = np.argmax(np.abs(dv[ref][:, idx]), axis=0)
    theory = pulse_response(np.array(dist)[None, :], (t - DELAY_MS)[:, None], width_ms=p.pulse,
                            lambda_um=lam_th, tau_ms=tau, source_um=x0)
    return {
        "lambda_um": lam,
        "lambda_theory_um": lam_th,
        "lambda_ratio": lam / lam_th,
        "length_over_lambda": L / lam_th,
        "tau_ms": tau,
        "input_resistance_MOhm": r_in,
        "input_resistance_theory_MOhm": th["r_sealed_MOhm"],
        "input_resistance_ratio": r_in / th["r_sealed_MOhm"],
        "r_inf_theory_MOhm": th["r_inf_MOhm"],
        "steady_v0_mV": float(dv_ss[0]),
        "steady_attenuation_at_lambda": float(np.interp(x0 + lam_th, x, dv_ss) / dv_ss[0]),
        "pulse_attenuation_at_lambda": float(np.interp(x0 + lam_th, x, peaks[ref]) / peaks[ref, 0]),
        "pulse_decay_length_um": decay_len,
        "amplitudes_nA": amps.tolist(),
        "peaks_at_source_mV": peaks[:, 0].tolist(),
        "pulse_gain_mV_per_nA": slope,
        "linearity_r2": linearity_r2(amps, peaks[:, 0]),
        "peak_distances_um": [round(d, 3) for d in dist],
        "peak_times_ms": [round(float(t[k] - DELAY_MS), 6) for k in k_peak],
        "peak_times_theory_ms": [round(float(t[k] - DELAY_MS), 6) for k in np.argmax(theory, axis=0)],
        "peaks_mV": [round(float(peaks[ref, i]), 6) for i in idx],
        "stimulus_site_um": x0,
        "fit_note": None if L >= 6 * lam_th else
        "cable shorter than 6 lambda: the sealed far end flattens V(x), so the exponential fit "
        "overestimates lambda (compare V0 cosh((L - x)/lambda)/cosh(L/lambda) in the figure)",
    }
