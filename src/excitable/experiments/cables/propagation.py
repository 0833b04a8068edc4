"""How does the action potential travel? A spike started at one end runs down an HH axon.

Depolarization at the active site spreads along the core to the next stretch of membrane (local
circuit currents); once that patch reaches threshold its own Na+ channels open and it regenerates the
spike, which in turn depolarizes the next patch. Velocity grows with diameter (about as its square
root: a thicker core has a lower axial resistance per unit length, so current reaches farther).

All or none: away from the ends every site reaches the same peak (within 2 mV). The two ends differ
for reasons that are not the spike's own: at the stimulated end the pulse's current adds to the
spike's, and at the sealed far end no membrane lies beyond to draw the axial current away, so the
last millimetres charge higher. ``interior_peak_spread_mV`` measures the interior (the same 25-75 %
window as the velocity); the ends are reported apart.

Presets: ``squid`` (HH 1952 giant axon: diameter 476 µm (radius 238), Ri 35.4 Ω cm, 18.5 °C, stimulated at
one end; HH computed 18.8 m/s, measured 21.2 m/s, modern fine-grid solutions 18.2 m/s) and
``axon`` (a 20-µm soma with a thin HH axon, stimulated at the soma).
"""

from __future__ import annotations

import numpy as np

from excitable.errors import ModelError
from excitable.experiments.base import Values
from excitable.experiments.cables.declarations import PROPAGATION as EXPERIMENT
from excitable.experiments.cables.declarations import PROPAGATION_PRESETS as PRESETS
from excitable.experiments.cables.propagation_figure import plot_propagation
from excitable.model.cell import Cell
from excitable.model.morphology import Morphology
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp, Location
from excitable.physics.channels.hh import HH
from excitable.results import Result

DELAY_MS = 0.5


def build(p: Values) -> tuple[Cell, Location, int]:
    """The cell, the stimulus location, and the index of the axon section."""
    if p.soma:
        morph = Morphology.ball_and_stick(soma_diameter=20.0, axon_length=p.length_um,
                                          axon_diameter=p.diameter_um)
        axon, stim_at = 1, Location(0, 0.5)
    else:
        morph = Morphology.cylinder(length=p.length_um, diameter=p.diameter_um, region="axon")
        axon, stim_at = 0, Location(0, 0.0)
    nseg = p.ncomp if p.ncomp is not None else max(3, int(np.ceil(p.length_um / p.dx_um)))
    nseg_all = [1, nseg] if p.soma else [nseg]
    cell = Cell(morph, nseg=nseg_all, ra=p.ra).insert(HH())
    return cell, stim_at, axon


def run(**given) -> Result:
    p = EXPERIMENT.resolve(given)
    preset = PRESETS[p.preset]
    p = p.replace(**{k: v for k, v in preset.items() if p.get(k) is None})  # the preset fills the gaps
    cell, stim_at, axon = build(p)
    L = p.length_um
    amp = p.amplitude_nA if p.amplitude_nA is not None else default_amplitude(p, cell, stim_at)
    tstop = p.tstop or DELAY_MS + 3.0 + 2.0 * L / (1000.0 * _velocity_guess(p))
    sim = Simulation(cell, dt=p.dt, temperature=p.temperature, v_init="rest")
    sim.stimulate(IClamp(stim_at, amplitude=amp, delay=DELAY_MS, duration=p.pulse))
    # Record at node centres (evenly spread), so positions are exact rather than rounded to a node.
    comp = cell.compartments
    on_axon = np.nonzero((comp.section == axon) & (comp.area_um2 > 0))[0]
    picks = on_axon[np.unique(np.round(np.linspace(0, len(on_axon) - 1, p.n_sites)).astype(int))]
    xs = comp.x[picks]
    labels = [f"v@{x * L:.0f}um" for x in xs]
    for x, lbl in zip(xs, labels):
        sim.record("v", Location(axon, float(x)), label=lbl)
    res = run_cut(sim, tstop) if p.tstop is None else sim.run(tstop)
    res.name = EXPERIMENT.name
    V = np.stack([res[lbl] for lbl in labels], axis=1)
    summary = measure(res.t, V, xs * L, L)
    summary.update(peak_profile(V, xs * L, L))
    summary.update(preset=p.preset, diameter_um=p.diameter_um, length_um=L, ra_ohm_cm=p.ra,
                   temperature_degC=p.temperature, n_compartments=cell.n,
                   stimulus_nA=amp)
    if p.preset == "squid":
        summary["hh1952_computed_m_s"] = 18.8
        summary["hh1952_measured_m_s"] = 21.2
    res.summary = summary
    res.meta.update(p, positions_um=(xs * L).tolist())
    res.plotter = plot_propagation
    return res


def run_length(n: int) -> int:
    """Steps to run for ``n`` wanted: the next of a ladder of lengths (powers of 2 and 1.5 x powers
    of 2, at most 50 % more), so that a default tstop that follows the temperature and diameter
    meets a handful of compiled programs instead of one per slider position. Beyond two chunks the
    engine runs fixed-size chunks anyway (``engine.run.CHUNK_STEPS``): no ladder needed there."""
    from excitable.engine.run import CHUNK_STEPS

    if n > 2 * CHUNK_STEPS:
        return n
    k = max(0, (n - 1).bit_length() - 1)  # 2**k < n <= 2**(k+1), n >= 2
    return n if n <= 1 else (3 << k >> 1 if n <= 3 << k >> 1 else 2 << k)


def run_cut(sim: Simulation, tstop: float) -> Result:
    """``sim.run(tstop)``'s Result, computed by a run of ``run_length`` steps cut after ``tstop``:
    the same scan step by step, so the same samples (the cut run's first samples are this run's)."""
    from excitable.engine.run import n_steps

    n = n_steps(tstop, sim.dt)
    res = sim.run(run_length(n) * sim.dt)
    res.t = res.t[: n + 1]
    res.traces = {k: v[: n + 1] for k, v in res.traces.items()}  # samples first (unbatched)
    return res


#: The default pulse, in units of the current that holds the stimulated site 30 mV above rest.
STIMULUS_FACTOR = 5.0
#: Resting specific membrane resistance of HH membrane, ohm*cm2 (1 / 0.68 mS/cm2 at -65 mV).
HH_RM_OHM_CM2 = 1470.0


def default_amplitude(p, cell: Cell, stim_at: Location) -> float:
    """nA: five times the current that holds the stimulated site 30 mV above rest.

    The load is the cable's input conductance G = pi d^2 / (4 Ri lambda) (x2 when the stimulus is in
    the middle) plus the membrane of the stimulated node; the factor 5 covers the short pulse (about
    twice what starts a spike). Ten times drove the stimulated end to +64 mV, far above the spike's
    own +25 mV: a stimulus artefact where the figure should show an all-or-none peak.
    """
    d_cm = p.diameter_um * 1e-4
    lam_cm = np.sqrt(HH_RM_OHM_CM2 * d_cm / (4.0 * p.ra))
    g_cable = np.pi * d_cm**2 / (4.0 * p.ra * lam_cm)  # S
    g_node = cell.area_um2(stim_at) * 1e-8 / HH_RM_OHM_CM2  # S
    return float(STIMULUS_FACTOR * 30.0 * (g_cable + g_node) * 1e6)  # mV * uS = nA


def _velocity_guess(p) -> float:
    """m/s: sqrt-of-diameter scaling from the squid axon's 18 m/s at 476 um and 18.5 degC."""
    q10 = 3.0 ** ((p.temperature - 18.5) / 20.0)  # velocity scales ~ sqrt(rate)
    return max(0.05, 18.0 * np.sqrt(p.diameter_um / 476.0 * 35.4 / p.ra) * q10)


def measure(t, V, x_um, L) -> dict:
    """Arrival times (upward 0-mV crossing) per site and the velocity between 25 % and 75 % of L."""
    from excitable.analysis import arrival_times, conduction_velocity

    ta = arrival_times(t, V, 0.0)
    mid = (x_um >= 0.25 * L) & (x_um <= 0.75 * L) & np.isfinite(ta)
    if mid.sum() < 2:
        raise ModelError("no action potential crossed the middle of the axon; raise amplitude_nA")
    velocity = conduction_velocity(x_um[mid], ta[mid])
    return {
        "velocity_m_s": velocity,
        "velocity_window": "arrival times (0 mV crossings) between 25 % and 75 % of the length",
        "arrival_times_ms": ta.tolist(),
        "reached_end": bool(np.isfinite(ta[-1])),
    }


def peak_profile(V, x_um, L) -> dict:
    """Peak V per site; their spread over the interior (25-75 % of L, as the velocity); the two ends.

    The first site's peak includes the stimulus; the last is raised by the sealed end (no axial
    current leaves it), so neither belongs to the all-or-none comparison.
    """
    peaks = V.max(axis=0)
    interior = (x_um >= 0.25 * L) & (x_um <= 0.75 * L)
    return {
        "peaks_mV": [round(float(v), 3) for v in peaks],
        "interior_peak_mV": float(np.mean(peaks[interior])),
        "interior_peak_spread_mV": float(np.ptp(peaks[interior])),
        "stimulated_end_peak_mV": float(peaks[0]),
        "sealed_end_peak_mV": float(peaks[-1]),
    }
