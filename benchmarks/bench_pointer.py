"""NMODL POINTER (issue 18): gap junctions as pairs of ModelDB-style gap.mod point processes
(tests/io/nmodl/mod_events/pt_gap.mod: i = (v - vgap)/r, vgap a POINTER to the partner's V), ours
(``Network.pointer``) beside the built-in ``Network.gap_junction`` of the same conductance and
beside NEURON running the same file with ``h.setpointer``.

Workloads (hh, 20 x 20 µm compartments, 6.3 °C, dt 0.025 ms, the first cell driven at 25 µA/cm²
from 5 ms, V of the last cell recorded at every step; r = 10 MΩ):
- pair: two cells, 1 s (40,000 steps);
- chain: 20 cells, each coupled to the next, 200 ms.
Times are CPU seconds (time.process_time: the machine is shared), median of ``--repeats`` warm runs;
NEURON's by ParallelContext.psolve (usetable_hh = 0, as the tests compare).

Usage: python benchmarks/bench_pointer.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from _common import cpu  # noqa: E402 (the script's folder is on sys.path)
GAP = ROOT / "tests" / "io" / "nmodl" / "mod_events" / "pt_gap.mod"
WORKLOADS = {"pair": (2, 1000.0), "chain": (20, 200.0)}  # cells, ms
R_MOHM = 10.0
AMP_NA = 25.0 * math.pi * 20.0 * 20.0 * 1e-5  # 25 µA/cm² on a 20 x 20 µm compartment


def ours(n: int, tstop: float, pointer: bool):
    import excitable as ex
    from excitable.io.nmodl import load_mod

    gap = load_mod(GAP)
    cells = [ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH()) for _ in range(n)]
    net = ex.Network(cells)
    for k in range(n - 1):
        if pointer:
            halves = gap(r=R_MOHM), gap(r=R_MOHM)
            cells[k].place(halves[0], cells[k].soma)
            cells[k + 1].place(halves[1], cells[k + 1].soma)
            net.pointer(halves[0], "vgap", ex.Site(k + 1, cells[k + 1].soma))
            net.pointer(halves[1], "vgap", ex.Site(k, cells[k].soma))
        else:
            net.gap_junction(k, k + 1, 1000.0 / R_MOHM)  # nS
    sim = ex.Simulation(net, dt=0.025, temperature=6.3)
    sim.stimulate(ex.IClamp(cells[0].soma, amplitude=AMP_NA, delay=5.0, duration=tstop))
    sim.record("v", ex.Site(n - 1, cells[-1].soma))
    return lambda: sim.run(tstop)


def neuron(n: int, tstop: float):
    import neuron as nrn
    from neuron import h

    from tests.reference.nrnmech import compiled

    if not hasattr(h, "pt_gap"):
        nrn.load_mechanisms(str(compiled([GAP], "nrnmech-bench-pointer")), warn_if_already_loaded=False)
    h.usetable_hh = 0
    secs = []
    for c in range(n):
        sec = h.Section(name=f"pointer{n}_{c}")
        sec.L = sec.diam = 20.0
        sec.insert("hh")
        secs.append(sec)
    keep = list(secs)
    for a, b in itertools.pairwise(secs):
        for sec, partner in ((a, b), (b, a)):
            half = h.pt_gap(sec(0.5))
            half.r = R_MOHM
            h.setpointer(partner(0.5)._ref_v, "vgap", half)
            keep.append(half)
    stim = h.IClamp(secs[0](0.5))
    stim.amp, stim.delay, stim.dur = AMP_NA, 5.0, tstop
    keep += [stim, h.Vector().record(secs[-1](0.5)._ref_v)]
    h.dt, h.secondorder, h.celsius = 0.025, 0, 6.3
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
    args = ap.parse_args()
    print("| workload | ours, gap.mod pair (POINTER), CPU s | ours, built-in gap_junction, CPU s | "
          "NEURON, gap.mod pair, CPU s | POINTER / NEURON |")
    print("| --- | --- | --- | --- | --- |")
    for name, (n, tstop) in WORKLOADS.items():
        a = cpu(ours(n, tstop, pointer=True), args.repeats)
        b = cpu(ours(n, tstop, pointer=False), args.repeats)
        c = cpu(neuron(n, tstop), args.repeats)
        print(f"| {name}: {n} cells, {tstop:g} ms | {a:.3f} | {b:.3f} | {c:.3f} | {a / c:.1f} |", flush=True)


if __name__ == "__main__":
    main()
