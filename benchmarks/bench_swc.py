"""SWC reading + discretization: synthetic reconstructions of 1e3, 1e4, 1e5 points, ours vs NEURON.

Workload (issue 14, "a 100,000-point reconstruction in seconds"): a random binary tree grown from a
one-point soma (radius 6 um) with four stems (one axon, two basal, one apical dendrite); each branch
is an unbranched run of points 1-5 um apart (a random walk), radii 0.2-2 um tapering, then forks in
two. Two shapes of the same size:
- long: 10-50 points between branch points (like a real reconstruction; 1e5 points ~ 3300 sections);
- short: 1-3 points between branch points (a section every ~2 points: the worst case for anything
  done per section; 1e5 points ~ 50 000 sections).
The files are written once to a temporary folder (seed 0, the same for every run).

Timed, each file in a fresh process after the imports: ours ``Morphology.from_swc(path)``, then
``discretize(morph, d_lambda=0.1)`` (NEURON's d_lambda rule at 100 Hz, Ra 35.4, cm 1) and
``discretize(morph, dx_um=5)``; NEURON (if installed) ``Import3d_SWC_read().input`` +
``Import3d_GUI.instantiate``, then nseg by the same d_lambda rule on every section and
``finitialize`` (where NEURON computes areas and axial resistances). The total nseg of both sides is
printed: they must be equal (the same rule on the same geometry). Median of 3 runs (1 at 1e5 points).

Usage: python benchmarks/bench_swc.py [--quick] [--sizes 1000,20000] [--shapes long,short]
       [--no-neuron]
(``--quick``: 1e3 and 1e4 points. Run with another source tree first on PYTHONPATH to time it: the
script uses only ``Morphology.from_swc`` and ``discretize``, which every version has.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import _common as c

SHAPES = {"long": (10, 50), "short": (1, 3)}  # points between branch points


def synthetic_swc(n_points: int, points_per_branch: tuple[int, int], seed: int = 0) -> str:
    """The text of a random branched SWC tree of ``n_points`` points (see the module docstring)."""
    rng = np.random.default_rng(seed)
    lines = ["# synthetic: benchmarks/bench_swc.py", "1 1 0 0 0 6 -1"]
    xyz = np.zeros((n_points, 3))
    tips = []  # (parent id, SWC type, direction, radius) of branches still to grow
    for typ in (2, 3, 3, 4):
        u = rng.normal(size=3)
        tips.append((1, typ, u / np.linalg.norm(u), rng.uniform(0.8, 2.0)))
    n = 1
    while n < n_points:
        pid, typ, u, r = tips.pop(int(rng.integers(len(tips))))
        for _ in range(min(int(rng.integers(points_per_branch[0], points_per_branch[1] + 1)), n_points - n)):
            u = u + 0.3 * rng.normal(size=3)
            u /= np.linalg.norm(u)
            xyz[n] = xyz[pid - 1] + rng.uniform(1.0, 5.0) * u
            r = float(np.clip(r * rng.uniform(0.97, 1.01), 0.2, 2.0))
            n += 1
            lines.append(f"{n} {typ} {xyz[n - 1, 0]:.3f} {xyz[n - 1, 1]:.3f} {xyz[n - 1, 2]:.3f} {r:.3f} {pid}")
            pid = n
        for _ in range(2):
            v = u + 0.5 * rng.normal(size=3)
            tips.append((pid, typ, v / np.linalg.norm(v), max(0.8 * r, 0.2)))
    return "\n".join(lines) + "\n"


def child_ours(path: str, repeats: int) -> dict:
    from excitable.model.discretize import discretize
    from excitable.model.morphology import Morphology

    out = {"read": [], "d_lambda": [], "dx": []}
    for _ in range(repeats):
        t0 = time.perf_counter()
        m = Morphology.from_swc(path)
        t1 = time.perf_counter()
        c_dl = discretize(m, d_lambda=0.1)
        t2 = time.perf_counter()
        c_dx = discretize(m, dx_um=5.0)
        t3 = time.perf_counter()
        out["read"].append(t1 - t0)
        out["d_lambda"].append(t2 - t1)
        out["dx"].append(t3 - t2)
    return {**{k: statistics.median(v) for k, v in out.items()}, "sections": len(m.sections),
            "nseg": int(c_dl.nseg.sum()), "n_d_lambda": c_dl.n, "n_dx": c_dx.n}


def child_neuron(path: str, repeats: int) -> dict:
    h = c.neuron_h()
    if h is None:
        return {}
    h.load_file("import3d.hoc")

    class Owner:
        def __str__(self):
            return "cell"

    times, setup = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        reader = h.Import3d_SWC_read()
        reader.quiet = 1
        reader.input(path)
        owner = Owner()
        h.Import3d_GUI(reader, 0).instantiate(owner)
        t1 = time.perf_counter()
        nseg = 0
        for sec in owner.all:
            sec.Ra, sec.cm = 35.4, 1.0
            sec.nseg = int((sec.L / (0.1 * h.lambda_f(100, sec=sec)) + 0.9) / 2) * 2 + 1
            nseg += sec.nseg
        h.finitialize(-65.0)
        t2 = time.perf_counter()
        times.append(t1 - t0)
        setup.append(t2 - t1)
        sections = len(list(owner.all))
        for sec in list(owner.all):
            h.delete_section(sec=sec)
    return {"import3d": statistics.median(times), "d_lambda": statistics.median(setup),
            "sections": sections, "nseg": nseg}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1e3 and 1e4 points only")
    ap.add_argument("--sizes", default=None, help="comma-separated point counts (default 1e3,1e4,1e5)")
    ap.add_argument("--shapes", default="long,short", help="comma-separated: " + ", ".join(SHAPES))
    ap.add_argument("--no-neuron", action="store_true")
    ap.add_argument("--child", choices=["ours", "neuron"], help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    ap.add_argument("--repeats", type=int, default=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        fn = child_ours if args.child == "ours" else child_neuron
        print(json.dumps(fn(args.path, args.repeats)))
        return
    sizes = [int(float(s)) for s in (args.sizes or ("1e3,1e4" if args.quick else "1e3,1e4,1e5")).split(",")]
    shapes = [s.strip() for s in args.shapes.split(",")]
    import excitable

    print(f"excitable from {Path(excitable.__file__).parent}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape in shapes:
            for n in sizes:
                path = Path(tmp) / f"{shape}-{n}.swc"
                path.write_text(synthetic_swc(n, SHAPES[shape]))
                repeats = ["--repeats", str(1 if n >= 50_000 else 3)]
                ours = c.child_json([__file__, "--child", "ours", "--path", str(path), *repeats])
                nrn = {} if args.no_neuron else \
                    c.child_json([__file__, "--child", "neuron", "--path", str(path), *repeats])
                total = ours["read"] + ours["d_lambda"]
                nrn_total = nrn["import3d"] + nrn["d_lambda"] if nrn else None
                print(f"{shape:5s} {n:>7d} points, {ours['sections']:>6d} sections: read {c.fmt_s(ours['read'])}, "
                      f"d_lambda=0.1 {c.fmt_s(ours['d_lambda'])} ({ours['n_d_lambda']} nodes, nseg "
                      f"{ours['nseg']}), dx_um=5 {c.fmt_s(ours['dx'])} ({ours['n_dx']} nodes)"
                      + (f" | NEURON Import3d {c.fmt_s(nrn['import3d'])}, nseg + finitialize "
                         f"{c.fmt_s(nrn['d_lambda'])} ({nrn['sections']} sections, nseg {nrn['nseg']})"
                         if nrn else ""), flush=True)
                if nrn and (nrn["nseg"], nrn["sections"]) != (ours["nseg"], ours["sections"]):
                    print(f"  NOTE: NEURON made {nrn['sections']} sections / nseg {nrn['nseg']}, we "
                          f"{ours['sections']} / {ours['nseg']}")
                r = c.row("swc", f"{shape} {n:.0e} points: read + discretize (d_lambda=0.1)", total, nrn_total,
                          goal="< 10 s" if n >= 100_000 else "")
                if n >= 100_000:
                    r["met"] = total < 10.0
                rows.append(r)
                rows.append(c.row("swc", f"{shape} {n:.0e} points: discretize (dx_um=5)", ours["dx"]))
    c.emit(rows)


if __name__ == "__main__":
    sys.exit(main())
