"""A spiking network of 1000 HH cells with 100 synapses each, 1 s: excitable vs NEURON (and Brian2).

Workload: 1000 single-compartment 20 x 20 um HH cells (6.3 degC, dt 0.025 ms, exact rates), each
driven by its own steady current (6 to 12 uA/cm2, spread evenly, so the cells fire at different
rates, 0-90 Hz; NEURON: an IClamp per cell; Brian2: a constant ``I``; excitable: a three-line density
mechanism ``Steady(amp)``, the same equation, because 1000 IClamps would be sampled into a
1000 x 40 000 waveform array: ``--iclamp`` measures that variant) and receiving exactly 100
synapses from distinct random cells (no autapses): cells
0-799 are excitatory (Exp2Syn tau 0.5/2 ms, E 0 mV, peak 0.2 nS), 800-999 inhibitory (Exp2Syn
0.5/5 ms, E -80 mV, peak 0.8 nS); one Exp2Syn of each kind per cell receives all its synapses of
that kind (NEURON's usual set-up: the synapse is linear, so one object sums every NetCon exactly).
Delays are 1-3 ms (whole steps), threshold 0 mV; spike times of every cell are recorded, no
voltages. The same connectivity, drives and parameters on every side; total spike counts printed
to check that the runs did the same work (excitable and NEURON: the same spikes; Brian2 integrates
differently, see below, and fires about 2 % fewer).

Measured:
- excitable: building the Network (100 000 ``connect`` calls) and the Simulation plan; the first
  ``sim.run`` (trace + XLA compile + run, empty JAX cache) and the median warm run;
  compile time = first - warm;
- NEURON (where installed): build (sections, IClamps, Exp2Syns, 100 000 NetCons, spike recording),
  finitialize + ``continuerun(1000)`` and ``ParallelContext.psolve`` (one thread);
- Brian2 (where it imports: ``--brian2-python PATH`` runs it in another interpreter, e.g. a venv with
  numpy < 2, since Brian2 2.9 does not import with NumPy 2): the same network as equations,
  exponential Euler for every variable (V too; NEURON and excitable: backward Euler for V), runtime
  target (Cython),
  first run (code generation + compile + run) and a second run in the same process.

Usage: python benchmarks/bench_network.py [--quick] [--cells N] [--tstop MS] [--brian2-python PATH]
(``BRIAN2_PYTHON=/path/to/python`` does the same as ``--brian2-python``.)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import _common as c

N_IN = 100
EXC_FRACTION = 0.8
W_EXC_US, W_INH_US = 0.0002, 0.0008
TAU_EXC, TAU_INH = (0.5, 2.0), (0.5, 5.0)
SEED = 7


def workload(n: int) -> dict:
    """Connectivity, delays and drives (numpy), the same for every simulator."""
    rng = np.random.default_rng(SEED)
    k = min(N_IN, n - 1)
    pre = np.empty((n, k), int)
    for post in range(n):
        choice = rng.choice(n - 1, size=k, replace=False)
        pre[post] = choice + (choice >= post)  # skip the cell itself
    delay = rng.integers(40, 121, size=(n, k)) * c.DT  # 1-3 ms in whole steps
    amp = np.linspace(6.0, 12.0, n)  # uA/cm2
    return {"n": n, "pre": pre, "delay": delay, "amp": amp, "n_exc": int(round(EXC_FRACTION * n))}


def steady_current():
    """A density mechanism that injects a constant current (uA/cm2, inward positive): the drive as a
    per-cell parameter instead of 1000 stimulus waveforms sampled at every step."""
    import jax.numpy as jnp

    import excitable as ex

    @ex.channel
    class Steady(ex.AbstractChannel):
        amp: float = 0.0  # uA/cm2

        units = {"amp": "uA/cm2"}

        def currents(self, v, s):
            return {"i": -self.amp + jnp.zeros_like(v)}

    return Steady


def ours(w: dict, tstop: float, repeats: int, iclamp: bool = False) -> dict:
    import excitable as ex
    from excitable.model.network import Network
    from excitable.physics.receptors import Exp2Syn

    n, n_exc = w["n"], w["n_exc"]
    t0 = time.perf_counter()
    cells = [ex.Cell.cylinder(length=c.LENGTH_UM, diameter=c.DIAMETER_UM).insert(ex.HH()) for _ in range(n)]
    if not iclamp:
        Steady = steady_current()
        for cell, amp in zip(cells, w["amp"]):
            cell.insert(Steady(amp=float(amp)))
    net = Network(cells)
    exc_syn = Exp2Syn(tau1=TAU_EXC[0], tau2=TAU_EXC[1], e=0.0)
    inh_syn = Exp2Syn(tau1=TAU_INH[0], tau2=TAU_INH[1], e=-80.0)
    for post in range(n):
        e = net.synapse(exc_syn, post, t_max=0.0, pulse=0.0)
        i = net.synapse(inh_syn, post, t_max=0.0, pulse=0.0)
        for pre, d in zip(w["pre"][post], w["delay"][post]):
            exc = pre < n_exc
            net.connect(int(pre), post, synapse=e if exc else i, delay=float(d),
                        weight=W_EXC_US if exc else W_INH_US)
    sim = ex.Simulation(net, dt=c.DT, temperature=c.CELSIUS, v_init=-65.0)
    for k, (cell, amp) in enumerate(zip(cells, w["amp"]) if iclamp else ()):
        sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(amp, cell.soma), delay=0.0,
                                duration=tstop), cell=k)
    sim.record_spikes()
    params = sim.parameters()
    build = time.perf_counter() - t0
    res = {}
    first = c.timed(lambda: res.setdefault("r", sim.run(tstop, params=params)))
    warm = c.median_time(lambda: sim.run(tstop, params=params), repeats)
    spikes = int(sum(len(x) for x in res["r"].spikes.values()))
    return {"build": build, "first": first, "warm": warm, "spikes": spikes}


def neuron(w: dict, tstop: float, repeats: int) -> dict | None:
    h = c.neuron_h()
    if h is None:
        return None
    n, n_exc = w["n"], w["n_exc"]
    t0 = time.perf_counter()
    secs, keep = [], []
    for k in range(n):
        sec, stim = c.neuron_hh_section(h, f"cell{k}", c.density_to_nA(w["amp"][k]), 0.0, tstop)
        secs.append(sec)
        keep.append(stim)
    pc = h.ParallelContext()
    syns = []
    for k, sec in enumerate(secs):
        pc.set_gid2node(k, pc.id())
        nc = h.NetCon(sec(0.5)._ref_v, None, sec=sec)
        nc.threshold = 0.0
        pc.cell(k, nc)
        e = h.Exp2Syn(sec(0.5))
        e.tau1, e.tau2, e.e = TAU_EXC[0], TAU_EXC[1], 0.0
        i = h.Exp2Syn(sec(0.5))
        i.tau1, i.tau2, i.e = TAU_INH[0], TAU_INH[1], -80.0
        syns.append((e, i))
    ncs = []
    for post in range(n):
        for pre, d in zip(w["pre"][post], w["delay"][post]):
            exc = pre < n_exc
            nc = pc.gid_connect(int(pre), syns[post][0 if exc else 1])
            nc.delay, nc.weight[0] = float(d), W_EXC_US if exc else W_INH_US
            ncs.append(nc)
    t_vec, id_vec = h.Vector(), h.Vector()
    pc.spike_record(-1, t_vec, id_vec)
    c.neuron_setup(h)
    pc.set_maxstep(10.0)
    build = time.perf_counter() - t0

    continuerun, psolve = c.neuron_runners(h, tstop, pc)

    out = {"build": build, "continuerun": c.median_time(continuerun, repeats), "spikes": int(t_vec.size())}
    out["psolve"] = c.median_time(psolve, repeats)
    return out


BRIAN2_CODE = r'''
import json, sys, time
import numpy as np
t0 = time.perf_counter()
from brian2 import *
prefs.codegen.target = "cython"
w = np.load(sys.argv[1]); n = int(w["n"]); n_exc = int(w["n_exc"]); tstop = float(sys.argv[2])
area = pi * (20 * um) ** 2
defaultclock.dt = 0.025 * ms
phi = 3.0 ** ((6.3 - 6.3) / 10.0)
eqs = """
dv/dt = (I - gNa*m**3*h*(v - 50*mV) - gK*n**4*(v + 77*mV) - gL*(v + 54.3*mV)
         + ge*(0*mV - v) + gi*(-80*mV - v)) / C : volt
dm/dt = alpham*(1 - m) - betam*m : 1
dh/dt = alphah*(1 - h) - betah*h : 1
dn/dt = alphan*(1 - n) - betan*n : 1
alpham = 0.1/mV*(v + 40*mV)/(1 - exp(-(v + 40*mV)/(10*mV)))/ms : Hz
betam = 4*exp(-(v + 65*mV)/(18*mV))/ms : Hz
alphah = 0.07*exp(-(v + 65*mV)/(20*mV))/ms : Hz
betah = 1/(1 + exp(-(v + 35*mV)/(10*mV)))/ms : Hz
alphan = 0.01/mV*(v + 55*mV)/(1 - exp(-(v + 55*mV)/(10*mV)))/ms : Hz
betan = 0.125*exp(-(v + 65*mV)/(80*mV))/ms : Hz
ge = Be - Ae : siemens
gi = Bi - Ai : siemens
dAe/dt = -Ae/(0.5*ms) : siemens
dBe/dt = -Be/(2*ms) : siemens
dAi/dt = -Ai/(0.5*ms) : siemens
dBi/dt = -Bi/(5*ms) : siemens
I : amp
"""
C = 1 * uF / cm**2 * area
gNa, gK, gL = 120 * msiemens / cm**2 * area, 36 * msiemens / cm**2 * area, 0.3 * msiemens / cm**2 * area
G = NeuronGroup(n, eqs, method="exponential_euler", threshold="v >= 0*mV", refractory="v >= 0*mV",
                namespace=dict(C=C, gNa=gNa, gK=gK, gL=gL))
G.v = -65 * mV
G.m = "alpham/(alpham + betam)"; G.h = "alphah/(alphah + betah)"; G.n = "alphan/(alphan + betan)"
G.I = w["amp"] * uA / cm**2 * area
def factor(t1, t2):
    tp = t1 * t2 / (t2 - t1) * np.log(t2 / t1)
    return 1.0 / (np.exp(-tp / t2) - np.exp(-tp / t1))
fe, fi = factor(0.5, 2.0), factor(0.5, 5.0)
pre = w["pre"]; post = np.repeat(np.arange(n), pre.shape[1]); pre = pre.ravel(); d = w["delay"].ravel()
exc = pre < n_exc
Se = Synapses(G, G, "wt : siemens", on_pre="Ae_post += wt*fe; Be_post += wt*fe", namespace=dict(fe=fe))
Se.connect(i=pre[exc], j=post[exc]); Se.wt = float(w["w_exc"]) * uS; Se.delay = d[exc] * ms
Si = Synapses(G, G, "wt : siemens", on_pre="Ai_post += wt*fi; Bi_post += wt*fi", namespace=dict(fi=fi))
Si.connect(i=pre[~exc], j=post[~exc]); Si.wt = float(w["w_inh"]) * uS; Si.delay = d[~exc] * ms
M = SpikeMonitor(G)
net = Network(G, Se, Si, M)
net.store()
build = time.perf_counter() - t0
t1 = time.perf_counter(); net.run(tstop * ms); first = time.perf_counter() - t1
n_spikes = int(M.num_spikes)
net.restore(); t1 = time.perf_counter(); net.run(tstop * ms); second = time.perf_counter() - t1
print(json.dumps({"build": build, "first": first, "warm": second, "spikes": n_spikes}))
'''


def brian2(python: str, w: dict, tstop: float) -> dict | None:
    """Run the Brian2 version in ``python`` (another interpreter); None if it fails."""
    with tempfile.TemporaryDirectory(prefix="excitable-bench-brian2-") as tmp:
        data = os.path.join(tmp, "w.npz")
        np.savez(data, n=w["n"], n_exc=w["n_exc"], pre=w["pre"], delay=w["delay"], amp=w["amp"],
                 w_exc=W_EXC_US, w_inh=W_INH_US)
        script = os.path.join(tmp, "brian2_network.py")
        with open(script, "w") as f:
            f.write(BRIAN2_CODE)
        proc = subprocess.run([python, script, data, str(tstop)], capture_output=True, text=True,
                              env={**os.environ, "HOME": tmp})
        if proc.returncode != 0:
            last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "?"
            print(f"  Brian2 not run ({last}); set BRIAN2_PYTHON to an interpreter that has it")
            return None
        return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="200 ms instead of 1 s, one repeat")
    ap.add_argument("--cells", type=int, default=1000)
    ap.add_argument("--iclamp", action="store_true",
                    help="drive our cells with 1000 IClamps (dense waveforms), not a steady-current mechanism")
    ap.add_argument("--tstop", type=float, default=None, help="ms (default 1000, --quick 200)")
    ap.add_argument("--brian2-python", default=os.environ.get("BRIAN2_PYTHON"),
                    help="an interpreter where Brian2 imports (default: $BRIAN2_PYTHON, else this one)")
    args = ap.parse_args(argv)
    tstop = args.tstop or (200.0 if args.quick else 1000.0)
    repeats = 1 if args.quick else 3
    w = workload(args.cells)
    n_syn = w["pre"].size

    with tempfile.TemporaryDirectory(prefix="excitable-bench-cache-") as cache:
        os.environ["JAX_COMPILATION_CACHE_DIR"] = cache  # an empty cache: the first call compiles
        mine = ours(w, tstop, repeats, args.iclamp)
    nrn = neuron(w, tstop, repeats)
    b2_python = args.brian2_python or sys.executable
    b2 = brian2(b2_python, w, tstop)
    steps = int(round(tstop / c.DT))
    print(f"{args.cells} HH cells, {n_syn} synapses (Exp2Syn + NetCon, delays 1-3 ms), {tstop:g} ms, "
          f"dt {c.DT} ms ({steps} steps), spikes recorded, median of {repeats}")
    print(f"  excitable run (warm)        {c.fmt_s(mine['warm']):>10}   ({mine['spikes']} spikes; "
          f"{mine['warm'] / steps * 1e6:.1f} us per step)")
    print(f"  excitable first call        {c.fmt_s(mine['first']):>10}   compile = first - warm "
          f"{c.fmt_s(mine['first'] - mine['warm'])}")
    print(f"  excitable build (Python)    {c.fmt_s(mine['build']):>10}")
    rows = [c.row("network", f"{args.cells} cells x {N_IN} syn, {tstop:g} ms vs continuerun", mine["warm"],
                  nrn and nrn["continuerun"], "> 1x", 1.0)]
    if nrn:
        for key in ("continuerun", "psolve"):
            print(f"  NEURON {key:<20} {c.fmt_s(nrn[key]):>10}   speed-up {nrn[key] / mine['warm']:.1f}x")
        print(f"  NEURON build                {c.fmt_s(nrn['build']):>10}   ({nrn['spikes']} spikes)")
        rows.append(c.row("network", f"{args.cells} cells x {N_IN} syn, {tstop:g} ms vs pc.psolve",
                          mine["warm"], nrn["psolve"]))
    else:
        print("  NEURON not installed: no reference timing")
    if b2:
        print(f"  Brian2 (cython) second run  {c.fmt_s(b2['warm']):>10}   "
              f"speed-up {b2['warm'] / mine['warm']:.1f}x"
              f"   ({b2['spikes']} spikes)")
        print(f"  Brian2 first run            {c.fmt_s(b2['first']):>10}   (code generation + compile + run)")
        label = f"{args.cells} cells x {N_IN} syn, {tstop:g} ms vs Brian2 (speed-up: Brian2 / ours)"
        rows.append({**c.row("network", label, mine["warm"], None),
                     "neuron": None, "speedup": b2["warm"] / mine["warm"], "goal": "> 1x",
                     "met": b2["warm"] > mine["warm"]})
    rows.append(c.row("network", f"compile (first - warm), {args.cells} cells", mine["first"] - mine["warm"]))
    c.emit(rows)


if __name__ == "__main__":
    sys.exit(main())
