"""Cables and trees: excitable vs NEURON on the issue's two workloads, and what compiling costs.

Workloads (issue "Cables and real morphologies"), HH everywhere, 6.3 degC, dt 0.025 ms, fixed step:
- axon: one 1-um x 10-mm section with 1000 compartments (Ra 100 ohm*cm), a 0.2-ms pulse at one end,
  20 ms (the spike crosses the whole axon); V recorded at the middle.
- tree: deschutter-10-2012-02-09-001.CNG.swc through the SWC importers (ours and NEURON's Import3d),
  dx rule 10 um (1460 compartments), Ra 100, a 1-nA step at the soma for 100 ms; V at the soma.
Measured, in fresh processes sharing one new JAX_COMPILATION_CACHE_DIR (and so one new store of
compiled programs next to it, engine.programs): the first call with both empty (first-ever trace,
compile, store + run) and with them warm (load the stored executable + run: no tracing), and the
median warm run.
NEURON: finitialize + continuerun, and ParallelContext.psolve, in this process; the same spikes.

Usage: python benchmarks/bench_cable.py [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
import tempfile
from pathlib import Path

import _common as c

# The reconstructions shipped in the package (excitable/data/morphologies, names in
# excitable.io.morphologies), found without importing excitable, so that no timed import is warmed.
DATA = Path(importlib.util.find_spec("excitable").origin).parent / "data" / "morphologies"
SWC = DATA / "deschutter-10-2012-02-09-001.CNG.swc"  # "purkinje"
WORK = {"axon": dict(tstop=20.0), "tree": dict(tstop=100.0)}


def build_ours(kind: str):
    import excitable as ex

    if kind == "axon":
        cell = ex.Cell(ex.Morphology.cylinder(length=10000.0, diameter=1.0, region="axon"), nseg=1000, ra=100.0)
        cell.insert(ex.HH())
        stim = ex.IClamp(ex.Location(0, 0.0), amplitude=0.5, delay=0.5, duration=0.2)
        at = ex.Location(0, 0.5)
    else:
        cell = ex.Cell.from_swc(SWC, dx_um=10.0, ra=100.0).insert(ex.HH())
        stim = ex.IClamp(cell.soma, amplitude=1.0, delay=0.0, duration=100.0)
        at = cell.soma
    sim = ex.Simulation(cell, dt=c.DT, temperature=c.CELSIUS, v_init=-65.0)
    sim.stimulate(stim)
    sim.record("v", at, label="v")
    return sim, int((cell.compartments.area_um2 > 0).sum())


def child(kind: str, repeats: int) -> None:
    """Runs in a fresh process: first call and warm calls of our engine."""
    sim, ncomp = build_ours(kind)
    tstop = WORK[kind]["tstop"]
    first = c.timed(lambda: sim.run(tstop))
    warm = c.median_time(lambda: sim.run(tstop), repeats)
    print(json.dumps({"first": first, "warm": warm, "spikes": c.spike_count(sim.run(tstop)["v"]),
                      "ncomp": ncomp}))


def neuron(kind: str, repeats: int) -> dict | None:
    h = c.neuron_h()
    if h is None:
        return None
    keep = []
    if kind == "axon":
        sec = h.Section(name="axon")
        sec.L, sec.diam, sec.Ra, sec.nseg = 10000.0, 1.0, 100.0, 1000
        sec.insert("hh")
        stim = h.IClamp(sec(0))
        stim.amp, stim.delay, stim.dur = 0.5, 0.5, 0.2
        v = h.Vector().record(sec(0.5)._ref_v)
        keep += [sec, stim]
        ncomp = 1000
    else:
        h.load_file("import3d.hoc")
        reader = h.Import3d_SWC_read()
        reader.quiet = 1
        reader.input(str(SWC))

        class Owner:
            def __str__(self):
                return "cell"

        owner = Owner()
        h.Import3d_GUI(reader, 0).instantiate(owner)
        ncomp = 0
        for s in owner.all:
            s.Ra = 100.0
            n = max(1, math.ceil(s.L / 10.0 - 1e-9))
            s.nseg = n + (n % 2 == 0)
            s.insert("hh")
            ncomp += s.nseg
        soma = owner.soma[0]
        stim = h.IClamp(soma(0.5))
        stim.amp, stim.delay, stim.dur = 1.0, 0.0, 100.0
        v = h.Vector().record(soma(0.5)._ref_v)
        keep += [owner, stim, reader]
    c.neuron_setup(h)
    pc = h.ParallelContext()
    pc.set_maxstep(10.0)
    tstop = WORK[kind]["tstop"]

    continuerun, psolve = c.neuron_runners(h, tstop, pc)

    out = {"continuerun": c.median_time(continuerun, repeats), "spikes": c.spike_count(v.as_numpy()),
           "ncomp": ncomp}
    out["psolve"] = c.median_time(psolve, repeats)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child", choices=list(WORK))
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.repeats)
        return
    repeats = 2 if args.quick else args.repeats
    rows = []
    for kind in WORK:
        with tempfile.TemporaryDirectory(prefix="excitable-bench-cache-") as cache:
            env = {"JAX_COMPILATION_CACHE_DIR": cache}
            cmd = [__file__, "--child", kind, "--repeats", str(repeats)]
            cold, warm = c.child_json(cmd, env), c.child_json(cmd, env)
        ref = neuron(kind, repeats)
        label = f"{kind} ({cold['ncomp']} compartments, {WORK[kind]['tstop']:g} ms)"
        print(f"{label}: ours warm {c.fmt_s(warm['warm'])}, first-ever call {c.fmt_s(cold['first'])}, "
              f"first call with warm cache {c.fmt_s(warm['first'])}; spikes {cold['spikes']}")
        if ref:
            print(f"  NEURON continuerun {c.fmt_s(ref['continuerun'])}, psolve {c.fmt_s(ref['psolve'])}; "
                  f"spikes {ref['spikes']}, {ref['ncomp']} compartments")
        nrn = ref["continuerun"] if ref else None
        rows += [
            c.row(kind, f"{label}: run (warm) vs continuerun", warm["warm"], nrn, ">= 2x", 2.0),
            c.row(kind, f"{label}: run (warm) vs psolve", warm["warm"], ref["psolve"] if ref else None),
            c.row(kind, f"{label}: first-ever compile (first - warm, empty cache)",
                  cold["first"] - cold["warm"], None, "< 1 s"),
            c.row(kind, f"{label}: compile + run, warm cache, vs NEURON run", warm["first"], nrn,
                  "no slower than NEURON", 1.0),
        ]
        rows[-2]["met"] = rows[-2]["ours"] < 1.0
    c.emit(rows)


if __name__ == "__main__":
    sys.exit(main())
