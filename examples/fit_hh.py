"""Fit a passive + HH model to a noisy, real-looking recording.

1. Build the model: one 20 x 20 um compartment with HH's Na+ and K+ channels and a separate
   passive leak (``Leak``: g, e), as a NEURON user would insert ``hh`` (gl = 0) and ``pas``.
2. Make the "recording": the same cell with conductances unknown to the fit, a hyperpolarizing
   step, then two brief suprathreshold pulses; add 1 mV of Gaussian noise (seed ``--seed``).
3. Fit HH.gNa, HH.gK, Leak.g, Leak.e and the capacitance cm, each within bounds, starting from
   textbook values, by L-BFGS on the mean squared difference of the traces (gradients in forward
   mode through the simulation: five tangents carried beside the run, so memory does not grow
   with the trace length).
4. Print the truth, the start, the fit and the errors; with --plot, show both traces.

Run: python examples/fit_hh.py [--seed 7] [--plot]
"""

from __future__ import annotations

import argparse

import numpy as np

import excitable as ex
from excitable import fit

# mS/cm2, mV, uF/cm2: the cell that made the recording, and where the fit starts.
TRUTH = {"HH.gNa": 105.0, "HH.gK": 31.0, "Leak.g": 0.26, "Leak.e": -56.0, "cm": 1.1}
START = {"HH.gNa": 120.0, "HH.gK": 36.0, "Leak.g": 0.3, "Leak.e": -54.3, "cm": 1.0}
BOUNDS = {"HH.gNa": (40.0, 300.0), "HH.gK": (10.0, 100.0), "Leak.g": (0.02, 2.0),
          "Leak.e": (-80.0, -40.0), "cm": (0.5, 2.0)}
TSTOP = 40.0  # ms
NOISE_MV = 1.0


def build() -> ex.Simulation:
    """Step 1: the model and the protocol (what the experimenter did)."""
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH(gL=0.0)).insert(ex.Leak(g=0.3, e=-54.3))
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init="rest")
    nA = cell.density_to_nA(1.0, cell.soma)  # 1 uA/cm2, in nA
    sim.stimulate(ex.IClamp(cell.soma, amplitude=-4.0 * nA, delay=2.0, duration=8.0))
    sim.stimulate(ex.IClamp(cell.soma, amplitude=20.0 * nA, delay=15.0, duration=1.0))
    sim.stimulate(ex.IClamp(cell.soma, amplitude=20.0 * nA, delay=28.0, duration=1.0))
    sim.record("v")
    return sim


def recording(sim: ex.Simulation, seed: int) -> np.ndarray:
    """Step 2: the truth's trace plus noise, as an amplifier would record it."""
    p = sim.parameters()
    for name, value in TRUTH.items():
        p = ex.with_param(p, name, np.full(np.shape(ex.get_param(p, name)), value))
    v = sim.run(TSTOP, params=p)["v"]
    return v + np.random.default_rng(seed).normal(0.0, NOISE_MV, v.shape)


def main(seed: int = 7, steps: int = 60, plot: bool = False) -> dict:
    sim = build()
    v_rec = recording(sim, seed)
    # Step 3: fit from the textbook values.
    res = fit(sim, TSTOP, BOUNDS, target=v_rec, init=START, optimizer="lbfgs", steps=steps)
    # Step 4: report.
    print(f"{'parameter':10s} {'truth':>9s} {'start':>9s} {'fit':>9s} {'error':>8s}")
    errors = {}
    for name, value in res.values.items():
        errors[name] = value / TRUTH[name] - 1.0
        print(f"{name:10s} {TRUTH[name]:9.4g} {START[name]:9.4g} {value:9.4g} {100 * errors[name]:7.2f}%")
    rms = float(np.sqrt(res.loss))
    print(f"residual rms {rms:.3f} mV (noise {NOISE_MV} mV), {len(res.history)} iterations")
    if plot:
        import matplotlib.pyplot as plt

        fitted = sim.run(TSTOP, params=res.params)
        plt.plot(fitted.t, v_rec, lw=0.5, label="recording")
        plt.plot(fitted.t, fitted["v"], label="fit")
        plt.xlabel("t (ms)")
        plt.ylabel("V (mV)")
        plt.legend()
        plt.show()
    return {"values": res.values, "errors": errors, "rms_mV": rms}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=7, help="seed of the recording's noise")
    ap.add_argument("--steps", type=int, default=60, help="optimizer iterations")
    ap.add_argument("--plot", action="store_true")
    a = ap.parse_args()
    main(a.seed, a.steps, a.plot)
