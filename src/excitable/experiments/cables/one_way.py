"""Why does the action potential travel one way only? Start spikes in the middle, and at both ends.

A spike moves because the depolarized membrane at its peak drives current along the core into its
neighbours on both sides. Ahead of the spike the membrane is at rest: its Na+ channels are ready
(h near 0.6), the local current brings it to threshold, and it fires. Behind the spike the membrane
has just fired: its Na+ channels are inactivated (h low) and its K+ channels are still open (n high),
so the same local current cannot make it fire again - it is refractory. The spike can therefore only
go forward, into fresh membrane.

Two protocols on one uniform HH axon:

(a) stimulus in the middle: the membrane on both sides is fresh, so two spikes leave, one each way,
    and neither comes back (each recording site sees exactly one spike; arrival times grow with the
    distance from the stimulus);
(b) stimuli at both ends at the same time (or ``end_delay_ms`` apart): the two spikes meet and each
    runs into the refractory wake of the other, so both die - nothing crosses the collision point
    and neither end sees a second spike. (That is how a collision test tells orthodromic from
    antidromic spikes in the lab.)

Default axon: HH 1952 squid giant axon membrane (diameter 476 µm, Ri 35.4 Ω cm, 6.3 °C), 10 cm
long so that the spike (about 2.5 cm from foot to repolarization at 12 m/s) is short compared with
the axon. Sealed ends; the spike does not reflect from them either.
"""

from __future__ import annotations

import math

import numpy as np

from excitable.errors import ModelError
from excitable.experiments.base import Values
from excitable.experiments.cables.declarations import ONE_WAY as EXPERIMENT
from excitable.experiments.cables.one_way_figure import plot_one_way
from excitable.model.cell import Cell
from excitable.model.morphology import Morphology
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp, Location
from excitable.physics.channels.hh import HH
from excitable.results import Result

DELAY_MS = 0.5
#: Resting specific membrane resistance of HH membrane, ohm*cm2 (1 / 0.68 mS/cm2 at -65 mV).
HH_RM_OHM_CM2 = 1470.0
#: A site counts a spike each time V crosses this level upward, mV.
SPIKE_LEVEL_MV = 0.0


def build(p: Values) -> Cell:
    """The uniform HH axon: one cylinder, sealed ends."""
    morph = Morphology.cylinder(length=p.length_um, diameter=p.diameter_um, region="axon", name="axon")
    cell = Cell(morph, dx_um=p.dx_um, ra=p.ra, name="HH axon").insert(HH())
    if cell.n > 20000:
        raise ModelError(f"length_um / dx_um gives {cell.n} compartments (> 20000); increase dx_um")
    return cell


def default_amplitude(p: Values) -> float:
    """nA: 3 x the current that holds the middle of the axon 30 mV above rest.

    The middle drives two half-cables, each of input conductance pi d^2 / (4 Ri lambda) with the
    resting lambda = sqrt(Rm d / (4 Ri)); 30 mV x that load is close to the threshold of a 0.5-ms pulse.
    """
    d_cm = p.diameter_um * 1e-4
    lam_cm = math.sqrt(HH_RM_OHM_CM2 * d_cm / (4.0 * p.ra))
    g_two_sides = 2.0 * math.pi * d_cm**2 / (4.0 * p.ra * lam_cm)  # S
    return 3.0 * 30.0 * g_two_sides * 1e6  # mV * uS = nA


def velocity_guess(p: Values) -> float:
    """m/s: 12.2 m/s for the squid axon at 6.3 degC, scaled by sqrt(d / Ri) and sqrt(rate)."""
    q10 = 3.0 ** ((p.temperature - 6.3) / 20.0)
    return max(0.02, 12.2 * math.sqrt(p.diameter_um / 476.0 * 35.4 / p.ra) * q10)


def run(**given) -> Result:
    """Run both protocols; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    L = p.length_um
    cell = build(p)
    amp = default_amplitude(p) if p.amplitude_nA is None else p.amplitude_nA
    shift = p.end_delay_ms
    cross_ms = L / (1000.0 * velocity_guess(p))
    tstop = p.tstop or DELAY_MS + abs(shift) + 1.2 * cross_ms + 5.0
    sim = Simulation(cell, dt=p.dt, temperature=p.temperature, v_init="rest")
    # Three unit clamps; each protocol switches some on through the gains (one compiled program).
    sim.stimulate(IClamp(Location(0, 0.5), 1.0, delay=DELAY_MS, duration=p.pulse))
    sim.stimulate(IClamp(Location(0, 0.0), 1.0, delay=DELAY_MS + max(0.0, -shift), duration=p.pulse))
    sim.stimulate(IClamp(Location(0, 1.0), 1.0, delay=DELAY_MS + max(0.0, shift), duration=p.pulse))
    comp = cell.compartments
    nodes = np.nonzero(comp.area_um2 > 0)[0]
    picks = nodes[np.unique(np.round(np.linspace(0, len(nodes) - 1, p.n_sites)).astype(int))]
    x = comp.x[picks] * L
    for k in picks:
        at = Location(0, float(comp.x[k]))
        for sig in ("v", "HH.h", "HH.n"):
            sim.record(sig, at, label=f"{sig}@{k}")
    import jax

    base = sim.parameters()
    batch = jax.tree.map(lambda a: np.broadcast_to(a, (2, *np.shape(a))), base)
    batch["iclamp_amp"] = amp * np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    res = sim.run_batch(tstop, batch)
    t = res.t
    V, H, N = (np.stack([res[f"{sig}@{k}"] for k in picks], axis=-1) for sig in ("v", "HH.h", "HH.n"))
    x_mid = float(comp.x[cell.node(Location(0, 0.5))] * L)
    summary = measure(t, V, x, x_mid, L, shift)
    summary.update(diameter_um=p.diameter_um, length_um=L, ra_ohm_cm=p.ra,
                   temperature_degC=p.temperature, stimulus_nA=amp, pulse_ms=p.pulse,
                   n_compartments=cell.n)
    traces = {}
    for b, name in enumerate(("middle", "ends")):
        for j in range(len(x)):
            traces[f"{name}: v at {x[j]:.0f} um (mV)"] = V[b, :, j]
    meta = dict(p, positions_um=x.tolist(), x_stim_um=x_mid, delay_ms=DELAY_MS, V=V, h=H, n=N,
                h_rest=float(H[0, 0, 0]), n_rest=float(N[0, 0, 0]))
    return Result(t=t, traces=traces, summary=summary, name=EXPERIMENT.name, meta=meta,
                  plotter=plot_one_way)


def spike_counts(t, V) -> np.ndarray:
    """Upward SPIKE_LEVEL_MV crossings at each site (last axis of V (time, site))."""
    from excitable.analysis import crossing_times

    return np.array([len(crossing_times(t, V[:, j], SPIKE_LEVEL_MV)) for j in range(V.shape[1])])


def _branch_velocity(x, ta, lo, hi) -> float | None:
    from excitable.analysis import conduction_velocity

    sel = (x >= lo) & (x <= hi) & np.isfinite(ta)
    return abs(conduction_velocity(x[sel], ta[sel])) if sel.sum() >= 3 else None


def measure(t, V, x, x_mid, L, shift) -> dict:
    """Spike counts and arrival times per site for both protocols, velocities, collision point."""
    from excitable.analysis import arrival_times

    counts_mid, counts_end = spike_counts(t, V[0]), spike_counts(t, V[1])
    ta_mid = arrival_times(t, V[0], SPIKE_LEVEL_MV)
    ta_end = arrival_times(t, V[1], SPIKE_LEVEL_MV)
    if not np.isfinite(ta_mid[np.argmin(np.abs(x - x_mid))]):
        raise ModelError("the middle stimulus did not start an action potential; raise amplitude_nA")
    if not (np.isfinite(ta_end[0]) and np.isfinite(ta_end[-1])):
        raise ModelError("the end stimuli did not start action potentials; raise amplitude_nA")
    half = 0.5 * L
    left, right = x < x_mid, x > x_mid
    # Outward: farther from the stimulus -> later, on each side (a spike turning back would break it).
    outward = bool(np.all(np.diff(ta_mid[right]) > 0) and np.all(np.diff(ta_mid[left]) < 0))
    v_right = _branch_velocity(x, ta_mid, x_mid + 0.2 * half, L - 0.2 * half)
    v_left = _branch_velocity(x, ta_mid, 0.2 * half, x_mid - 0.2 * half)

    # Collision: the site reached last; refined by intersecting straight-line fits of both branches.
    k = int(np.nanargmax(ta_end))
    x_c, t_c = float(x[k]), float(ta_end[k])
    lb = (x >= 0.1 * L) & (x <= x[k] - 0.1 * L)
    rb = (x >= x[k] + 0.1 * L) & (x <= 0.9 * L)
    if lb.sum() >= 3 and rb.sum() >= 3:
        s1, c1 = np.polyfit(x[lb], ta_end[lb], 1)
        s2, c2 = np.polyfit(x[rb], ta_end[rb], 1)
        if s1 > 0 > s2:
            x_c = float((c2 - c1) / (s1 - s2))
            t_c = float(s1 * x_c + c1)
    speeds = [v for v in (v_left, v_right) if v is not None]
    v_mean = float(np.mean(speeds)) if speeds else None
    expected = None if v_mean is None else float(np.clip(0.5 * (L + 1000.0 * v_mean * shift), 0, L))
    # Each end sees only its own spike: one crossing, and it comes before the collision.
    ends_own = bool(counts_end[0] == 1 and counts_end[-1] == 1 and ta_end[0] < t_c and ta_end[-1] < t_c)
    turned_back = bool(np.any(counts_mid > 1) or not outward or np.any(counts_end > 1))
    return {
        "middle_spikes_min_max": [int(counts_mid.min()), int(counts_mid.max())],
        "middle_n_spikes_per_site": counts_mid.tolist(),
        "middle_outward_on_both_sides": outward,
        "middle_velocity_left_m_s": v_left,
        "middle_velocity_right_m_s": v_right,
        "middle_arrival_times_ms": ta_mid.tolist(),
        "collision_spikes_min_max": [int(counts_end.min()), int(counts_end.max())],
        "collision_spikes_per_site": counts_end.tolist(),
        "collision_position_um": x_c,
        "collision_position_expected_um": expected,
        "collision_time_ms": t_c,
        "collision_ends_see_only_own_spike": ends_own,
        "collision_arrival_times_ms": ta_end.tolist(),
        "annihilated": bool(np.all(counts_end == 1) and ends_own),
        "turned_back": turned_back,
        "positions_um": x.tolist(),
    }
