"""Scale (issue 7): many cells, cables and trees, gradients, compile and SWC reading -- excitable vs
Jaxley (and NEURON on the CPU) in one run, with rates and ratios.

Every model: HH (1952, NEURON's ``hh`` with exact rates) at 6.3 degC, dt 0.025 ms, fixed step, backward
Euler for V, V starting at -65 mV with the gates at steady state (NEURON's finitialize). Jaxley's
``jaxley.channels.HH`` has the same rate functions, reversal potentials and leak as NEURON's hh at 6.3 degC
(its conductances are in S/cm2: ours / 1000). Only V at one compartment per cell is recorded, at every
step, and comes back to the host as a NumPy array on every side (the time of one run includes that copy).

Workloads (``N`` per mode below):
- single: N independent 20 x 20 um HH compartments, 100 ms, each with a 10 uA/cm2 step for the whole run
  and its own gNa (60..180 mS/cm2 evenly), in float32 and in float64. Rate: cell-steps per second.
- cables: N unbranched cables, 1 um x 1000 um, 100 compartments, Ra 100 ohm*cm, each with its own gNa
  (100..140 mS/cm2), a 0.5-nA 0.2-ms pulse at one end (the 0-end; Jaxley: its first compartment) at
  0.5 ms, V at the other end (the spike crosses the cable: one spike per cable), 20 ms, float64.
  Rate: compartment-steps per second.
- tree: N copies of turner-ca1-n120.swc (rat CA1 cell) with the d_lambda = 0.1 rule (626 compartments
  for us and NEURON, the same as NEURON's nseg choice; Jaxley's reader makes 155 branches and, with
  the same rule applied per branch, 617), Ra 100, each copy its own gNa (100..140; one cell: 120),
  a 1-nA step at the soma from 1 to 20 ms, V at the soma, 20 ms, float64.
- grad: 1000 single compartments (as above, gNa 100..140, gK 30..42), 100 ms, float64; loss = mean
  squared difference of the V traces to the trace of the default cell (gNa 120, gK 36); timed: the
  jitted loss (forward) and the jitted ``value_and_grad`` with respect to every cell's (gNa, gK).
  Each side computes it several ways and the fastest counts (all are printed, with the largest
  difference between their gradients): reverse mode, ``jax.value_and_grad`` of the batch's loss
  (ours through ``sim.function(tstop, batched=True, checkpoint="auto")``, blocks of 16 steps under
  ``jax.checkpoint``; Jaxley through ``jit(vmap)`` of ``jx.integrate`` with ``data_set``, with
  ``checkpoint_lengths`` of the same 16-step blocks and without), and forward mode per cell: the
  loss is a sum of independent cells' terms, so ``vmap`` over cells of a forward-mode gradient of
  one cell's term (two tangents per cell) gives the same gradient (ours
  ``engine.grad.value_and_grad(mode="forward", batched=True)``, Jaxley the same in plain JAX: ``jvp``
  of the vmapped cells, vmapped over the two tangents). On a GPU ours also runs forward mode
  inside the fused kernel (``sim.function(batched=True, kernel="auto")`` with
  ``value_and_grad(vectorized=True)``), and the forward it is compared with is the fused kernel's.
- swc: reading an SWC file into a cell, in a fresh process after the imports (``from excitable import
  Cell`` imports JAX; ``import jaxley``; both printed): ours ``Cell.from_swc(path, nseg=1)`` plus
  building its compartments (the discretization is lazy), Jaxley ``jx.read_swc(path, ncomp=1)``, for
  allen-scnn1a-177300.01.02.01.swc (3783 points) and deschutter-10-2012-02-09-001.CNG.swc (3187).

How each side runs a batch:
- excitable: ``sim.run_batch(tstop, params)`` with per-cell parameters (``broadcast`` + ``with_param``):
  ``jax.vmap`` of the jitted time loop ("vmap"), and, where the model is small enough to build
  cell by cell (2..1000 cells, <= 20 000 nodes), also a ``Network`` of the N cells simulated as one
  system (a forest) with ``sim.run`` ("network"); the faster counts and both are printed. One cell:
  ``sim.run``. float32: the parameters cast with ``engine.grad.astype``.
- Jaxley 0.14: ``jax.jit(jax.vmap(simulate))`` over ``data_set`` values (its recommended way for many
  parameter sets), voltage solver "jaxley.dhs" (which picks its CPU or GPU variant); for the cables
  also "jaxley.stone" (for unbranched cables), the faster counts. One cell: ``jax.jit`` of
  ``jx.integrate``. float32: ``jax_enable_x64`` off.
- NEURON (CPU, float64, one thread): the same sections, ``h.usetable_hh = 0``, secondorder 0,
  finitialize(-65) + ``ParallelContext.psolve``; single compartments at N = 1000 only, cables and trees
  up to 1e8 compartment-steps.

Timed: the first call in a fresh process with an empty JAX compilation cache (trace + compile + run),
then warm calls (median of 2-5, more while under ~3 s); "compile" = first - warm (also printed: the
seconds JAX's own monitoring counts for tracing, lowering and XLA compilation in that first call).
Every simulator and every N runs in its own process (Jaxley's tree: one process, one SWC read, for
all N, so its first call for the second N is not in a fresh process). Spike counts (0 mV
crossings) are printed for every side, to show the runs do the same work. Rows (RESULT) are seconds
for one run of the workload; Jaxley's figures are in the row's "jaxley" field and its text.

Sizes: default (a 2-core CPU, a few minutes): single N = 1e3, 1e4; cables 1e2, 1e3; tree 1, 10.
--quick: single 1e3, cables 1e2, tree 1, grad with 100 cells, one SWC file. --full (the issue's sizes,
for a GPU): single 1e3..1e6, cables 1e2..1e5, tree 1, 1e3 (the single-compartment 1e6 rows hold
(1e6, 4001) float64 traces: 32 GB on the device and on the host). On a GPU the one-cell tree also
runs on the CPU (JAX_PLATFORMS=cpu) for the goal "one cell on GPU no slower than on CPU".

On a GPU (or with --layouts) cables and trees also run by the scan and in each fused kernel layout
(engine.kernels.lanes' one lane per cell, engine.kernels.nodes' one program per cell), printed beside
what "auto" picked: the figures kernels.dispatch.choose_layout's thresholds wait for.

Usage: python benchmarks/bench_scale.py [--quick | --full] [--only single,cables,tree,grad,swc]
       [--no-jaxley] [--no-neuron] [--layouts]
(``JAXLEY_PYTHON=/path/to/python`` runs Jaxley in another interpreter, e.g. a venv that has it.)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common as c

# The reconstructions shipped in the package (excitable/data/morphologies, names in
# excitable.io.morphologies), found without importing excitable, so that no timed import is warmed.
DATA = Path(importlib.util.find_spec("excitable").origin).parent / "data" / "morphologies"
TREE_SWC = DATA / "turner-ca1-n120.swc"  # "ca1-pyramidal"
READ_SWCS = (DATA / "allen-scnn1a-177300.01.02.01.swc", DATA / "deschutter-10-2012-02-09-001.CNG.swc")

TSTOP = {"single": 100.0, "cables": 20.0, "tree": 20.0, "grad": 100.0}
SINGLE_UA_CM2 = 10.0
CABLE = dict(length=1000.0, diameter=1.0, ncomp=100, ra=100.0, amp=0.5, delay=0.5, dur=0.2)
TREE = dict(d_lambda=0.1, ra=100.0, amp=1.0, delay=1.0, dur=19.0)
GNA_RANGE = {"single": (60.0, 180.0), "cables": (100.0, 140.0), "tree": (100.0, 140.0),
             "grad": (100.0, 140.0)}
GK_RANGE = (30.0, 42.0)
NEURON_MAX_WORK = 1e8  # compartment-steps per NEURON run
NETWORK_MAX_CELLS, NETWORK_MAX_NODES = 1000, 20000

SIZES = {
    "quick": dict(single=[1000], cables=[100], tree=[1], grad=100, swc=READ_SWCS[1:]),
    "default": dict(single=[1000, 10000], cables=[100, 1000], tree=[1, 10], grad=1000, swc=READ_SWCS),
    "full": dict(single=[1000, 10**4, 10**5, 10**6], cables=[100, 1000, 10**4, 10**5], tree=[1, 1000],
                 grad=1000, swc=READ_SWCS),
}
WORKS = ("single", "cables", "tree", "grad", "swc")


def values(n: int, lo_hi: tuple[float, float], one: float):
    import numpy as np

    return np.array([one]) if n == 1 else np.linspace(lo_hi[0], lo_hi[1], n)


def n_steps(work: str) -> int:
    return int(round(TSTOP[work] / c.DT))


def warm_time(fn, min_repeats: int = 2, max_repeats: int = 5, budget_s: float = 3.0) -> tuple[float, int]:
    """Median wall time of warm calls: at least ``min_repeats``, more while under ``budget_s`` in all."""
    times = []
    while len(times) < min_repeats or (len(times) < max_repeats and sum(times) < budget_s):
        times.append(c.timed(fn))
    return statistics.median(times), len(times)


def device() -> str:
    import jax

    d = jax.devices()[0]
    return f"{d.platform}: {getattr(d, 'device_kind', '') or d}"


_COUNTERS: dict | None = None


def compile_seconds() -> float:
    """JAX's own compile time so far in this process: trace + lower + XLA compile (or cache load)."""
    global _COUNTERS
    if _COUNTERS is None:
        _COUNTERS = c.jax_counters()
    return _COUNTERS["trace"] + _COUNTERS["lower"] + _COUNTERS["backend"]


def measure(fn, quick: bool) -> dict:
    out = {}
    before = compile_seconds()
    first = c.timed(lambda: out.setdefault("v", fn()))
    jax_compile = compile_seconds() - before
    warm, reps = warm_time(fn, 1 if quick else 2)
    return {"first": first, "warm": warm, "repeats": reps, "spikes": c.spike_count(out["v"]),
            "jax_compile": jax_compile}


# --- excitable --------------------------------------------------------------------------------
def ours_model(work: str):
    """(cell, stimulus, record location) of one cell of the workload."""
    import excitable as ex

    if work in ("single", "grad"):
        cell = ex.Cell.cylinder(length=c.LENGTH_UM, diameter=c.DIAMETER_UM).insert(ex.HH())
        stim = ex.IClamp(cell.soma, amplitude=c.density_to_nA(SINGLE_UA_CM2), delay=0.0,
                         duration=TSTOP[work])
        return cell, stim, cell.soma
    if work == "cables":
        cell = ex.Cell(ex.Morphology.cylinder(length=CABLE["length"], diameter=CABLE["diameter"],
                                              region="axon"), nseg=CABLE["ncomp"], ra=CABLE["ra"])
        cell.insert(ex.HH())
        stim = ex.IClamp(ex.Location(0, 0.0), amplitude=CABLE["amp"], delay=CABLE["delay"],
                         duration=CABLE["dur"])
        return cell, stim, ex.Location(0, 1.0)
    cell = ex.Cell.from_swc(TREE_SWC, d_lambda=TREE["d_lambda"], ra=TREE["ra"]).insert(ex.HH())
    stim = ex.IClamp(cell.soma, amplitude=TREE["amp"], delay=TREE["delay"], duration=TREE["dur"])
    return cell, stim, cell.soma


def ours_child(work: str, n: int, dtype: str, layout: str, quick: bool) -> dict:
    import jax.numpy as jnp
    import numpy as np

    import excitable as ex
    from excitable.engine.batch import broadcast, with_param
    from excitable.engine.grad import astype
    from excitable.model.network import Network, Site

    tstop = TSTOP[work]
    gna = values(n, GNA_RANGE[work], 120.0)
    t0 = time.perf_counter()
    cast = (lambda p: astype(p, jnp.float32)) if dtype == "float32" else (lambda p: p)
    if layout == "network":
        cells, stims, ats = zip(*(ours_model(work) for _ in range(n)))
        for cell, g in zip(cells, gna):
            cell.set("HH.gNa", float(g))
        sim = ex.Simulation(Network(list(cells)), dt=c.DT, temperature=c.CELSIUS, v_init=-65.0)
        for k, (stim, at) in enumerate(zip(stims, ats)):
            sim.stimulate(stim, cell=k)
            sim.record("v", Site(k, at), label=f"v{k}")
        params = cast(sim.parameters())

        def run():
            return np.stack(list(sim.run(tstop, params=params).traces.values()))
    else:
        cell, stim, at = ours_model(work)
        sim = ex.Simulation(cell, dt=c.DT, temperature=c.CELSIUS, v_init=-65.0)
        sim.stimulate(stim)
        sim.record("v", at, label="v")
        sites = cell.mechanism_sites("HH").size
        if n == 1:
            params = cast(with_param(sim.parameters(), "HH.gNa", np.full(sites, gna[0])))
        else:
            params = cast(with_param(broadcast(sim.parameters(), n), "HH.gNa",
                                     np.repeat(gna[:, None], sites, axis=1)))
        if layout in ("lanes", "nodes"):  # one fused kernel layout, forced (engine.kernels.dispatch)
            from excitable.engine.kernels.dispatch import fused_tree_runner

            batch = params if n > 1 else broadcast(params, 1)
            kernel, drive = fused_tree_runner(sim.plan, dt=sim.dt, layout=layout), sim.drive(tstop)

            def run():
                return np.asarray(kernel(batch, drive))[..., 0]
        elif n == 1:
            def run():
                return sim.run(tstop, params=params, kernel="scan" if layout == "scan" else "auto")["v"]
        else:
            def run():
                return sim.run_batch(tstop, params, kernel="scan" if layout == "scan" else "auto")["v"]
    build = time.perf_counter() - t0
    cell = sim.network.cells[0]
    out = measure(run, quick)
    from excitable.engine.kernels.dispatch import choose_layout, use_fused

    if n > 1 and layout == "vmap" and use_fused(sim.plan, "auto", params):
        # run_batch's choice on a GPU: engine.kernels.single, or kernels.dispatch.choose_layout's
        layout = "fused kernel" + ("" if sim.plan.n == 1 else f" ({choose_layout(sim.plan, batch=n)})")
    elif layout in ("lanes", "nodes"):
        layout = f"fused kernel ({layout}, forced)"
    elif n == 1 and layout != "scan":  # run's choice on a GPU: one program (engine.kernels.nodes) for a branched tree
        layout = "one cell, fused kernel" if use_fused(sim.plan, "auto", params, batched=False) else "one cell"
    return {**out, "build": build, "ncomp": int((cell.compartments.area_um2 > 0).sum()),
            "layout": layout, "device": device()}


def ours_grad(n: int, quick: bool) -> dict:
    import jax
    import jax.numpy as jnp
    import numpy as np

    import excitable as ex
    from excitable.engine.batch import broadcast, with_param
    from excitable.engine.grad import value_and_grad

    tstop = TSTOP["grad"]
    cell, stim, at = ours_model("grad")
    sim = ex.Simulation(cell, dt=c.DT, temperature=c.CELSIUS, v_init=-65.0)
    sim.stimulate(stim)
    sim.record("v", at, label="v")
    base = sim.parameters()
    target = jnp.asarray(sim.run(tstop)["v"])
    # Reverse mode with checkpoint="auto": blocks of 16 steps under jax.checkpoint (the reverse pass
    # then works in cache: 2-3x faster than storing every step).
    f = sim.function(tstop, batched=True, checkpoint="auto")
    one = sim.function(tstop)
    x = jnp.asarray(np.stack([values(n, GNA_RANGE["grad"], 120.0), values(n, GK_RANGE, 36.0)], axis=1))

    def traces(x):
        p = with_param(broadcast(base, n), "HH.gNa", x[:, :1])
        p = with_param(p, "HH.gK", x[:, 1:])
        return f(p)[..., 0]  # (n, n_samples)

    def loss(x):
        return jnp.mean((traces(x) - target) ** 2)

    def cell_loss(xc):  # one cell's term of ``loss``: the batch's loss is the sum over cells
        p = with_param(with_param(base, "HH.gNa", xc[:1]), "HH.gK", xc[1:])
        return jnp.mean((one(p)[:, 0] - target) ** 2) / n

    def forward_mode(x):  # each cell's (gNa, gK) tangents through its own run, all cells at once
        values_, grads = value_and_grad(cell_loss, mode="forward", batched=True)(x)
        return values_.sum(), grads

    grads = {"forward mode per cell": jax.jit(forward_mode), "reverse mode": jax.jit(jax.value_and_grad(loss))}
    forward = jax.jit(loss)
    if jax.default_backend() == "gpu":  # the fused kernel: forward run and forward-mode tangents
        fused = sim.function(tstop, batched=True, kernel="auto")

        def cell_losses(x):  # every cell's term of ``loss`` at once, from one batched kernel
            p = with_param(with_param(broadcast(base, n), "HH.gNa", x[:, :1]), "HH.gK", x[:, 1:])
            return jnp.mean((fused(p)[..., 0] - target) ** 2, axis=1) / n

        def fused_forward_mode(x):
            values_, grads_ = value_and_grad(cell_losses, mode="forward", batched=True, vectorized=True)(x)
            return values_.sum(), grads_

        grads["forward mode in the fused kernel"] = jax.jit(fused_forward_mode)
        forward = jax.jit(lambda x: cell_losses(x).sum())  # what run_batch runs on a GPU
    return grad_measure(forward, grads, x, np.asarray(traces(x)), quick, fallback=jax.jit(loss))


def grad_measure(fwd, grads: dict, x, v, quick: bool, fallback=None) -> dict:
    """Time the forward (loss) and each way of computing its gradient; the fastest gradient is
    reported as "grad" (its mode in "grad_mode"), after checking every way gives the same one.
    A way that fails (a kernel that does not build on this GPU) is reported and skipped; a forward
    that fails is replaced by ``fallback``."""
    import jax
    import numpy as np

    def call(fn):
        return lambda: jax.block_until_ready(fn(x))

    def failed(what, e):
        print(f"    {what} failed ({type(e).__name__}: {(str(e).splitlines() or [''])[0][:200]})", file=sys.stderr)

    t0 = compile_seconds()
    try:
        first_f = c.timed(call(fwd))
    except Exception as e:  # noqa: BLE001 - a GPU compiler's error, whatever its type
        if fallback is None:
            raise
        failed("the forward", e)
        fwd, t0 = fallback, compile_seconds()
        first_f = c.timed(call(fwd))
    t1 = compile_seconds()
    warm_f, reps_f = warm_time(call(fwd), 1 if quick else 2)
    modes, reference = {}, None
    for mode, grad in grads.items():
        t2 = compile_seconds()
        try:
            first_g = c.timed(call(grad))
        except Exception as e:  # noqa: BLE001
            failed(f"value_and_grad, {mode},", e)
            continue
        t3 = compile_seconds()
        warm_g, reps_g = warm_time(call(grad), 1 if quick else 2)
        g = np.asarray(grad(x)[1])
        reference = g if reference is None else reference
        modes[mode] = {"first_grad": first_g, "grad": warm_g, "jax_compile_grad": t3 - t2, "repeats": reps_g,
                       "grad_finite": bool(np.isfinite(g).all()),
                       "max_rel_diff": float(np.max(np.abs(g - reference)) / np.max(np.abs(reference)))}
    best = min(modes, key=lambda m: modes[m]["grad"])
    return {"first_fwd": first_f, "fwd": warm_f, "jax_compile_fwd": t1 - t0, "repeats_fwd": reps_f,
            **modes[best], "grad_mode": best, "modes": modes, "spikes": c.spike_count(v), "device": device()}


def ours_swc(path: str, quick: bool) -> dict:
    t0 = time.perf_counter()
    from excitable import Cell  # imports JAX (excitable's own import is lazy)

    imported = time.perf_counter() - t0

    def read():
        return Cell.from_swc(path, nseg=1).compartments

    first = c.timed(read)
    warm, _ = warm_time(read, 1 if quick else 3, 5, 1.0)
    return {"import": imported, "first": first, "warm": warm, "ncomp": int((read().area_um2 > 0).sum())}


# --- Jaxley -----------------------------------------------------------------------------------
def jaxley_model(work: str, dtype: str):
    import jax

    jax.config.update("jax_enable_x64", dtype == "float64")
    import jaxley as jx
    import numpy as np
    from jaxley.channels import HH

    tstop = TSTOP[work]
    t0 = time.perf_counter()
    if work in ("single", "grad"):
        mod = jx.Compartment()
        mod.set("length", c.LENGTH_UM)
        mod.set("radius", c.DIAMETER_UM / 2)
        stim_at = rec_at = mod
        amp, delay, dur = c.density_to_nA(SINGLE_UA_CM2), 0.0, tstop
    elif work == "cables":
        mod = jx.Branch(jx.Compartment(), ncomp=CABLE["ncomp"])
        mod.set("length", CABLE["length"] / CABLE["ncomp"])
        mod.set("radius", CABLE["diameter"] / 2)
        mod.set("axial_resistivity", CABLE["ra"])
        stim_at, rec_at = mod.comp(0), mod.comp(CABLE["ncomp"] - 1)
        amp, delay, dur = CABLE["amp"], CABLE["delay"], CABLE["dur"]
    else:
        mod = jx.read_swc(str(TREE_SWC), ncomp=1)
        mod.set("axial_resistivity", TREE["ra"])
        mod.set("capacitance", 1.0)
        for br in mod.branches:  # the d_lambda rule per branch, as in Jaxley's documentation
            d = 2 * br.nodes["radius"].to_numpy()[0]
            length = br.nodes["length"].to_numpy().sum()
            lam = 1e5 * np.sqrt(d / (4 * np.pi * 100.0 * 1.0 * TREE["ra"]))
            br.set_ncomp(int((length / (TREE["d_lambda"] * lam) + 0.9) / 2) * 2 + 1, initialize=False)
        mod.initialize()
        stim_at = rec_at = mod.soma.branch(0).comp(0)
        amp, delay, dur = TREE["amp"], TREE["delay"], TREE["dur"]
    mod.insert(HH())
    mod.set("v", -65.0)
    mod.init_states()
    stim_at.stimulate(jx.step_current(delay, dur, amp, c.DT, tstop), verbose=False)
    rec_at.record("v", verbose=False)
    return mod, time.perf_counter() - t0


def jaxley_child(work: str, sizes: list[int], dtype: str, quick: bool) -> dict:
    import jax
    import jax.numpy as jnp
    import jaxley as jx
    import numpy as np

    mod, build = jaxley_model(work, dtype)
    tstop = TSTOP[work]
    solvers = ["jaxley.dhs", "jaxley.stone"] if work == "cables" else ["jaxley.dhs"]
    out = {"build": build, "ncomp": len(mod.nodes), "device": device(), "sizes": {}}
    for n in sizes:
        gna = jnp.asarray(values(n, GNA_RANGE[work], 120.0) / 1000.0)  # S/cm2
        res = {}
        for solver in solvers:
            def sim(g, solver=solver):
                ps = mod.data_set("HH_gNa", g, None)
                return jx.integrate(mod, param_state=ps, delta_t=c.DT, t_max=tstop, voltage_solver=solver)

            fn = jax.jit(lambda g: sim(g[0])[None]) if n == 1 else jax.jit(jax.vmap(sim))
            res[solver] = measure(lambda: np.asarray(fn(gna)), quick)
        best = min(res, key=lambda s: res[s]["warm"])
        out["sizes"][str(n)] = {**res[best], "solver": best,
                                "others": {s: r["warm"] for s, r in res.items() if s != best}}
    return out


def jaxley_grad(n: int, quick: bool) -> dict:
    import jax
    import jax.numpy as jnp
    import jaxley as jx
    import numpy as np

    mod, _ = jaxley_model("grad", "float64")
    tstop = TSTOP["grad"]

    steps = int(round(tstop / c.DT))
    x = jnp.asarray(np.stack([values(n, GNA_RANGE["grad"], 120.0), values(n, GK_RANGE, 36.0)], axis=1) / 1000)

    def sim(gna, gk, lengths=None):
        ps = mod.data_set("HH_gNa", gna, None)
        ps = mod.data_set("HH_gK", gk, ps)
        return jx.integrate(mod, param_state=ps, delta_t=c.DT, t_max=tstop, checkpoint_lengths=lengths)[0]

    target = jax.jit(sim)(0.120, 0.036)

    def traces(x, lengths=None):
        return jax.vmap(lambda g: sim(g[0], g[1], lengths))(x)

    def loss(x, lengths=None):
        return jnp.mean((traces(x, lengths) - target) ** 2)

    def cell_loss(xc):
        return jnp.mean((sim(xc[0], xc[1]) - target) ** 2) / n

    def forward_mode(x):  # plain JAX: each cell's (gNa, gK) tangents through its own run, all cells at
        # once, the tangent axis outside the cell axis (as ours; vmap of jacfwd is ~1.5x slower)
        cells = jax.vmap(cell_loss)
        basis = jnp.broadcast_to(jnp.eye(2)[:, None, :], (2, *x.shape))
        values_, slopes = jax.vmap(lambda t: jax.jvp(cells, (x,), (t,)), out_axes=(None, 0))(basis)
        return values_.sum(), slopes.T

    # Jaxley's own checkpointing (checkpoint_lengths) with the same 16-step blocks as ours, and none,
    # and the forward mode per cell we use: the fastest gradient is kept (as for its voltage solvers).
    blocks = [-(-(steps + 1) // 16), 16]
    grads = {"reverse mode": jax.jit(jax.value_and_grad(loss)),
             "reverse mode, 16-step checkpoints": jax.jit(jax.value_and_grad(lambda x: loss(x, blocks))),
             "forward mode per cell": jax.jit(forward_mode)}
    return grad_measure(jax.jit(loss), grads, x, np.asarray(jax.jit(traces)(x)), quick)


def jaxley_swc(path: str, quick: bool) -> dict:
    t0 = time.perf_counter()
    import jaxley as jx

    imported = time.perf_counter() - t0
    res = {}
    first = c.timed(lambda: res.setdefault("cell", jx.read_swc(path, ncomp=1)))
    return {"import": imported, "first": first, "ncomp": len(res["cell"].nodes)}


# --- NEURON -----------------------------------------------------------------------------------
def neuron_child(work: str, n: int, quick: bool) -> dict | None:
    import numpy as np

    h = c.neuron_h()
    if h is None:
        return None
    gna = values(n, GNA_RANGE[work], 120.0)
    keep, vecs, ncomp = [], [], 0
    if work == "single":
        for k, g in enumerate(gna):
            sec, stim = c.neuron_hh_section(h, f"cell{k}", c.density_to_nA(SINGLE_UA_CM2), 0.0,
                                            TSTOP[work], g)
            keep += [sec, stim]
            vecs.append(h.Vector().record(sec(0.5)._ref_v))
            ncomp += 1
    elif work == "cables":
        for k, g in enumerate(gna):
            sec = h.Section(name=f"cable{k}")
            sec.L, sec.diam, sec.Ra, sec.nseg = CABLE["length"], CABLE["diameter"], CABLE["ra"], CABLE["ncomp"]
            sec.insert("hh")
            for seg in sec:
                seg.hh.gnabar = g / 1000.0
            stim = h.IClamp(sec(0))
            stim.amp, stim.delay, stim.dur = CABLE["amp"], CABLE["delay"], CABLE["dur"]
            keep += [sec, stim]
            vecs.append(h.Vector().record(sec(1)._ref_v))
            ncomp += sec.nseg
    else:
        h.load_file("import3d.hoc")

        class Owner:
            def __init__(self, k):
                self.k = k

            def __str__(self):
                return f"cell{self.k}"

        for k, g in enumerate(gna):
            reader = h.Import3d_SWC_read()
            reader.quiet = 1
            reader.input(str(TREE_SWC))
            owner = Owner(k)
            h.Import3d_GUI(reader, 0).instantiate(owner)
            for s in owner.all:
                s.Ra, s.cm = TREE["ra"], 1.0
                s.nseg = int((s.L / (TREE["d_lambda"] * h.lambda_f(100, sec=s)) + 0.9) / 2) * 2 + 1
                s.insert("hh")
                for seg in s:
                    seg.hh.gnabar = g / 1000.0
                ncomp += s.nseg
            soma = owner.soma[0]
            stim = h.IClamp(soma(0.5))
            stim.amp, stim.delay, stim.dur = TREE["amp"], TREE["delay"], TREE["dur"]
            keep += [owner, reader, stim]
            vecs.append(h.Vector().record(soma(0.5)._ref_v))
    c.neuron_setup(h)
    pc = h.ParallelContext()
    _, psolve = c.neuron_runners(h, TSTOP[work], pc)
    warm, reps = warm_time(psolve, 1, 3 if not quick else 1, 3.0)
    return {"warm": warm, "repeats": reps, "spikes": c.spike_count(np.array([v.as_numpy() for v in vecs])),
            "ncomp": ncomp // n}


# --- parent -----------------------------------------------------------------------------------
class Runner:
    """Starts the children, each with a new empty JAX compilation cache."""

    def __init__(self, quick: bool, jaxley: bool, neuron: bool, layouts: bool = False):
        self.quick, self.layouts = quick, layouts
        self.jaxley_python = os.environ.get("JAXLEY_PYTHON") or c.PYTHON
        self.jaxley = jaxley and self._has_jaxley()
        self.neuron = neuron and importlib.util.find_spec("neuron") is not None
        if jaxley and not self.jaxley:
            print("Jaxley is not installed (pip install '.[bench]', or set JAXLEY_PYTHON): no Jaxley figures")
        if neuron and not self.neuron:
            print("NEURON is not installed: no NEURON figures")

    def _has_jaxley(self) -> bool:
        proc = subprocess.run([self.jaxley_python, "-c", "import jaxley; print(jaxley.__version__)"],
                              capture_output=True, text=True)
        self.jaxley_version = proc.stdout.strip()
        return proc.returncode == 0

    def child(self, who: str, *args: str, env: dict | None = None) -> dict | None:
        python = self.jaxley_python if who == "jaxley" else c.PYTHON
        cmd = [python, str(Path(__file__).resolve()), "--child", who, *args]
        cmd += ["--quick"] if self.quick else []
        with tempfile.TemporaryDirectory(prefix="excitable-bench-scale-") as tmp:
            full_env = {**os.environ, "JAX_COMPILATION_CACHE_DIR": str(Path(tmp) / "jax"), **(env or {})}
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=c.ROOT, env=full_env)
        if proc.returncode != 0:
            last = proc.stderr.strip().splitlines()[-1:] or proc.returncode
            print(f"  [{who} {' '.join(args)} failed: {last}]", flush=True)
            return None
        return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt_rate(x) -> str:
    return "-" if not x else f"{x:.3g}"


def ratio(a, b) -> str:
    return "-" if not a or not b else f"{a / b:.2f}x"


def label_n(n: int) -> str:
    if n < 1000:
        return str(n)
    return f"1e{round(math.log10(n))}" if 10 ** round(math.log10(n)) == n else str(n)


def run_sweep(r: Runner, work: str, sizes: list[int], dtype: str, rows: list, devices: set) -> None:
    steps = n_steps(work)
    unit = "cell-steps/s" if work == "single" else "compartment-steps/s"
    head = {"single": f"N single compartments, {dtype}", "cables": "N cables of 100 compartments, float64",
            "tree": "N copies of the CA1 tree (turner-ca1-n120, d_lambda 0.1), float64"}[work]
    print(f"\n{head}, {TSTOP[work]:g} ms ({steps} steps); rates in {unit}", flush=True)
    jx = None
    if r.jaxley:  # a process per N, except the tree (one SWC read, ~10 s, for all N)
        for group in ([sizes] if work == "tree" else [[n] for n in sizes]):
            res = r.child("jaxley", "--work", work, "--sizes", ",".join(map(str, group)), "--dtype", dtype)
            if res:
                jx = {**res, "sizes": {**(jx or {}).get("sizes", {}), **res["sizes"]}}
                devices.add(f"Jaxley {res['device']}")
    for n in sizes:
        ours = {}
        layouts = ["vmap"]
        nodes = {"single": 1, "cables": CABLE["ncomp"] + 2, "tree": 705}[work]
        if 1 < n <= NETWORK_MAX_CELLS and n * nodes <= NETWORK_MAX_NODES:
            layouts.append("network")
        for layout in layouts:
            res = r.child("ours", "--work", work, "--sizes", str(n), "--dtype", dtype, "--layout", layout)
            if res:
                ours[layout] = res
                devices.add(f"excitable {res['device']}")
                # On a GPU (or with --layouts), multi-compartment work also runs in each fused
                # layout and by the scan, whatever "auto" picked: the figures for choose_layout.
                if layout == "vmap" and work != "single" and (r.layouts or res["device"].startswith("gpu")):
                    layouts += ["scan", "lanes", "nodes"]
        if not ours:
            rows.append({**c.row("scale", f"{work} {dtype} N={label_n(n)}: FAILED"), "met": False})
            continue
        # What a user gets ("auto", or the cells as one Network); forced layouts are printed beside.
        best = min((v for k, v in ours.items() if k in ("vmap", "network")), key=lambda x: x["warm"],
                   default=None)
        if best is None:
            rows.append({**c.row("scale", f"{work} {dtype} N={label_n(n)}: FAILED"), "met": False})
            continue
        j = jx["sizes"].get(str(n)) if jx else None
        nrn = None
        if r.neuron and dtype == "float64" and (work != "single" or n == 1000) \
                and n * best["ncomp"] * steps <= NEURON_MAX_WORK:
            nrn = r.child("neuron", "--work", work, "--sizes", str(n))
        work_units = n * steps * (1 if work == "single" else best["ncomp"])
        rate = work_units / best["warm"]
        j_rate = n * steps * (1 if work == "single" else jx["ncomp"]) / j["warm"] if j else None
        n_rate = n * steps * (1 if work == "single" else nrn["ncomp"]) / nrn["warm"] if nrn else None
        alt = "; ".join(f"{k} {c.fmt_s(v['warm'])}" for k, v in ours.items() if v is not best)
        print(f"  N={label_n(n):>5}  excitable {fmt_rate(rate):>8} ({c.fmt_s(best['warm'])}, {best['layout']}"
              f"{', ' + alt if alt else ''})"
              + (f" | Jaxley {fmt_rate(j_rate):>8} ({c.fmt_s(j['warm'])}, {j['solver']}"
                 + "".join(f"; {s} {c.fmt_s(t)}" for s, t in j["others"].items()) + ")" if j else "")
              + (f" | NEURON {fmt_rate(n_rate):>8} ({c.fmt_s(nrn['warm'])})" if nrn else ""), flush=True)
        print(f"           rate ours/Jaxley {ratio(rate, j_rate)}, ours/NEURON {ratio(rate, n_rate)}; spikes ours "
              f"{best['spikes']}" + (f", Jaxley {j['spikes']}" if j else "")
              + (f", NEURON {nrn['spikes']}" if nrn else "")
              + f"; first call ours {c.fmt_s(best['first'])} (first - warm {c.fmt_s(best['first'] - best['warm'])},"
              f" JAX compile {c.fmt_s(best['jax_compile'])})"
              + (f", Jaxley {c.fmt_s(j['first'])} (first - warm {c.fmt_s(j['first'] - j['warm'])}, JAX compile "
                 f"{c.fmt_s(j['jax_compile'])})" if j else ""),
              flush=True)
        label = f"{work} {dtype} N={label_n(n)}"
        goal, met = "", None
        if work == "single" and dtype == "float32":
            goal = "GPU: >= 50% of a fused kernel (not measured here)"
        if work == "tree":
            goal, met = ">= 10x Jaxley", (j["warm"] / best["warm"] >= 10.0) if j else None
        jtext = f"; Jaxley {c.fmt_s(j['warm'])} (Jaxley time / ours {ratio(j['warm'], best['warm'])})" if j else ""
        rows.append({**c.row("scale", f"{label}: run ({best['layout']}), {fmt_rate(rate)}/s{jtext}",
                             best["warm"], nrn["warm"] if nrn else None, goal),
                     "met": met, "jaxley": j["warm"] if j else None, "rate": rate, "jaxley_rate": j_rate,
                     "neuron_rate": n_rate})
        compile_s = best["first"] - best["warm"]
        jc = f"; Jaxley {c.fmt_s(j['first'] - j['warm'])}" if j else ""
        rows.append({**c.row("scale", f"{label}: compile (first - warm, empty cache; JAX's counters "
                                      f"{c.fmt_s(best['jax_compile'])}){jc}", compile_s, None, "< 1 s"),
                     "met": compile_s < 1.0, "jaxley": j["first"] - j["warm"] if j else None})
    if work == "tree" and 1 in sizes and any("gpu" in d or "cuda" in d for d in devices):
        cpu = r.child("ours", "--work", "tree", "--sizes", "1", "--dtype", dtype, "--layout", "vmap",
                      env={"JAX_PLATFORMS": "cpu"})
        gpu = next((x for x in rows if x["measure"].startswith("tree float64 N=1:")), None)
        if cpu and gpu:
            print(f"  one cell on the CPU: {c.fmt_s(cpu['warm'])} vs on the GPU {c.fmt_s(gpu['ours'])}")
            rows.append({**c.row("scale", f"tree N=1 on the GPU vs the CPU ({c.fmt_s(cpu['warm'])})",
                                 gpu["ours"], None, "GPU no slower than CPU"), "met": gpu["ours"] <= cpu["warm"]})


def run_grad(r: Runner, n: int, rows: list) -> None:
    print(f"\ngradient wrt (gNa, gK) of {n} cells, {TSTOP['grad']:g} ms, float64 (loss: MSE to a target trace)",
          flush=True)
    ours = r.child("ours", "--work", "grad", "--sizes", str(n))
    jx = r.child("jaxley", "--work", "grad", "--sizes", str(n)) if r.jaxley else None
    for name, x in (("excitable", ours), ("Jaxley", jx)):
        if x:
            print(f"  {name:<9} forward {c.fmt_s(x['fwd'])} (first call {c.fmt_s(x['first_fwd'])}, JAX compile "
                  f"{c.fmt_s(x['jax_compile_fwd'])}); spikes {x['spikes']}", flush=True)
            for mode, m in x["modes"].items():
                print(f"    value_and_grad, {mode}: {c.fmt_s(m['grad'])} ({m['grad'] / x['fwd']:.1f}x forward); "
                      f"first call {c.fmt_s(m['first_grad'])} (JAX compile {c.fmt_s(m['jax_compile_grad'])}); "
                      f"finite: {m['grad_finite']}, largest difference to the first: {m['max_rel_diff']:.1e} "
                      f"relative", flush=True)
    if not ours:
        rows.append({**c.row("scale", "grad: FAILED"), "met": False})
        return
    if jx:
        print(f"  Jaxley time / ours: gradient {ratio(jx['grad'], ours['grad'])}, forward "
              f"{ratio(jx['fwd'], ours['fwd'])}")
    label = f"grad {n} cells x {TSTOP['grad']:g} ms"
    rows.append({**c.row("scale", f"{label}: forward (loss)" + (f"; Jaxley {c.fmt_s(jx['fwd'])}" if jx else ""),
                         ours["fwd"]), "jaxley": jx["fwd"] if jx else None})
    rows.append({**c.row("scale", f"{label}: value_and_grad ({ours['grad_mode']}), "
                                  f"{ours['grad'] / ours['fwd']:.1f}x our forward",
                         ours["grad"], None, "<= 3x our forward"), "met": ours["grad"] <= 3 * ours["fwd"]})
    if jx:
        rows.append({**c.row("scale", f"{label}: value_and_grad vs Jaxley {c.fmt_s(jx['grad'])} "
                                      f"({jx['grad_mode']}, {jx['grad'] / jx['fwd']:.1f}x its forward)",
                             ours["grad"], None,
                             ">= 10x faster than Jaxley"),
                     "met": jx["grad"] / ours["grad"] >= 10.0, "jaxley": jx["grad"]})
    for name, key in (("forward", "fwd"), ("gradient", "grad")):
        comp = ours[f"first_{key}"] - ours[key]
        jt = f"; Jaxley {c.fmt_s(jx[f'first_{key}'] - jx[key])}" if jx else ""
        rows.append({**c.row("scale", f"{label}: {name} compile (first - warm){jt}", comp, None, "< 1 s"),
                     "met": comp < 1.0, "jaxley": jx[f"first_{key}"] - jx[key] if jx else None})


def run_swc(r: Runner, paths, rows: list) -> None:
    print("\nreading an SWC file into a cell, each in a fresh process after the imports (ours: "
          "Cell.from_swc(nseg=1) + compartments; Jaxley: jx.read_swc(ncomp=1))", flush=True)
    for p in paths:
        name = Path(p).name
        points = sum(1 for ln in Path(p).read_text().splitlines() if ln.strip() and not ln.lstrip().startswith("#"))
        o = r.child("ours", "--work", "swc", "--paths", str(p))
        j = r.child("jaxley", "--work", "swc", "--paths", str(p)) if r.jaxley else None
        if not o:
            rows.append({**c.row("scale", f"swc {name}: FAILED"), "met": False})
            continue
        print(f"  {name} ({points} points): ours {c.fmt_s(o['first'])}, again {c.fmt_s(o['warm'])} "
              f"({o['ncomp']} compartments; import {c.fmt_s(o['import'])})"
              + (f"; Jaxley {c.fmt_s(j['first'])} ({j['ncomp']} compartments; import {c.fmt_s(j['import'])}),"
                 f" Jaxley time / ours {ratio(j['first'], o['first'])}" if j else ""), flush=True)
        rows.append({**c.row("scale", f"read {name} ({points} points), first read in a process"
                                      + (f"; Jaxley {c.fmt_s(j['first'])}" if j else ""),
                             o["first"], None, "< 0.5 s"), "met": o["first"] < 0.5,
                     "jaxley": j["first"] if j else None})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="smallest sizes, one warm repeat")
    mode.add_argument("--full", action="store_true", help="the issue's sizes (for a GPU)")
    ap.add_argument("--only", default=",".join(WORKS), help="comma-separated subset of " + ", ".join(WORKS))
    ap.add_argument("--no-jaxley", action="store_true")
    ap.add_argument("--no-neuron", action="store_true")
    ap.add_argument("--layouts", action="store_true",
                    help="also time cables and trees by the scan and each fused kernel layout (on a GPU: always)")
    ap.add_argument("--child", choices=["ours", "jaxley", "neuron"], help=argparse.SUPPRESS)
    ap.add_argument("--work", choices=WORKS, help=argparse.SUPPRESS)
    ap.add_argument("--sizes", default="", help=argparse.SUPPRESS)
    ap.add_argument("--dtype", default="float64", help=argparse.SUPPRESS)
    ap.add_argument("--layout", default="vmap", help=argparse.SUPPRESS)
    ap.add_argument("--paths", default="", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        sizes = [int(s) for s in args.sizes.split(",") if s]
        if args.child != "neuron" and args.work != "swc":
            compile_seconds()  # start JAX's compile counters before anything compiles
        if args.child == "ours":
            out = (ours_grad(sizes[0], args.quick) if args.work == "grad" else
                   ours_swc(args.paths, args.quick) if args.work == "swc" else
                   ours_child(args.work, sizes[0], args.dtype, args.layout, args.quick))
        elif args.child == "jaxley":
            out = (jaxley_grad(sizes[0], args.quick) if args.work == "grad" else
                   jaxley_swc(args.paths, args.quick) if args.work == "swc" else
                   jaxley_child(args.work, sizes, args.dtype, args.quick))
        else:
            out = neuron_child(args.work, sizes[0], args.quick)
        print(json.dumps(out))
        return 0

    works = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = set(works) - set(WORKS)
    if unknown:
        ap.error(f"unknown workload {sorted(unknown)[0]!r}; choose from {', '.join(WORKS)}")
    sizes = SIZES["quick" if args.quick else "full" if args.full else "default"]
    t0 = time.perf_counter()
    try:
        from run_all import machine

        print(f"machine: {machine()}")
    except Exception:  # noqa: BLE001 (the machine line is informative only)
        pass
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    r = Runner(args.quick, not args.no_jaxley, not args.no_neuron, args.layouts)
    if r.jaxley:
        print(f"Jaxley {r.jaxley_version} ({r.jaxley_python})")
    rows, devices = [], set()
    for work in works:
        if work == "single":
            for dtype in ("float32", "float64"):
                run_sweep(r, "single", sizes["single"], dtype, rows, devices)
        elif work in ("cables", "tree"):
            run_sweep(r, work, sizes[work], "float64", rows, devices)
        elif work == "grad":
            run_grad(r, sizes["grad"], rows)
        else:
            run_swc(r, sizes["swc"], rows)
    print(f"\ndevices: {'; '.join(sorted(devices)) or '-'}; NEURON: CPU, one thread, psolve")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"bench_scale took {time.perf_counter() - t0:.0f} s")
    c.emit(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
