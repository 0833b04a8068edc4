"""Run every benchmark (each in its own process) and print one table of excitable vs NEURON.

The benchmarks (see each file's docstring for exactly what is timed):
  bench_single.py  one HH compartment, 1 s: warm run vs NEURON, first call with an empty / warm JAX cache
  bench_batch.py   1000 HH cells with different gNa, 1 s (vmap) vs 1000 NEURON sections
  bench_cli.py     `excitable run action-potential --json` vs the same NEURON script, as subprocesses
  bench_cable.py   a 1000-compartment HH axon (20 ms) and a 1460-compartment SWC tree (100 ms)
  bench_tour.py    `excitable tour` over every experiment, empty and warm compilation cache
  bench_network.py 1000 HH cells x 100 Exp2Syn synapses (NetCon), 1 s, vs NEURON (and Brian2 where it
                   imports; set BRIAN2_PYTHON to an interpreter that has it)
  bench_scale.py   issue 7 "Scale": N single compartments (float32/64), N cables, N copies of a CA1 tree,
                   gradients of 1000 cells, compile and SWC reading, vs Jaxley (where installed: the
                   `bench` extra, or JAXLEY_PYTHON) and NEURON; rates and ratios (about 4 min, --quick 2)
  bench_swc.py     SWC read + discretize of synthetic 1e3..1e5-point trees vs NEURON's Import3d
                   (about 1 min, --quick 15 s)
  bench_lab.py     `excitable lab` over HTTP: slider latencies, first page load, a 30-client classroom (about 2 min)
  bench_model.py   a downloaded model: 8 imported .mod mechanisms on allen-scnn1a (287 compartments), 110 ms,
                   warm run and the `model` experiment's rebuild, vs NEURON (CPU s; --profile: per-step cost)

"speed-up" is NEURON time / excitable time: above 1, excitable is faster.

Not run here (it times nothing): gpu_build.py compiles every fused GPU kernel to sm_90a machine
code without a GPU (PyPI's triton) and prints registers, spills and cells per multiprocessor.

Usage: python benchmarks/run_all.py [--quick] [--only single,batch,cli,cable,tour,network,scale,swc,lab,model]
       [--markdown]
(`make bench` runs it in full; --quick takes under a minute without scale, about 3 with it.)
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import _common as c

BENCHES = ("single", "batch", "cli", "cable", "tour", "network", "scale", "swc", "lab", "model")


def _field(path: str, key: str, sep: str) -> str:
    """The value of the first ``key<sep>value`` line of a text file ("" if absent)."""
    p = Path(path)
    lines = p.read_text().splitlines() if p.exists() else []
    return next((ln.split(sep, 1)[1].strip().strip('"') for ln in lines if ln.startswith(key)), "")


def machine() -> str:
    """CPU, cores, RAM, OS, Python and library versions, date: one line."""
    cpu = _field("/proc/cpuinfo", "model name", ":") or platform.processor()
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = []
    for dist in ("jax", "jaxlib", "numpy", "neuron"):
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist} not installed")
    osname = ", ".join(filter(None, [_field("/etc/os-release", "PRETTY_NAME", "="), platform.platform()]))
    return (f"{cpu}, {os.cpu_count()} cores, {ram:.0f} GiB RAM; {osname}; "
            f"Python {platform.python_version()}, {', '.join(versions)}; "
            f"{datetime.date.today().isoformat()}")


def run_bench(name: str, quick: bool) -> list[dict]:
    """Run one benchmark, echo its output, return its rows."""
    cmd = [c.PYTHON, str(Path(__file__).with_name(f"bench_{name}.py"))] + (["--quick"] if quick else [])
    print(f"\n$ {' '.join(Path(a).name if a.endswith('.py') else a for a in cmd[1:])}", flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=c.ROOT)
    rows = []
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            rows = json.loads(line[len("RESULT "):])
        else:
            print(line)
    if proc.returncode != 0:
        print(f"bench_{name}.py failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
        return [{"bench": name, "measure": "FAILED", "ours": None, "neuron": None, "speedup": None,
                 "goal": "", "met": False}]
    return rows


def table(rows: list[dict], markdown: bool) -> str:
    head = ["benchmark", "measure", "excitable", "NEURON", "speed-up", "goal", "met"]
    body = [[r["bench"], r["measure"], c.fmt_s(r["ours"]), c.fmt_s(r["neuron"]),
             "-" if r["speedup"] is None else f"{r['speedup']:.2f}x", r["goal"] or "-",
             {True: "yes", False: "NO", None: "-"}[r["met"]]] for r in rows]
    if markdown:
        return "\n".join("| " + " | ".join(line) + " |" for line in
                         [head, ["---"] * len(head), *body])
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)) for line in [head, *body])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, 100 ms batch")
    ap.add_argument("--only", default=",".join(BENCHES),
                    help="comma-separated subset of " + ", ".join(BENCHES))
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = set(names) - set(BENCHES)
    if unknown:
        ap.error(f"unknown benchmark {sorted(unknown)[0]!r}; choose from {', '.join(BENCHES)}")
    print(f"machine: {machine()}")
    rows = [r for name in names for r in run_bench(name, args.quick)]
    print("\n" + table(rows, args.markdown))
    return 1 if any(r["measure"] == "FAILED" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
