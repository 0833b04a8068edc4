"""1000 HH cells with different gNa, 1 s: excitable (one vmapped run) vs NEURON (1000 sections).

Workload: 1000 independent 20 x 20 um HH compartments, 6.3 degC, dt 0.025 ms, gNa spread evenly over
60..180 mS/cm2, each with a 10 uA/cm2 step for the whole run; V of every cell recorded at every step
((1000, 40001) float64, 320 MB on each side).

Measured:
- excitable: ``sim.run_batch(tstop, params)`` with a batch of parameter sets (``broadcast`` +
  ``with_param("HH.gNa", ...)``), i.e. ``jax.vmap`` of the jitted time loop; the first call (compile +
  run, with an empty persistent cache) and the median warm call.
- NEURON (where installed): 1000 sections, each with hh and an IClamp, ``h.usetable_hh = 0``,
  secondorder 0, finitialize(-65) + ``continuerun`` (and ``ParallelContext.psolve`` for information),
  one thread.
Both report the total spike count, so the two runs are checked to be the same workload.

Usage: python benchmarks/bench_batch.py [--quick] [--cells N] [--tstop MS]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

import numpy as np

import _common as c

AMP_UA_CM2 = 10.0


def gna_values(n: int) -> np.ndarray:
    return np.linspace(60.0, 180.0, n)  # mS/cm2


def ours(n: int, tstop: float, repeats: int) -> dict:
    import excitable as ex
    from excitable.engine.batch import broadcast, with_param

    cell = ex.Cell.cylinder(length=c.LENGTH_UM, diameter=c.DIAMETER_UM).insert(ex.HH())
    sim = ex.Simulation(cell, dt=c.DT, temperature=c.CELSIUS, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=c.density_to_nA(AMP_UA_CM2), delay=0.0, duration=tstop))
    sim.record("v")
    batch = with_param(broadcast(sim.parameters(), n), "HH.gNa", gna_values(n)[:, None])
    first = c.timed(lambda: sim.run_batch(tstop, batch))
    warm = c.median_time(lambda: sim.run_batch(tstop, batch), repeats)
    spikes = c.spike_count(sim.run_batch(tstop, batch)["v"])
    return {"first": first, "warm": warm, "spikes": spikes}


def neuron(n: int, tstop: float, repeats: int) -> dict | None:
    h = c.neuron_h()
    if h is None:
        return None
    cells = [c.neuron_hh_section(h, f"cell{i}", c.density_to_nA(AMP_UA_CM2), 0.0, tstop, gna)
             for i, gna in enumerate(gna_values(n))]
    vecs = [h.Vector().record(sec(0.5)._ref_v) for sec, _ in cells]
    c.neuron_setup(h)
    pc = h.ParallelContext()
    pc.set_maxstep(10.0)

    continuerun, psolve = c.neuron_runners(h, tstop, pc)

    out = {"continuerun": c.median_time(continuerun, repeats)}
    out["spikes"] = c.spike_count(np.array([v.as_numpy() for v in vecs]))
    out["psolve"] = c.median_time(psolve, repeats)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="100 ms instead of 1 s, one repeat")
    ap.add_argument("--cells", type=int, default=1000)
    ap.add_argument("--tstop", type=float, default=None, help="ms (default 1000, --quick 100)")
    args = ap.parse_args(argv)
    tstop = args.tstop or (100.0 if args.quick else 1000.0)
    repeats = 1 if args.quick else 3
    n = args.cells

    with tempfile.TemporaryDirectory(prefix="excitable-bench-cache-") as cache:
        os.environ["JAX_COMPILATION_CACHE_DIR"] = cache  # an empty cache: the first call compiles
        mine = ours(n, tstop, repeats)
    nrn = neuron(n, tstop, repeats)
    per = mine["warm"] / n
    print(f"{n} HH cells, {tstop:g} ms, dt {c.DT} ms ({int(tstop / c.DT)} steps), V recorded, "
          f"median of {repeats}")
    print(f"  excitable run_batch (warm)  {c.fmt_s(mine['warm']):>10}   per cell {c.fmt_s(per)}   "
          f"({mine['spikes']} spikes in all)")
    print(f"  excitable first call        {c.fmt_s(mine['first']):>10}   compile = first - warm "
          f"{c.fmt_s(mine['first'] - mine['warm'])}")
    label = f"{n} cells x {tstop:g} ms, per cell"
    rows = [c.row("batch", f"{label} vs continuerun", per, nrn and nrn["continuerun"] / n, "> 1x", 1.0)]
    if nrn:
        for key in ("continuerun", "psolve"):
            print(f"  NEURON {key:<20} {c.fmt_s(nrn[key]):>10}   per cell {c.fmt_s(nrn[key] / n)}   "
                  f"speed-up {nrn[key] / mine['warm']:.1f}x")
        print(f"  NEURON spikes in all        {nrn['spikes']:>10}")
        rows.append(c.row("batch", f"{label} vs pc.psolve", per, nrn["psolve"] / n))
    else:
        print("  NEURON not installed: no reference timing")
    rows.append(c.row("batch", f"compile (first - warm), {n} cells", mine["first"] - mine["warm"]))
    c.emit(rows)


if __name__ == "__main__":
    sys.exit(main())
