"""NMODL import (issue 18): NEURON's hh.mod imported by ``ex.load_mod`` vs the built-in HH, and
the time to import a .mod file.

Workloads (the same for both mechanisms, one right after the other in this process, alternating,
median of ``--repeats`` warm calls; 6.3 degC, dt 0.025 ms, fixed step, V recorded at every step):
- single: one 20 x 20 um HH compartment, a 10 uA/cm2 step, 1 s;
- batch: 1000 such cells with gNa spread over 60..180 mS/cm2, 200 ms (``run_batch``: vmap);
- axon: one 1 um x 10 mm section, 1000 compartments, Ra 100 ohm cm, a 0.2 ms pulse at one end, 20 ms.
Import time: ``load_mod`` of each .mod file the neuron wheel installs that excitable runs (hh,
passive, and demo/release's cachan1, capump, nachan, khhchan, camchan, nacaex): the first call
(which also loads NEURON's NMODL framework) and each file after it.

Usage: python benchmarks/bench_nmodl.py [--quick] [--markdown]
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import numpy as np

import _common as c

SHARE = Path(next(iter(importlib.util.find_spec("neuron").submodule_search_locations))) / ".data" / "share"
FILES = [SHARE / "modfile" / f for f in ("hh.mod", "passive.mod")] + \
        [SHARE / "nrn" / "demo" / "release" / f"{n}.mod"
         for n in ("cachan1", "capump", "nachan", "khhchan", "camchan", "nacaex")]


def import_times() -> dict:
    from excitable.io.nmodl import load_mod

    first = c.timed(lambda: load_mod(FILES[0]))
    each = {f.name: c.timed(lambda f=f: load_mod(f)) for f in FILES}
    return {"first": first, "each": each}


def simulations(tstop_single, n_batch, tstop_batch, tstop_axon):
    """(label, builtin sim, run, imported sim, run) for each workload."""
    import excitable as ex
    from excitable.engine.batch import broadcast, with_param
    from excitable.io.nmodl import load_mod

    hh_mod = load_mod(FILES[0])
    out = []
    for label in ("single", "batch", "axon"):
        pair = []
        for mech, gpath, scale in ((ex.HH(), "HH.gNa", 1.0), (hh_mod(), "hh.gnabar", 1e-3)):
            if label == "axon":
                cell = ex.Cell(ex.Morphology.cylinder(length=10000.0, diameter=1.0, region="axon"),
                               nseg=1000, ra=100.0).insert(mech)
                sim = ex.Simulation(cell, dt=c.DT, temperature=c.CELSIUS, v_init=-65.0)
                sim.stimulate(ex.IClamp(ex.Location(0, 0.0), amplitude=0.5, delay=0.5, duration=0.2))
                sim.record("v", ex.Location(0, 0.5))
                pair.append((lambda sim=sim: sim.run(tstop_axon)["v"]))
                continue
            cell = ex.Cell.cylinder(length=c.LENGTH_UM, diameter=c.DIAMETER_UM).insert(mech)
            sim = ex.Simulation(cell, dt=c.DT, temperature=c.CELSIUS, v_init=-65.0)
            tstop = tstop_single if label == "single" else tstop_batch
            sim.stimulate(ex.IClamp(cell.soma, amplitude=c.density_to_nA(10.0), delay=0.0, duration=tstop))
            sim.record("v")
            if label == "single":
                pair.append((lambda sim=sim, t=tstop: sim.run(t)["v"]))
            else:
                batch = with_param(broadcast(sim.parameters(), n_batch), gpath,
                                   scale * np.linspace(60.0, 180.0, n_batch)[:, None])
                pair.append((lambda sim=sim, b=batch, t=tstop: sim.run_batch(t, b)["v"]))
        out.append((label, *pair))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    imp = import_times()
    sizes = (200.0, 100, 50.0, 10.0) if args.quick else (1000.0, 1000, 200.0, 20.0)
    rows = [c.row("nmodl", "load_mod, first file in a fresh process (imports JAX and NEURON's NMODL framework)", imp["first"], None),
            c.row("nmodl", "load_mod, each further file (largest of 8)", max(imp["each"].values()), None,
                  "< 0.2 s")]
    for name, t in imp["each"].items():
        print(f"load_mod {name}: {c.fmt_s(t)}")
    for label, builtin, imported in simulations(*sizes):
        same = np.max(np.abs(np.asarray(builtin()) - np.asarray(imported())))  # compiles both
        times = {"builtin": [], "imported": []}
        for _ in range(args.repeats):  # alternating, so load on the machine hits both alike
            times["builtin"].append(c.timed(builtin))
            times["imported"].append(c.timed(imported))
        b, i = (float(np.median(times[k])) for k in ("builtin", "imported"))
        print(f"{label}: built-in HH {c.fmt_s(b)}, imported hh.mod {c.fmt_s(i)}, ratio {i / b:.3f}, "
              f"largest |V difference| {same:.2e} mV")
        # "NEURON" column = the built-in HH here: speed-up >= 0.9 means within 10 %
        rows.append(c.row("nmodl", f"{label}: imported hh.mod (ours) vs built-in HH (reference column)", i, b,
                          "within 10 %", min_speedup=0.9))
    if args.markdown:
        for r in rows:
            sp = f"{r['speedup']:.2f}x" if r["speedup"] else "-"
            met = "-" if r["met"] is None else ("yes" if r["met"] else "no")
            print(f"| {r['bench']} | {r['measure']} | {c.fmt_s(r['ours'])} | {c.fmt_s(r['neuron'])} | {sp} | "
                  f"{r['goal'] or '-'} | {met} |")
    c.emit(rows)


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - t0:.1f} s")
