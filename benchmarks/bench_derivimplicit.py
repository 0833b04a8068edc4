"""NMODL derivimplicit (issue 18): NEURON's own Newton loop, traced (io/nmodl/solvers.py), against
NEURON running the same file, tests/reference/mod/nm_implicit.mod (two nonlinear states).

Workloads (dt 0.025 ms, 16 degC, V recorded at every step; a 0.005-nA step from 2 ms):
- single: one 10 x 10 um compartment, 1 s (40,000 steps);
- cable: one 10 um x 1 mm section, 100 compartments, 200 ms;
- batch: 100 single compartments with k spread over 0.1..0.5 /ms, 200 ms (``run_batch``: vmap;
  NEURON: 100 sections).
Times are CPU seconds (time.process_time: the machine is shared, and CPU time is less inflated by
the others' load than wall time), median of ``--repeats`` warm runs; NEURON's by
ParallelContext.psolve (its fixed steps in C). ``--old SOLVERS.py`` times another version of
io/nmodl/solvers.py in its place (e.g. ``git show a255266:src/excitable/io/nmodl/solvers.py``: the
exact-Jacobian loop of 4 iterations it replaced).

Usage: python benchmarks/bench_derivimplicit.py [--repeats 5] [--old PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from _common import cpu  # noqa: E402 (the script's folder is on sys.path)
MOD = ROOT / "tests" / "reference" / "mod" / "nm_implicit.mod"
WORKLOADS = {"single": (1, 1000.0, 1), "cable": (100, 200.0, 1), "batch": (1, 200.0, 100)}  # nseg, ms, cells


def ours(nseg: int, tstop: float, cells: int):
    import jax.numpy as jnp

    import excitable as ex
    from excitable.io.nmodl import load_mod

    cell = ex.Cell.cylinder(length=10.0 * nseg, diameter=10.0, nseg=nseg).insert(load_mod(MOD)())
    sim = ex.Simulation(cell, dt=0.025, temperature=16.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.005, delay=2.0, duration=20.0))
    sim.record("v")
    if cells == 1:
        return lambda: sim.run(tstop)
    params = ex.with_param(ex.broadcast(sim.parameters(), cells), "nm_implicit.k", jnp.linspace(0.1, 0.5, cells))
    return lambda: sim.run_batch(tstop, params, kernel="scan")


def neuron(nseg: int, tstop: float, cells: int):
    from tests.reference.nrnmech import compiled

    import neuron as nrn
    from neuron import h

    if not hasattr(h, "nm_implicit"):
        nrn.load_mechanisms(str(compiled([MOD], "nrnmech-bench-implicit")), warn_if_already_loaded=False)
    keep = []
    for c in range(cells):
        sec = h.Section(name=f"implicit{nseg}_{c}")
        sec.L, sec.diam, sec.nseg = 10.0 * nseg, 10.0, nseg
        sec.insert("nm_implicit")
        sec(0.5).nm_implicit.k = 0.1 + 0.4 * c / max(cells - 1, 1)
        stim = h.IClamp(sec(0.5 / nseg))
        stim.amp, stim.delay, stim.dur = 0.005, 2.0, 20.0
        keep += [sec, stim, h.Vector().record(sec(0.5 / nseg)._ref_v)]
    h.dt, h.secondorder, h.celsius = 0.025, 0, 16.0
    pc = h.ParallelContext()
    pc.set_maxstep(10.0)

    def run():
        h.finitialize(-65.0)
        pc.psolve(tstop)
    run.keep = keep
    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--old", type=Path, help="another solvers.py to time in place of ours")
    args = ap.parse_args()
    if args.old:
        from excitable.io.nmodl import solvers

        spec = importlib.util.spec_from_file_location("old_solvers", args.old)
        old = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(old)
        solvers.solve = old.solve  # mechanism.py calls solvers.solve at trace time
    label = f"ours ({args.old.name})" if args.old else "ours"
    print(f"| workload | {label}, CPU s | NEURON, CPU s | ours / NEURON |")
    print("| --- | --- | --- | --- |")
    for name, (nseg, tstop, cells) in WORKLOADS.items():
        a = cpu(ours(nseg, tstop, cells), args.repeats)
        b = cpu(neuron(nseg, tstop, cells), args.repeats)  # NEURON's sections stay: built last, run alone
        print(f"| {name}: {cells} x {nseg} compartment(s), {tstop:g} ms | {a:.3f} | {b:.3f} | {a / b:.1f} |",
              flush=True)


if __name__ == "__main__":
    main()
