"""A downloaded model: imported .mod mechanisms on a reconstruction, excitable vs NEURON in one run.

Workload (issue 18, "a whole published cell", and the promise "faster than NEURON on a CPU"): the
shipped Allen reconstruction allen-scnn1a (dx 40 um: 287 compartments) with eight mechanisms imported
from .mod files, placed by a BluePyOpt-style parameter list as a published L5PC model places its
own (Hay et al. 2011: Na, K, two Ca2+ currents, a Ca2+ pool and a Ca2+-activated K+ current where
the cell fires, a leak everywhere). Public model files cannot be copied into the repository, so the
files are ones it has or the neuron wheel installs:
  hh.mod, passive.mod (the wheel's share/modfile), cachan1.mod (its demo/release: a GHK-like Ca2+
  current reading cai and cao), tests/reference/mod/model/bs_na, bs_kdr, bs_cahva (reads eca),
  bs_cad (a pool writing cai: NEURON's ion style makes eca follow it), tests/reference/mod/nm_kca
  (a K+ current gated by cai).
A 0.5-nA step (5-105 ms) into the soma, 110 ms at dt 0.025 ms, 10 degC.

Timed, each warm (after one untimed run), median of ``--repeats``, wall and CPU seconds
(time.process_time: the load of other processes does not count in it):
  ours "run":    ``Simulation.run`` of a built simulation (V at the soma recorded);
  ours "model":  the ``model`` experiment's work per call: parameter file applied to a new Cell,
                 a new Simulation, its run (what ``excitable run model`` does after start-up);
  NEURON:        ``finitialize`` + ``continuerun`` of the same cell, built once as
                 ``excitable mod compare --cell`` builds it (workflows/neuron_cell.py: Import3d,
                 the same nseg rule, the file applied entry by entry, usetable off).
Both sides' spike times are printed: they must agree (within 0.1 ms, the issue's bound), or the
timing compares different work.

A user's own model: --mechanisms DIR --parameters FILE --swc NAME|PATH (and --amplitude, --tstop,
--celsius).

Usage: python benchmarks/bench_model.py [--quick] [--repeats N] [--profile]
(``--profile`` also prints the per-step cost: XLA op counts of one step, time per step vs the number
of mechanisms.)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import _common as c

REF = c.ROOT / "tests" / "reference" / "mod"


def share() -> Path:
    """The neuron wheel's share folder (its own .mod files)."""
    return Path(next(iter(importlib.util.find_spec("neuron").submodule_search_locations))) / ".data" / "share"


def default_files() -> list[Path]:
    return ([share() / "modfile" / "hh.mod", share() / "modfile" / "passive.mod",
             share() / "nrn" / "demo" / "release" / "cachan1.mod", REF / "nm_kca.mod"]
            + [REF / "model" / f"bs_{n}.mod" for n in ("na", "kdr", "cahva", "cad")])


def _range(name, where, value):
    return {"param_name": name, "sectionlist": where, "type": "range", "value": value}


#: S/cm2, uF/cm2, ohm cm, mV, degC (each file's units). NEURON's hh everywhere (as the tests' whole
#: model, tests/workflows/test_neuron_compare.py WHOLE), a second leak everywhere, the Ca2+ currents,
#: the pool and the Ca2+-activated K+ where a published L5PC has them (soma, axon, apical tree),
#: extra Na+/K+ in the apical tree: the cell fires 9 times during the step (densities chosen so).
DEFAULT_PARAMETERS = (
    [_range("g_pas", "all", 3e-5), _range("e_pas", "all", -70.0)]
    + [_range(f"{k}_hh", "all", v) for k, v in (("gnabar", 0.12), ("gkbar", 0.036), ("gl", 0.0003))]
    + [_range("gbar_bs_na", "apical", 0.02), _range("gbar_bs_kdr", "apical", 0.005),
       _range("gbar_bs_kdr", "somatic", 0.005)]
    + [_range("gbar_bs_cahva", w, 4e-4) for w in ("somatic", "axonal", "apical")]
    + [_range("gamma_bs_cad", w, 0.05) for w in ("somatic", "axonal", "apical")]
    + [_range("gbar_nm_kca", w, 5e-5) for w in ("somatic", "axonal", "apical")]
    + [_range("imax_cachan1", w, 1e-5) for w in ("somatic", "axonal")]
    + [{"param_name": "cm", "sectionlist": "basal", "type": "section", "value": 2.0},
       {"param_name": "Ra", "sectionlist": "all", "type": "section", "value": 120.0},
       {"param_name": "celsius", "type": "global", "value": 10.0},
       {"param_name": "v_init", "type": "global", "value": -65.0}]
)
DT, DELAY, DX_UM = 0.025, 5.0, 40.0
PROFILE_TSTOP = 50.0  # ms per timed run of --profile


def timed(fn, repeats: int) -> tuple[float, float]:
    """(median wall s, median CPU s of this process) of ``repeats`` calls of ``fn`` after one warm call."""
    fn()
    walls, cpus = [], []
    for _ in range(repeats):
        w0, p0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - p0)
    return statistics.median(walls), statistics.median(cpus)


class Workload:
    """The model (files, parameters, cell) and both sides built once."""

    def __init__(self, files, parameters: Path, swc: str, amplitude: float, tstop: float, celsius):
        from excitable.io import model_parameters, morphologies
        from excitable.io.nmodl.loader import load_mod, mod_paths

        self.files = mod_paths([Path(f) for f in files])
        self.classes = {s: k for s, k in load_mod(self.files).items() if getattr(k, "kind", "density") == "density"}
        self.params = model_parameters.bind(model_parameters.read(parameters), self.classes)
        self.celsius = celsius if celsius is not None else (
            self.params.celsius if self.params.celsius is not None else 6.3)  # NEURON's default
        self.v_init = self.params.v_init if self.params.v_init is not None else -65.0
        self.swc = morphologies.path(swc, field="--swc")
        self.stim = (amplitude, DELAY, max(0.0, tstop - 2 * DELAY))
        self.tstop = tstop

    def simulation(self):
        """excitable's Simulation of the model (the ``model`` experiment's construction)."""
        import excitable as ex
        from excitable.io import model_parameters

        cell = model_parameters.apply(self.params, ex.Cell(ex.Morphology.from_swc(self.swc), dx_um=DX_UM),
                                      self.classes)
        sim = ex.Simulation(cell, dt=DT, temperature=self.celsius, v_init=self.v_init)
        amp, delay, dur = self.stim
        sim.stimulate(ex.IClamp(cell.soma, amplitude=amp, delay=delay, duration=dur))
        sim.record("v")
        return cell, sim

    def neuron(self):
        """(run, soma V) of NEURON's cell, or None when NEURON or nrnivmodl is missing."""
        from excitable.errors import ModelError
        from excitable.workflows import neuron_cell, neuron_side

        try:
            nrn = neuron_side.Neuron(self.files, self.classes, dt=DT, celsius=self.celsius)
        except (ModelError, ImportError) as err:
            print(f"NEURON: not run ({err})")
            return None
        self._keep = neuron_cell.neuron_model(nrn, self.swc, self.params, dx_um=DX_UM, stim=self.stim)
        h, t, v = nrn.h, self._keep[2], self._keep[3]

        def run():
            h.dt, h.secondorder, h.celsius = DT, 0, self.celsius
            h.finitialize(self.v_init)
            h.continuerun(self.tstop)
        return run, t, v


def spikes(t, v) -> np.ndarray:
    from excitable.analysis import spike_times

    return np.asarray(spike_times(np.asarray(t), np.asarray(v)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--mechanisms", help="a folder (or file) of the model's .mod files")
    ap.add_argument("--parameters", help="the model's parameter file (JSON)")
    ap.add_argument("--swc", default="allen-scnn1a", help="a shipped cell's name or an SWC path")
    ap.add_argument("--amplitude", type=float, default=0.5, help="soma step, nA")
    ap.add_argument("--tstop", type=float, default=110.0, help="ms")
    ap.add_argument("--celsius", type=float, default=None, help="degC (default: the file's)")
    ap.add_argument("--profile", action="store_true", help="per-step cost: op counts, time vs mechanisms")
    args = ap.parse_args(argv)
    if bool(args.mechanisms) != bool(args.parameters):
        ap.error("--mechanisms and --parameters go together")
    repeats = args.repeats or (3 if args.quick else 7)
    with tempfile.TemporaryDirectory() as tmp:
        params = Path(args.parameters) if args.parameters else Path(tmp) / "parameters.json"
        if not args.parameters:
            params.write_text(json.dumps(DEFAULT_PARAMETERS))
        files = [args.mechanisms] if args.mechanisms else default_files()
        work = Workload(files, params, args.swc, args.amplitude, args.tstop, args.celsius)
        rows = bench(work, repeats)
        if args.profile:
            profile(work)
    c.emit(rows)
    return 0


def bench(work: Workload, repeats: int) -> list[dict]:
    """Time both sides (module docstring); print the spike times and the ratios; the result rows."""
    cell, sim = work.simulation()
    n = int(cell.compartments.n)
    res = sim.run(work.tstop)
    ours_spikes = spikes(res.t, res["v"])
    run_wall, run_cpu = timed(lambda: np.asarray(sim.run(work.tstop)["v"]), repeats)
    model_wall, model_cpu = timed(lambda: np.asarray(work.simulation()[1].run(work.tstop)["v"]), repeats)
    print(f"load average before the timings: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (CPU s are this "
          f"process's own; wall s grow with the load)")
    print(f"model: {work.swc.name}, {n} compartments, {len(work.classes)} mechanisms "
          f"({', '.join(sorted(work.classes))}), {work.tstop:g} ms at dt {DT} ms, {work.celsius:g} degC")
    print(f"excitable spikes: {len(ours_spikes)} {np.round(ours_spikes, 3).tolist()}")
    print(f"excitable run:   {run_wall:.3f} s wall, {run_cpu:.3f} s CPU (median of {repeats}, warm)")
    print(f"excitable model: {model_wall:.3f} s wall, {model_cpu:.3f} s CPU (cell + simulation rebuilt, warm)")
    side = work.neuron()
    nrn_wall = nrn_cpu = same = None
    if side is not None:
        run, t, v = side
        run()
        nrn_spikes = spikes(t, v)
        print(f"NEURON spikes:    {len(nrn_spikes)} {np.round(nrn_spikes, 3).tolist()}")
        same = bool(len(nrn_spikes) == len(ours_spikes) and np.all(np.abs(nrn_spikes - ours_spikes) <= 0.1))
        print(f"spike times {'agree' if same else 'DIFFER'} (0.1 ms)")
        nrn_wall, nrn_cpu = timed(run, repeats)
        print(f"NEURON run:      {nrn_wall:.3f} s wall, {nrn_cpu:.3f} s CPU")
        print(f"speed-up (NEURON / excitable, CPU s): run {nrn_cpu / run_cpu:.2f}x, model {nrn_cpu / model_cpu:.2f}x")
    label = f"{n}-compartment {work.swc.stem}, {len(work.classes)} imported mechanisms, {work.tstop:g} ms"
    first = c.row("model", f"{label}: run (CPU s)", run_cpu, nrn_cpu, "faster than NEURON", 1.0)
    if same is False:  # different spike trains: the times compare different work
        first["met"] = False
    return [first,
            c.row("model", f"{label}: run (wall s)", run_wall, nrn_wall),
            c.row("model", f"{label}: model experiment per call (CPU s)", model_cpu, nrn_cpu)]


def step_counts(sim) -> dict:
    """What one time step is made of: JAX operations of ``stepping.step`` (all, gathers, scatters,
    exponentials) and the kernels XLA's CPU backend calls per step in the compiled scan (each a
    call of its own: on 287 compartments their number, not their arithmetic, was most of a step)."""
    import collections
    import re

    import jax

    from excitable.engine.integrate import compiled_runner, initial_state
    from excitable.engine.stepping import step

    spec = sim.run_spec()
    plan, params, drive = spec.plan, spec.parameters(), spec.drive(1.0)
    row = {k: a[0] for k, a in drive.items()}
    jaxpr = jax.make_jaxpr(lambda p, s, d: step(plan, p, s, d, spec.dt, spec.theta))(
        params, initial_state(plan, params), row)
    ops = collections.Counter(e.primitive.name for e in jaxpr.jaxpr.eqns)
    hlo = compiled_runner(plan, dt=spec.dt, theta=spec.theta).lower(params, drive).compile().as_text()
    bodies = [c for c in re.split(r"\n(?=\S)", hlo) if "region" in c.split("\n", 1)[0]
              and "fused" not in c.split("\n", 1)[0]]
    body = max(bodies, key=lambda c: c.count(" fusion("))  # the scan's body: the step
    calls = re.findall(r"= \S+ (fusion|copy|call)\(.*?(?:calls=%(\w+)|$)", body, re.M)
    return {"jax ops": sum(ops.values()), "gather": ops["gather"], "scatter": ops["scatter"] + ops["scatter-add"],
            "exp": ops["exp"], "XLA kernels per step": len(calls),
            "of which gather/scatter": sum(1 for _, name in calls if "gather" in name or "scatter" in name)}


def per_step_us(sim, repeats: int) -> float:
    """CPU microseconds per step of the compiled scan alone (no recording to the host)."""
    import jax

    from excitable.engine.integrate import compiled_runner

    spec = sim.run_spec()
    params, drive = spec.parameters(), spec.drive(PROFILE_TSTOP)
    run = compiled_runner(spec.plan, dt=spec.dt, theta=spec.theta)
    _, cpu = timed(lambda: jax.block_until_ready(run(params, drive)), repeats)
    return cpu / next(iter(drive.values())).shape[0] * 1e6


def profile(work: Workload, repeats: int = 5) -> None:
    """Per-step cost (module docstring): op counts of the whole model's step, then CPU us per step
    with the file's mechanisms added one at a time (in the file's order)."""
    import dataclasses

    print("\none step of the whole model:", step_counts(work.simulation()[1]))
    full = work.params
    names = list(full.mechanisms)
    print(f"CPU us per step ({PROFILE_TSTOP:g} ms runs) as the file's mechanisms are added one at a time:")
    for k in range(len(names) + 1):
        keep = set(names[:k])
        work.params = dataclasses.replace(full, entries=tuple(e for e in full.entries
                                                              if not e.mechanism or e.mechanism in keep))
        sim = work.simulation()[1]
        print(f"  {k} {'+ ' + names[k - 1] if k else '(passive)':14s} {per_step_us(sim, repeats):6.1f} us", flush=True)
    work.params = full


if __name__ == "__main__":
    sys.exit(main())
