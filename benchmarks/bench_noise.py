"""Random numbers in imported .mod files (issue 18): noisy trials of a cell driven by a fluctuating
conductance, Destexhe et al. 2001's Gfluct2 form (tests/reference/mod/pt_ou.mod: an OU conductance
stepped by normrand in a SOLVE'd PROCEDURE), ours beside NEURON running the same file.

Workload: one hh compartment (20 x 20 µm, 6.3 °C, dt 0.025 ms) with pt_ou (g0 0.01 µS, sd 0.003 µS,
tau 2 ms, e 0 mV), V recorded at every step, ``--trials`` trials of ``--tstop`` ms, each with its own
draws: ours one ``run_batch`` over as many seeds (``jax.vmap``), NEURON one run per trial (its
stream goes on from trial to trial) and, its other way, as many cells in one run. Times are CPU seconds (time.process_time: the machine is shared),
median of ``--repeats`` warm runs; usetable_hh = 0 in NEURON, as the tests compare.

Usage: python benchmarks/bench_noise.py [--trials 100] [--tstop 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from _common import cpu  # noqa: E402 (the script's folder is on sys.path)
OU = ROOT / "tests" / "reference" / "mod" / "pt_ou.mod"


def ours(trials: int, tstop: float):
    import jax

    import excitable as ex
    from excitable.io.nmodl import load_mod

    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())
    cell.place(load_mod(OU)(), cell.soma)
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3)
    sim.record("v")
    params = jax.tree.map(lambda a: np.stack([np.asarray(a)] * trials), sim.parameters())
    params["seed"] = np.arange(trials, dtype=np.uint32)
    return lambda: sim.run_batch(tstop, params)


def neuron(trials: int, tstop: float):
    import neuron as nrn
    from neuron import h

    from tests.reference.nrnmech import compiled

    if not hasattr(h, "pt_ou"):
        nrn.load_mechanisms(str(compiled([OU], "nrnmech-bench-noise")), warn_if_already_loaded=False)
    h.load_file("stdrun.hoc")
    h.usetable_hh = 0
    sec = h.Section(name="noise")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    ou = h.pt_ou(sec(0.5))
    v = h.Vector().record(sec(0.5)._ref_v)
    h.dt, h.secondorder, h.celsius = 0.025, 0, 6.3

    def run():
        for _ in range(trials):
            h.finitialize(-65.0)
            h.continuerun(tstop)
        return v, ou, sec
    return run


def neuron_cells(trials: int, tstop: float):
    """NEURON's other way to run trials at once: as many cells in one run (each its own pt_ou)."""
    from neuron import h

    neuron(1, tstop)  # the mechanisms
    secs = [h.Section(name=f"noise_{k}") for k in range(trials)]
    keep = []
    for sec in secs:
        sec.L = sec.diam = 20.0
        sec.insert("hh")
        keep += [h.pt_ou(sec(0.5)), h.Vector().record(sec(0.5)._ref_v)]

    def run():
        h.finitialize(-65.0)
        h.continuerun(tstop)
        return keep, secs
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--tstop", type=float, default=1000.0)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    t_ours = cpu(ours(a.trials, a.tstop), a.repeats)
    t_nrn = cpu(neuron(a.trials, a.tstop), a.repeats)
    t_cells = cpu(neuron_cells(a.trials, a.tstop), a.repeats)
    print(f"{a.trials} noisy trials x {a.tstop:g} ms (hh + pt_ou, dt 0.025 ms), CPU s: excitable (one batch) "
          f"{t_ours:.3f}; NEURON one run per trial {t_nrn:.3f} (speed-up {t_nrn / t_ours:.2f}), {a.trials} cells "
          f"in one run {t_cells:.3f} (speed-up {t_cells / t_ours:.2f})")


if __name__ == "__main__":
    main()
