"""Are Na+ and K+ gates ever open at the same time?

Yes, for a short while. An action potential starts when depolarization opens the Na+ channels' fast
activation gates (m): Na+ rushes in and drives V up. The same depolarization sets two slower processes
going: the Na+ channels' inactivation gates (h) close, and the K+ channels' activation gates (n) open.
Because n is slower than m but not slower than h's closing, there is an interval, around the peak and
on the way down, when a good fraction of both kinds of channel is open at once: the Na+ channel open
probability m³h and the K+ channel open probability n⁴ are both well above their resting levels.

During that overlap Na+ flows in while K+ flows out. The two currents partly cancel: charge carried in
by Na+ is carried straight back out by K+ instead of charging the membrane. So the Na+ that enters
during a spike is more than the minimum needed to charge the membrane capacitance from rest to the
peak (C × ΔV). The figure compares the two, and how the overlap depends on temperature: in the cold the
gates are slower, the overlap lasts longer and more Na+ is wasted; a warm mammalian neuron, with fast
gates, wastes little (Alle, Roth & Geiger 2009 measured about 1.3 times the minimum in hippocampal mossy
fibres).

The Na+ pump must later carry every one of those Na+ ions back out, at the cost of ATP: the overlap is
why the brain's energy budget depends on how the channels are tuned.
"""

from __future__ import annotations

import numpy as np

from excitable.engine.run import CHUNK_STEPS, n_steps
from excitable.errors import ModelError
from excitable.experiments.common import no_spike
from excitable.experiments.common.models import gate_labels, prepared, reversals, stim_density
from excitable.experiments.excitability.declarations import GATES_OVERLAP as EXPERIMENT
from excitable.experiments.excitability.gates_overlap_figure import plot_gates_overlap
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp
from excitable.results import Result

#: Faraday constant, C/mol: 1 uC/cm2 of monovalent ions is 1e-6 / F mol/cm2 = 10.364 pmol/cm2.
FARADAY = 96485.33212
#: A trial fires when V overshoots this level (mV).
SPIKE_LEVEL_MV = 0.0
#: The default run's length (delay + window), ms: the rung every ladder of lengths passes through,
#: so the controls that leave the length alone (temperature, amplitude, ...) run no extra step.
DEFAULT_TSTOP_MS = EXPERIMENT.params["delay"].default + EXPERIMENT.params["window"].default
#: Rungs per octave of the measured run's ladder: 2 (rungs 2^(1/2) apart: at most 41 % more steps
#: than asked); the threshold search, 32 runs per round where the measured run is 2, runs on 4 per
#: octave (at most 19 % more), every other one of which is the measured run's.
RUNGS_PER_OCTAVE, SEARCH_RUNGS_PER_OCTAVE = 2, 4


def run_length(n: int, anchor: int, per_octave: int = RUNGS_PER_OCTAVE) -> int:
    """Steps to run for ``n`` wanted: the smallest rung ``round(anchor x 2^(k / per_octave))`` (k
    an integer) that is at least ``n``, so that the delay and window sliders meet a handful of
    compiled programs instead of one per position. Past two engine chunks (``CHUNK_STEPS``) the
    engine runs fixed-size chunks anyway: ``n`` itself."""
    if n > 2 * CHUNK_STEPS or anchor < 1:
        return n

    def rung(k: int) -> int:  # k / per_octave: the same float for 2j / 4 as for j / 2, so shared rungs agree
        return max(1, round(anchor * 2.0 ** (k / per_octave)))

    k = 0
    while rung(k) < n:
        k += 1
    while k > -64 and rung(k - 1) >= n:
        k -= 1
    return rung(k)


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    from excitable import broadcast, with_param  # the public batch helpers

    p = EXPERIMENT.resolve(given)
    blocked = no_spike.check(p, EXPERIMENT.name)  # TTX, TEA: no spike to measure, said in one line
    if blocked is not None:
        return blocked
    model, temperature = prepared(p)
    cell = model.cell
    temps = [temperature, p.compare_temperature]
    gates = gate_labels(p.model)
    na_mech, k_mech = gates["h"].split(".")[0], gates["n"].split(".")[0]
    sim = Simulation(cell, dt=p.dt, temperature=temps[0], v_init="rest")
    sim.stimulate(IClamp(cell.soma, amplitude=cell.density_to_nA(1.0, cell.soma), delay=p.delay,
                         duration=p.pulse))
    labels = ["v", gates["m"], gates["h"], gates["n"], f"{na_mech}.ina", f"{k_mech}.ik", "i_cap", "i_ion"]
    n, anchor = n_steps(p.delay + p.window, p.dt), n_steps(DEFAULT_TSTOP_MS, p.dt)
    # The programs run a rung of a ladder of lengths and are cut after n steps (same samples): a
    # delay or window move meets a compiled program instead of compiling one of its own length.
    tstop = run_length(n, anchor) * p.dt
    search_tstop = run_length(n, anchor, SEARCH_RUNGS_PER_OCTAVE) * p.dt
    sim.record("v")
    one = sim.parameters()
    # Temperature scales every rate of a gate by the same factor, so steady states, and with them the
    # resting potential (v_init), are the same at both temperatures.
    thresholds = _thresholds(sim, one, search_tstop, temps, _threshold_keys(p, temps), n + 1)
    for sig in labels[1:]:  # recorded after the search: its program records V alone
        sim.record(sig)
    # The recordings are the plan's, not the parameters': the search's pytree serves (~5 ms less).
    base = with_param(broadcast(one, 2), "celsius", np.asarray(temps, float))
    # The measured run goes through the engine's front door (limits, health check).
    res = sim.run_batch(tstop, {**base, "iclamp_amp": np.asarray(p.amplitude * thresholds, float)[:, None]})
    rec = np.stack([np.asarray(res.traces[lab])[:, : n + 1] for lab in labels], axis=-1)
    t = np.arange(rec.shape[1]) * sim.dt
    mech = cell.mechanism_at_sites(na_mech)  # gNa as set on the cell (after gNa_scale)
    per_t = [_measure(t, {lab: rec[j, :, i] for i, lab in enumerate(labels)}, gates, p,
                      float(np.asarray(mech.gNa).ravel()[0]), cell.cm[0]) for j in range(2)]
    summary = {"temperatures_degC": temps, "threshold_uA_cm2": thresholds.tolist(),
               "amplitude_uA_cm2": (p.amplitude * thresholds).tolist()}
    for key in per_t[0]:
        summary[key] = per_t[0][key]
    for key in ("overlap_ms", "na_charge_uC_cm2", "na_charge_ratio", "na_charge_raw_ratio"):
        summary[f"{key}_by_temperature"] = [m[key] for m in per_t]
    summary["definitions"] = {
        "overlap_ms": f"time during which both m^3 h and n^4 exceed {p.level:g} of their own peaks",
        "na_charge_uC_cm2": "Na+ charge the AP adds: integral of (INa - INa at rest) from onset over "
                            f"{p.window:g} ms (the resting Na+ leak subtracted)",
        "na_charge_raw_uC_cm2": f"integral of INa over the same {p.window:g} ms, resting leak included",
        "cm_dv_uC_cm2": "capacitive minimum Cm (V_peak - V_rest): the charge that just charges the membrane",
    }
    summary.update(model=p.model, temperature_degC=temps[0])
    traces = {lab: rec[0, :, i] for i, lab in enumerate(labels)}
    traces["open Na+ (m^3 h)"] = traces[gates["m"]] ** 3 * traces[gates["h"]]
    traces["open K+ (n^4)"] = traces[gates["n"]] ** 4
    traces["v at compare temperature (mV)"] = rec[1, :, 0]
    traces["open Na+ at compare temperature"] = rec[1, :, 1] ** 3 * rec[1, :, 2]
    traces["open K+ at compare temperature"] = rec[1, :, 3] ** 4
    traces["i_stim"] = stim_density(t, p, summary["amplitude_uA_cm2"][0], sim.dt)
    return Result(t=t, traces=traces, summary=summary, name=EXPERIMENT.name,
                  meta=dict(p, temperatures=temps, gates=gates, na=f"{na_mech}.ina", k=f"{k_mech}.ik",
                            model_description=model.description, **reversals(cell)),
                  plotter=plot_gates_overlap)


#: Parameters that do not move the threshold (the amplitude is a multiple of it): a slider on them
#: runs no search (``all_or_none_search.recall``).
_NOT_THRESHOLD = ("amplitude", "level", "temperature", "compare_temperature")


def warm_settings() -> list[dict]:
    """Settings whose programs a learner's moves meet beyond the defaults', most likely first, for
    the lab's start-up warm-up: the squid axon (a suggestion), a drug (its test pulse,
    ``no_spike.check``), pronase (another model), and one (delay, window) on the sliders' grids per
    rung of the search's ladder of lengths (which holds the measured run's) that the two sliders
    reach at the default dt (nearest rungs first)."""
    d, w = (EXPERIMENT.params[k] for k in ("delay", "window"))
    dt, anchor = EXPERIMENT.params["dt"].default, n_steps(DEFAULT_TSTOP_MS, EXPERIMENT.params["dt"].default)
    by_rung = {}
    for delay in _positions(d.slider):
        for window in _positions(w.slider):
            rung = run_length(n_steps(delay + window, dt), anchor, SEARCH_RUNGS_PER_OCTAVE)
            # per rung, the pair nearest the defaults (fewest slider steps): what a learner meets first
            cost = abs(delay - d.default) / d.slider.step + abs(window - w.default) / w.slider.step
            if rung != anchor and (rung not in by_rung or cost < by_rung[rung][0]):
                by_rung[rung] = (cost, {"delay": delay, "window": window})
    rungs = [v for _, v in sorted(by_rung.values(), key=lambda cv: cv[0])]
    return [{"model": "hh"}, {"gK_scale": 0.5}, *rungs[:2], {"no_inactivation": True}, *rungs[2:]]


def _positions(slider) -> list[float]:
    """Every value a linear slider can take (its steps from low to high), rounded to the step's digits."""
    count = int(round((slider.high - slider.low) / slider.step))
    return [round(slider.low + i * slider.step, 9) for i in range(count + 1)]


def _threshold_keys(p, temps) -> list:
    """One key per temperature: everything that sets that temperature's threshold, as
    ``all_or_none_search.nearest`` reads it (the declared parameters are scalars: hashable)."""
    rest = tuple(sorted((k, v) for k, v in p.items() if k not in _NOT_THRESHOLD))
    return [("gates-overlap", rest, float(t)) for t in temps]


def _thresholds(sim, params, tstop, temps, keys, samples, tolerance=1e-4, upper=200.0) -> np.ndarray:
    """1-ms pulse threshold at each temperature (uA/cm2): V overshoots 0 mV within the first
    ``samples`` samples of a run of ``tstop`` ms (a rung of the ladder, cut). The searches of the
    temperatures not remembered run together, ``POINTS`` amplitudes in all per batched run
    (``all_or_none_search``: the bisection's criterion and stopping rule), each seeded with the
    threshold remembered at the nearest temperature of the same setting, or at the same temperature
    with one other slider moved, or the line through the two nearest such (``predicted``: a
    temperature, delay or window step takes 1 or 2 rounds instead of 4; the seed is checked by the
    search, not trusted)."""
    import jax

    from excitable.experiments.excitability import all_or_none_search as finder

    known = [finder.recall(k) for k in keys]
    todo = [j for j, v in enumerate(known) if v is None]
    if todo:
        fn = sim.function(tstop, batched=True)
        k = finder.POINTS // len(todo)  # one batch of POINTS for one or two searches: one program
        n = len(todo) * k
        batch = jax.tree.map(lambda x: np.broadcast_to(x, (n, *np.shape(x))), params)
        batch["celsius"] = np.repeat(np.asarray(temps, float)[todo], k).reshape((n, *np.shape(params["celsius"])))

        def peaks_of(amps):  # (searches, POINTS) -> the peak V of each, one batched run
            out = np.asarray(fn({**batch, "iclamp_amp": amps.reshape(n, 1)}))[:, :samples, 0].max(axis=1)
            return out.reshape(amps.shape)

        seeds = [finder.predicted(keys[j]) for j in todo]
        found = finder.search(peaks_of, [upper] * len(todo), tolerance, SPIKE_LEVEL_MV, "amplitude", seeds)
        for j, v in zip(todo, found):
            finder.remember(keys[j], float(v))
            known[j] = float(v)
    return np.asarray(known, dtype=float)


def open_window(t, x, level) -> tuple[float, float]:
    """First interval where ``x`` exceeds ``level`` x its peak (crossings interpolated), ms."""
    from excitable.analysis import crossing_times

    thr = level * float(np.max(x))
    k = int(np.argmax(x))
    up = crossing_times(t[:k + 1], x[:k + 1], thr, direction="up")
    down = crossing_times(t[k:], x[k:], thr, direction="down")
    return (float(up[-1]) if up.size else float(t[0]), float(down[0]) if down.size else float(t[-1]))


def _measure(t, tr, gates, p, gna, cm) -> dict:
    from excitable.analysis import action_potential_summary

    ap = action_potential_summary(t, tr["v"], stimulus_onset_ms=p.delay)
    if not ap["n_spikes"]:
        raise ModelError("no action potential: the gates-overlap experiment needs a spike")
    p_na = tr[gates["m"]] ** 3 * tr[gates["h"]]
    p_k = tr[gates["n"]] ** 4
    na_on, na_off = open_window(t, p_na, p.level)
    k_on, k_off = open_window(t, p_k, p.level)
    overlap = max(0.0, min(na_off, k_off) - max(na_on, k_on))
    ina = [v for k, v in tr.items() if k.endswith(".ina")][0]
    sel = t >= p.delay
    # uA/cm2 x ms = nC/cm2: x 1e-3 for uC/cm2. INa at t = 0 is the resting Na+ leak.
    raw = -np.trapezoid(ina[sel], t[sel]) * 1e-3
    excess = -np.trapezoid(ina[sel] - ina[0], t[sel]) * 1e-3
    cm_dv = cm * (ap["peak_mV"] - ap["rest_mV"]) * 1e-3
    return {
        "overlap_ms": overlap,
        "na_open_window_ms": [na_on - p.delay, na_off - p.delay],
        "k_open_window_ms": [k_on - p.delay, k_off - p.delay],
        "peak_na_open": float(p_na.max()),
        "peak_k_open": float(p_k.max()),
        "peak_gna_mS_cm2": float(gna * p_na.max()),
        "rest_mV": ap["rest_mV"],
        "peak_mV": ap["peak_mV"],
        "cm_dv_uC_cm2": cm_dv,
        "na_charge_uC_cm2": excess,
        "na_charge_pmol_cm2": excess * 1e-6 / FARADAY * 1e12,
        "na_charge_ratio": excess / cm_dv,
        "na_charge_raw_uC_cm2": raw,
        "na_charge_raw_ratio": raw / cm_dv,
        "resting_ina_uA_cm2": float(ina[0]),
    }
