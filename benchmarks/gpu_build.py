"""Compile every fused kernel to GPU machine code on a machine without a GPU, and report its resources.

The tests lower the kernels for CUDA and run Triton's verifier on the modules (tests/engine); what
needs more than that is compiling them: Triton's passes down to PTX, then NVIDIA's assembler
(ptxas) to machine code. This script does both without a GPU, with PyPI's ``triton`` package
(its compiler and the ptxas it ships), and prints what the assembler reports per kernel:
registers per thread, spilled bytes, shared memory, and how many program instances (thread
blocks) a multiprocessor can then hold at once (by registers, 65536 per multiprocessor on
sm_80 .. sm_90, and threads, 2048), which bounds how many cells a GPU works on at a time.

Caveat: on a GPU the kernels are compiled by the Triton built into jaxlib, not PyPI's; the
two share the input (the Triton module Pallas writes, here passed as text) but may differ in
version, so this shows that the kernels compile and what they cost, not the exact figures of the
jaxlib build.

Kernels: the workloads of ``bench_scale.py``: single compartments (``engine.kernels.single``, a
block of 128 cells per program; also carrying a forward-mode tangent, ``fused_function``),
100-compartment cables (``engine.kernels.nodes`` by cyclic reduction, and ``engine.kernels.lanes``'
one lane per cell), the 705-node CA1 cell (``engine.kernels.nodes`` level by level, and one lane per cell);
float64 and float32 each. With ``--imported``: single compartments with HH and one imported NMODL
mechanism per way NEURON solves a step with a linear system (tests/reference/mod: KINETIC sparse,
linear and nonlinear; derivimplicit; LINEAR and NONLINEAR in BREAKPOINT), whose solves the kernels unroll
(io/nmodl/site_systems.py).

Usage: pip install triton; python benchmarks/gpu_build.py [--arch 90] [--imported]   (the target: sm_90a)
Needs: the private JAX hook of tests/engine/conftest.py (``jax._src.pallas.triton``).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The reconstructions shipped in the package (excitable/data/morphologies, names in
# excitable.io.morphologies), found without importing excitable, so that no timed import is warmed.
DATA = Path(importlib.util.find_spec("excitable").origin).parent / "data" / "morphologies"
REGISTERS_PER_SM, THREADS_PER_SM, BLOCKS_PER_SM = 65536, 2048, 32  # sm_80 .. sm_90


def models():
    """(name, simulation, kernel) for each workload; kernel: "single", "tangent" (the single-
    compartment kernel carrying a forward-mode tangent), "lanes" or "nodes"."""
    import excitable as ex

    one = ex.Simulation(ex.Cell.cylinder().insert(ex.HH()), dt=0.025)
    one.stimulate(ex.IClamp(one.network.cells[0].soma, amplitude=0.5, delay=1.0, duration=10.0)).record("v")
    cable = ex.Simulation(ex.Cell(ex.Morphology.cylinder(length=1000.0, diameter=1.0), nseg=100).insert(ex.HH()),
                          dt=0.025)
    cable.stimulate(ex.IClamp(ex.Location(0, 0.0), amplitude=0.5, delay=1.0, duration=10.0))
    cable.record("v", ex.Location(0, 1.0))
    ca1 = ex.Simulation(ex.Cell.from_swc(DATA / "turner-ca1-n120.swc", d_lambda=0.1).insert(ex.HH()), dt=0.025)
    ca1.stimulate(ex.IClamp(ca1.network.cells[0].soma, amplitude=0.5, delay=1.0, duration=10.0)).record("v")
    return [("single", one, "single"), ("single, with a tangent", one, "tangent"),
            ("cable, cyclic reduction", cable, "nodes"),
            ("cable, lane per cell", cable, "lanes"), ("CA1, levels", ca1, "nodes"),
            ("CA1, lane per cell", ca1, "lanes")]


#: The imported workloads (--imported): test file -> (what it solves per step, a state recorded
#: beside V: nm_steady carries no current, so without it XLA would drop the mechanism).
IMPORTED = {"nm_kinetic": ("KINETIC sparse, linear", "O"), "nm_steady": ("KINETIC sparse, nonlinear", "C"),
            "nm_implicit": ("derivimplicit", "p"), "nm_linear_bp": ("LINEAR in BREAKPOINT", "O"),
            "nm_nonlinear_bp": ("NONLINEAR in BREAKPOINT", "free")}


def imported_models():
    """(name, simulation, "single") with HH and one imported mechanism (IMPORTED) each."""
    import excitable as ex

    folder = Path(__file__).resolve().parents[1] / "tests" / "reference" / "mod"
    out = []
    for name, (what, state) in IMPORTED.items():
        cell = ex.Cell.cylinder().insert(ex.HH()).insert(ex.load_mod(folder / f"{name}.mod")())
        sim = ex.Simulation(cell, dt=0.025)
        sim.stimulate(ex.IClamp(cell.soma, amplitude=0.5, delay=1.0, duration=10.0)).record("v")
        sim.record(f"{name}.{state}")
        out.append((f"single + {name} ({what})", sim, "single"))
    return out


def lower(sim, kernel: str, dtype):
    """(Triton module text, num_warps, num_stages, cells per program) of one workload's kernel."""
    import jax
    from jax._src.pallas.triton import pallas_call_registration as registration

    from excitable.engine.batch import broadcast
    from excitable.engine.kernels.common import BLOCK
    from excitable.engine.kernels.lanes import run_fused_tree
    from excitable.engine.kernels.nodes import run_fused_nodes
    from excitable.engine.kernels.single import run_fused
    from excitable.engine.grad import astype

    modules = []
    original = registration.lowering.lower_jaxpr_to_triton_module

    def keep(*args, **kw):
        modules.append(original(*args, **kw))
        return modules[-1]

    run = {"single": lambda p, d: run_fused(sim.plan, p, d, dt=sim.dt, block=BLOCK, interpret=False),
           "tangent": lambda p, d: run_fused(sim.plan, p, d, dt=sim.dt, block=BLOCK, interpret=False, tangents=p),
           "lanes": lambda p, d: run_fused_tree(sim.plan, p, d, dt=sim.dt, block=BLOCK, interpret=False),
           "nodes": lambda p, d: run_fused_nodes(sim.plan, p, d, dt=sim.dt, interpret=False)}[kernel]
    params = astype(broadcast(sim.parameters(), 2 * BLOCK), dtype)
    registration.lowering.lower_jaxpr_to_triton_module = keep
    try:
        text = jax.jit(run).trace(params, sim.drive(1.0)).lower(lowering_platforms=("cuda",)).as_text()
    finally:
        registration.lowering.lower_jaxpr_to_triton_module = original
    [module] = modules
    warps = int(re.search(r"num_warps = (\d+)", text).group(1))
    stages = int(re.search(r"num_stages = (\d+)", text).group(1))
    return str(module.module), warps, stages, 1 if kernel == "nodes" else BLOCK


def assemble(ttir: str, warps: int, stages: int, arch: int, work: Path) -> dict:
    """Compile a Triton module to PTX and assemble it; the assembler's figures for the kernel."""
    import triton
    from triton.backends.compiler import GPUTarget

    src = work / "kernel.ttir"
    src.write_text(ttir)
    t0 = time.perf_counter()
    compiled = triton.compile(str(src), target=GPUTarget("cuda", arch, 32),
                              options={"num_warps": warps, "num_stages": stages})
    seconds = time.perf_counter() - t0  # Triton's passes, PTX and its own ptxas run (the cubin)
    ptx = work / "kernel.ptx"
    ptx.write_text(compiled.asm["ptx"])
    bin_dir = Path(triton.__file__).parent / "backends" / "nvidia" / "bin"
    # The newest assembler shipped: Triton's PTX may need a newer ISA than its older ptxas reads.
    ptxas = next(p for p in (bin_dir / "ptxas-blackwell", bin_dir / "ptxas") if p.exists())
    out = subprocess.run([str(ptxas), f"-arch=sm_{arch}a", "-v", str(ptx), "-o", str(work / "kernel.cubin")],
                         capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr.strip().splitlines()[0])
    lines = out.stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if "'kernel'" in line)
    report = " ".join(lines[start:start + 4])
    number = lambda pattern: int(m.group(1)) if (m := re.search(pattern, report)) else 0  # noqa: E731
    regs = number(r"Used (\d+) registers")
    return {"registers": regs, "spill": number(r"(\d+) bytes spill stores"),
            "shared": compiled.metadata.shared, "seconds": seconds,
            "programs_per_sm": min(REGISTERS_PER_SM // (regs * warps * 32), THREADS_PER_SM // (warps * 32),
                                   BLOCKS_PER_SM)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", type=int, default=90, help="compute capability x 10 (default 90: H100)")
    ap.add_argument("--imported", action="store_true", help="single compartments with imported NMODL solvers")
    args = ap.parse_args(argv)
    # Compile every time (Triton keeps compiled kernels in ~/.triton/cache: a hit takes 10 ms).
    os.environ["TRITON_ALWAYS_COMPILE"] = "1"
    try:
        import triton
    except ImportError:
        print("gpu_build: needs PyPI's triton (pip install triton)", file=sys.stderr)
        return 2
    os.environ.setdefault("TRITON_DEFAULT_FP_FUSION", "1")  # Triton's default, stated (no warning)
    import numpy as np

    print(f"Triton {triton.__version__}, target sm_{args.arch}a")
    width = 58 if args.imported else 26
    print(f"{'kernel':{width}s} {'dtype':8s} {'warps':>5s} {'stages':>6s} {'registers':>9s} {'spill B':>7s} "
          f"{'shared B':>8s} {'programs/SM':>11s} {'cells/SM':>8s} {'compile s':>9s}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, sim, kernel in (imported_models() if args.imported else models()):
            for dtype in (np.float64, np.float32):
                ttir, warps, stages, cells = lower(sim, kernel, dtype)
                r = assemble(ttir, warps, stages, args.arch, Path(tmp))
                print(f"{name:{width}s} {np.dtype(dtype).name:8s} {warps:5d} {stages:6d} {r['registers']:9d} "
                      f"{r['spill']:7d} {r['shared']:8d} {r['programs_per_sm']:11d} "
                      f"{r['programs_per_sm'] * cells:8d} {r['seconds']:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
