"""What is the undershoot for? It resets the Na+ channels for the next spike.

During a spike the Na+ channels inactivate: their inactivation gate h closes (h falls from about 0.6 to
near 0.1 in the squid axon), and an inactivated channel cannot open again however much the membrane is
depolarized. Before the cell can fire again, h has to reopen, which it does at a rate that depends on
the voltage: the more negative V is, the faster h recovers (its time constant tau_h is shorter) and the
further it goes (its steady value h_inf is larger).

The undershoot (afterhyperpolarization) is exactly such a negative voltage. The K+ channels that
ended the spike close slowly, so for several milliseconds V sits below rest, near E_K, and h recovers
there faster and further than it would at rest. When the cell is next pushed toward threshold, more
Na+ channels are available, and the next spike comes sooner and is bigger. (The undershoot also makes
the cell harder to excite while it lasts, because V is further from threshold: the two effects
compete, and the h effect is why the undershoot helps a cell fire again.)

The experiment fires one spike, then a test pulse after a chosen interval, in two copies of the same
cell: a control, and one whose undershoot is removed by a voltage clamp that holds V at rest from the
moment V falls back to rest until the test pulse (a "clamped" cell: the same spike, no undershoot).
It records h, the fraction of Na+ channels available, and the size of the test spike at each
interval. With the clamp h recovers along the closed form h_inf(rest) - (h_inf - h0) exp(-t / tau_h),
tau_h at rest, a reference the test checks.

Model: the squid axon (HH 1952, 6.3 degC) by default: its undershoot is deep (11 mV below rest) and
h_inf at rest only 0.6, so the undershoot's role is large and plain; the textbook neuron (``model=
textbook``, 37 degC) has a shallow undershoot (6 mV) and h_inf near 1 at rest, where the undershoot
speeds recovery (tau_h 2.0 vs 2.9 ms) rather than deepening it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from excitable.errors import ModelError
from excitable.experiments.base import Values
from excitable.experiments.common.models import gate_labels, single_compartment
from excitable.experiments.excitability.more_declarations import UNDERSHOOT_RECOVERY as EXPERIMENT
from excitable.experiments.excitability.undershoot_recovery_figure import plot_undershoot_recovery
from excitable.model.network import Network, Site
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp, VClamp
from excitable.results import Result

DEFAULT_AMPLITUDE = {"hh": 20.0, "textbook": 14.0}  # uA/cm2, 1 ms: about 2x each model's threshold
DEFAULT_TEST = {"hh": 12.0, "textbook": 10.0}  # uA/cm2, 1 ms: fires a rested cell, fails in the refractory period
PULSE_MS = 1.0
SPIKE_MV = 0.0  # a test response that crosses this is a spike


@dataclass(frozen=True)
class HeldFrom(VClamp):
    """A VClamp whose levels start at ``start`` ms instead of 0 (off before): holds V from then on."""

    start: float = 0.0

    def command(self, t_mid):
        return super().command(np.asarray(t_mid) - self.start)


def intervals(p: Values) -> np.ndarray:
    """The test intervals, ms (pulse onset to pulse onset): ``n_intervals`` from ``first`` to ``last``."""
    # On a 0.5-ms grid (readable labels) that is also a whole number of steps.
    grid = max(0.5, p.dt)
    return np.unique(np.round(np.geomspace(p.first_interval, p.last_interval, p.n_intervals) / grid) * grid)


def _single(p: Values, temperature: float, amplitude: float) -> tuple[float, float, dict]:
    """One spike in one cell: (rest mV, when V falls back through rest after it, ms, traces)."""
    model = single_compartment(p.model)
    cell = model.cell
    sim = Simulation(cell, dt=p.dt, temperature=temperature, v_init="rest")
    sim.stimulate(IClamp(cell.soma, cell.density_to_nA(amplitude, cell.soma), p.delay, PULSE_MS))
    gates = gate_labels(p.model)
    sim.record("v", label="v")
    for g in ("h", "n"):
        sim.record(gates[g], label=g)
    res = sim.run(p.delay + p.last_interval + 10.0)
    v, t = res["v"], res.t
    rest = float(v[0])
    k = np.nonzero((t > p.delay) & (v > SPIKE_MV))[0]
    if not len(k):
        raise ModelError(f"amplitude {amplitude} uA/cm2 does not fire the {p.model} cell: raise amplitude")
    below = np.nonzero((t > t[k[-1]]) & (v <= rest))[0]
    if not len(below):
        raise ModelError(f"the {p.model} cell does not return to rest after its spike")
    return rest, float(t[below[0]]), {"t": t, "v": v, "h": res["h"], "n": res["n"]}


def build(p: Values, temperature: float, amplitude: float, test: float, rest: float, t_rest: float):
    """2 x len(intervals) + 1 cells: control and clamped pairs of pulses, one clamped cell with no test."""
    net = Network()
    cells = [(kind, float(dt_test)) for kind in ("control", "clamped") for dt_test in intervals(p)]
    cells.append(("clamped", None))  # the clamped h trace, undisturbed by a test pulse
    tstop = p.delay + p.last_interval + 10.0
    for _ in cells:
        net.add(single_compartment(p.model).cell)
    sim = Simulation(net, dt=p.dt, temperature=temperature, v_init="rest")
    gate = gate_labels(p.model)["h"]
    for i, (kind, dt_test) in enumerate(cells):
        cell = net.cells[i]
        nA = cell.density_to_nA(1.0, cell.soma)
        sim.stimulate(IClamp(cell.soma, amplitude * nA, p.delay, PULSE_MS), cell=i)
        t_test = tstop if dt_test is None else p.delay + dt_test
        if dt_test is not None:
            sim.stimulate(IClamp(cell.soma, test * nA, t_test, PULSE_MS), cell=i)
        if kind == "clamped" and t_test > t_rest:
            sim.stimulate(HeldFrom(cell.soma, ((t_test - t_rest, rest),), start=t_rest), cell=i)
        label = f"{kind} {'no test' if dt_test is None else f'{dt_test:g} ms'}"
        sim.record("v", Site(i, cell.soma), label=f"v {label}")
        sim.record(f"{gate}", Site(i, cell.soma), label=f"h {label}")
    return sim, cells, tstop


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    model = single_compartment(p.model)
    temperature = model.temperature if p.temperature is None else p.temperature
    amplitude = DEFAULT_AMPLITUDE[p.model] if p.amplitude is None else p.amplitude
    test = DEFAULT_TEST[p.model] if p.test_amplitude is None else p.test_amplitude
    if p.last_interval <= p.first_interval:
        raise ModelError(f"last_interval ({p.last_interval} ms) must exceed first_interval ({p.first_interval} ms)")
    rest, t_rest, single = _single(p, temperature, amplitude)
    sim, cells, tstop = build(p, temperature, amplitude, test, rest, t_rest)
    res = sim.run(tstop)
    res.name = EXPERIMENT.name
    res.meta.update(p, temperature=temperature, amplitude=amplitude, test_amplitude=test, rest_mV=rest,
                    clamp_from_ms=t_rest, cells=cells, single=single)
    res.summary = summarize(res, p, rest, t_rest, single)
    res.plotter = plot_undershoot_recovery
    return res


def _recovered_at(ivals, fired) -> float | None:
    """The shortest interval from which every longer one fires too, ms (None if the longest fails)."""
    fired = np.asarray(fired, bool)
    if not fired[-1]:
        return None
    k = len(fired) - 1
    while k > 0 and fired[k - 1]:
        k -= 1
    return float(ivals[k])


def summarize(res: Result, p: Values, rest: float, t_rest: float, single: dict) -> dict:
    t, tr = res.t, res.traces
    ivals = intervals(p)
    out = {"model": p.model, "rest_mV": rest, "clamp_from_ms": t_rest, "intervals_ms": ivals.tolist()}
    v1 = single["v"]
    k_min = int(np.argmin(np.where(t > t_rest, v1, np.inf)))
    out["undershoot_mV"] = float(v1[k_min])
    out["undershoot_below_rest_mV"] = rest - float(v1[k_min])
    out["h_at_rest"] = float(single["h"][0])
    out["h_min"] = float(single["h"].min())
    for kind in ("control", "clamped"):
        peaks, h_test, fired = [], [], []
        for dt_test in ivals:
            k0 = int(np.searchsorted(t, p.delay + dt_test))  # the last sample before the test pulse
            v = tr[f"v {kind} {dt_test:g} ms"]
            peak = float(v[k0:k0 + int(round(5.0 / p.dt))].max())
            peaks.append(peak)
            fired.append(peak > SPIKE_MV)
            h_test.append(float(tr[f"h {kind} {dt_test:g} ms"][k0]))
        out[f"test_peak_mV_{kind}"] = peaks
        out[f"h_at_test_{kind}"] = h_test
        out[f"fired_{kind}"] = fired
        out[f"recovered_from_ms_{kind}"] = _recovered_at(ivals, fired)
    # h a fixed time after the spike, with and without the undershoot: the availability of Na+ channels.
    k5 = int(np.searchsorted(t, t_rest + p.compare_after))
    out["compare_after_ms"] = p.compare_after
    out["h_later_control"] = float(single["h"][k5])
    out["h_later_clamped"] = float(tr["h clamped no test"][k5])
    out["test_spike_verdict"] = _verdict(out)
    out.update(h_closed_form(p.model, res.meta["temperature"], rest, out["undershoot_mV"]))
    return out


def _verdict(s: dict) -> str:
    """The test spike's recovery with and without the undershoot, in words (the answer's last clause)."""
    ctl, clamped = s["recovered_from_ms_control"], s["recovered_from_ms_clamped"]
    if ctl is not None and (clamped is None or ctl < clamped):
        return (f"the test spike fires again from {ctl:g} ms instead of "
                f"{'never' if clamped is None else f'{clamped:g} ms'} without it")
    return ("yet here the test pulse fires sooner without the undershoot: being below rest, with K+ channels "
            "still open, outweighs the h gained (the two effects compete)")


def h_closed_form(model: str, temperature: float, rest: float, trough: float) -> dict:
    """The model's own h_inf(V) and tau_h(V) at rest and at the undershoot's trough (ms)."""
    cell = single_compartment(model).cell
    name = gate_labels(model)["h"].split(".")[0]
    mech = cell.mechanisms[name]
    out = {}
    for where, v in (("rest", rest), ("undershoot", trough)):
        h_inf, tau = (float(x) for x in mech.gates(np.float64(v), temperature)["h"])
        out[f"h_inf_{where}"] = h_inf
        out[f"tau_h_{where}_ms"] = tau
    return out
