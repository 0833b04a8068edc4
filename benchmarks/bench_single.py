"""Single HH compartment, 1 s: excitable vs NEURON, and what the first call costs.

Workload (issue "excitable core"): one 20 x 20 um cylinder with HH, 6.3 degC, dt 0.025 ms, 1 s
(40 000 steps), a 10 uA/cm2 step for the whole run, V recorded at every step (68 spikes).

Measured:
- excitable, in two fresh processes sharing one new JAX_COMPILATION_CACHE_DIR: the first with the
  cache empty (trace + XLA compile + run), the second with it warm (trace + load + run). In each:
  import time, first ``sim.run`` call, and the median warm call; compile time = first - warm.
- NEURON (where installed), in this process: ``h.usetable_hh = 0``, secondorder 0, finitialize(-65)
  + ``continuerun(1000)`` (the issue's reference), and for information ``ParallelContext.psolve``
  (the same stepping without the hoc loop of the standard run system) and the default rate tables.

Usage: python benchmarks/bench_single.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time

import _common as c

TSTOP = 1000.0
AMP_UA_CM2 = 10.0


def child(repeats: int) -> None:
    """Runs in a fresh process: time import, first call and warm calls of our engine."""
    t0 = time.perf_counter()
    import excitable as ex
    from excitable import backends  # noqa: F401  (imports jax, sets x64 + cache)

    counters = c.jax_counters()
    t_import = time.perf_counter() - t0
    cell = ex.Cell.cylinder(length=c.LENGTH_UM, diameter=c.DIAMETER_UM).insert(ex.HH())
    sim = ex.Simulation(cell, dt=c.DT, temperature=c.CELSIUS, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=c.density_to_nA(AMP_UA_CM2), delay=0.0, duration=TSTOP))
    sim.record("v")
    first = c.timed(lambda: sim.run(TSTOP))
    warm = c.median_time(lambda: sim.run(TSTOP), repeats)
    spikes = c.spike_count(sim.run(TSTOP)["v"])
    print(json.dumps({"import": t_import, "first": first, "warm": warm, "spikes": spikes, **counters}))


def ours(repeats: int) -> tuple[dict, dict]:
    """(empty-cache process, warm-cache process) measurements."""
    with tempfile.TemporaryDirectory(prefix="excitable-bench-cache-") as cache:
        env = {"JAX_COMPILATION_CACHE_DIR": cache}
        args = [__file__, "--child", "--repeats", str(repeats)]
        return c.child_json(args, env), c.child_json(args, env)


def neuron(repeats: int) -> dict | None:
    h = c.neuron_h()
    if h is None:
        return None
    sec, stim = c.neuron_hh_section(h, "soma", c.density_to_nA(AMP_UA_CM2), 0.0, TSTOP)
    v = h.Vector().record(sec(0.5)._ref_v)
    c.neuron_setup(h)
    pc = h.ParallelContext()
    pc.set_maxstep(10.0)

    def continuerun():
        h.finitialize(-65.0)
        h.continuerun(TSTOP)

    def psolve():
        h.finitialize(-65.0)
        pc.psolve(TSTOP)

    out = {"continuerun": c.median_time(continuerun, repeats), "spikes": c.spike_count(v.as_numpy())}
    out["psolve"] = c.median_time(psolve, repeats)
    h.usetable_hh = 1
    out["continuerun_tables"] = c.median_time(continuerun, repeats)
    h.usetable_hh = 0
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--repeats", type=int, default=None)
    args = ap.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 9)
    if args.child:
        return child(repeats)

    cold, warm = ours(repeats)
    nrn = neuron(repeats)
    run_s = min(cold["warm"], warm["warm"])
    print(f"single HH compartment, {TSTOP:g} ms, dt {c.DT} ms ({int(TSTOP / c.DT)} steps), "
          f"median of {repeats}")
    print(f"  excitable warm run          {c.fmt_s(run_s):>10}   ({warm['spikes']} spikes)")
    print(f"  excitable import            {c.fmt_s(warm['import']):>10}")
    for label, m in (("empty JAX cache", cold), ("warm JAX cache ", warm)):
        print(f"  first call, {label}  {c.fmt_s(m['first']):>10}   compile = first - warm "
              f"{c.fmt_s(m['first'] - m['warm'])}; persistent cache hits {m['cache_hits']}, "
              f"misses {m['cache_misses']}; trace {c.fmt_s(m['trace'])}, lower {c.fmt_s(m['lower'])}, "
              f"XLA compile/load {c.fmt_s(m['backend'])}")
    rows = [c.row("single", "run 1 s (warm) vs continuerun", run_s, nrn and nrn["continuerun"],
                  ">= 10x", 10.0)]
    if nrn:
        print(f"  NEURON continuerun          {c.fmt_s(nrn['continuerun']):>10}   ({nrn['spikes']} spikes)"
              f"   speed-up {nrn['continuerun'] / run_s:.1f}x")
        print(f"  NEURON pc.psolve            {c.fmt_s(nrn['psolve']):>10}   speed-up "
              f"{nrn['psolve'] / run_s:.1f}x")
        print(f"  NEURON continuerun, tables  {c.fmt_s(nrn['continuerun_tables']):>10}   speed-up "
              f"{nrn['continuerun_tables'] / run_s:.1f}x  (usetable_hh = 1: 69 spikes, not the same rates)")
        rows.append(c.row("single", "run 1 s (warm) vs pc.psolve", run_s, nrn["psolve"]))
    else:
        print("  NEURON not installed: no reference timing")
    rows += [
        c.row("single", "first call, empty JAX cache", cold["first"]),
        c.row("single", "compile (first - warm), empty cache", cold["first"] - cold["warm"]),
        c.row("single", "first call, warm JAX cache", warm["first"]),
        c.row("single", "compile (first - warm), warm cache", warm["first"] - warm["warm"]),
    ]
    c.emit(rows)


if __name__ == "__main__":
    sys.exit(main())
