"""FOR_NETCONS in an ARTIFICIAL_CELL's NET_RECEIVE (io/nmodl/for_netcons.py), side by side with NEURON
compiling the same file (mod_events/ev_fncart.mod: an integrate-and-fire cell that, when an input
brings m past 1, calls net_event and loops over every NetCon onto it, potentiating each one's A and
weight by the time since its own last spike tpre and counting spikes in k; the input that made it
fire then gains 100 in its own k, through NET_RECEIVE's argument; a refractory self-event 1.5 ms
later loops again, scaling every A by 0.75 and adding 1000 to every k, then adds 10 to its own
NetCon's k: a self-event's is its sender's, the input that made the cell fire).

Three spike trains (NEURON: one source-less NetCon each, driven by ``NetCon.event``), some off the
step grid, drive the cell; its net_events drive an ExpSyn on an hh compartment (delay 1 ms).
Tolerances: each NetCon's weight vector after the run equals NEURON's within 1e-12 relative (both
sides run the same few float64 operations, exp included, at the same event times: round-off only);
the cell's spike times within 1e-9 ms (they are input arrival times, carried exactly: 0 measured);
V of the hh cell within 1e-9 of its range (the same formulas stepped 1200 times: 2e-13 measured).
A loop that missed a NetCon or the k += 100 written before the loop would miss k by >= 1 (exact
integers), and the potentiation decides the spikes (NEURON with aplus = 0: 4 spikes, at 4, 10,
16 and 25 ms, where these inputs make 5).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.engine.integrate import compiled_runner
from excitable.engine.synapses import netcon_values
from excitable.io.nmodl import load_mod
from excitable.model.network import Network, Site
from tests.io.nmodl.neuron_side import share
from tests.reference.nrnmech import neuron_loaded

OWN = Path(__file__).parent / "mod_events"
DT, TSTOP = 0.025, 30.0
#: (weight, spike times ms) per input NetCon, in the order they are made
TRAINS = [(0.45, [1.0, 4.0, 9.0, 14.0, 19.0, 24.0]), (0.4, [2.0, 4.31, 10.0, 15.513, 20.0]),
          (0.35, [3.0, 5.0, 9.5071, 16.0, 21.0, 25.0])]
W_SYN, DELAY = 0.004, 1.0  # the cell's NetCon onto ExpSyn (µS, ms)
NAMES = ("w", "A", "tpre", "k")  # NET_RECEIVE's arguments: NEURON's weight[0..3]


def rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.ptp(b))


@pytest.fixture(scope="module")
def mods():
    return load_mod([OWN / "ev_fncart.mod", share() / "modfile" / "hh.mod", share() / "modfile" / "expsyn.mod"])


def neuron_run(trains=TRAINS):
    """NEURON: (the cell's spike times, V of the hh cell, each input NetCon's weight vector)."""
    h = neuron_loaded([OWN / "ev_fncart.mod"], "nrnmech-for-netcons-art", "the artificial FOR_NETCONS test file")
    sec = h.Section(name="fncart_b")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    cell, syn = h.ev_fncart(), h.ExpSyn(sec(0.5))
    syn.tau = 2.0
    ncs = [h.NetCon(None, cell) for _ in trains]
    for nc, (w, _) in zip(ncs, trains):
        nc.weight[0] = w
    out = h.NetCon(cell, syn)
    out.delay, out.weight[0] = DELAY, W_SYN
    spikes, v = h.Vector(), h.Vector().record(sec(0.5)._ref_v)
    out.record(spikes)
    fih = h.FInitializeHandler(lambda: [nc.event(t) for nc, (_, ts) in zip(ncs, trains) for t in ts])
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    weights = np.array([[nc.weight[j] for j in range(int(nc.wcnt()))] for nc in ncs])
    res = np.array(spikes), np.array(v), weights
    del fih, out, cell, syn, sec
    return res


def our_sim(mods, trains=TRAINS):
    b = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([b])
    x = net.artificial(mods.ev_fncart())
    for w, times in trains:
        net.spike_train(times, x, weight=w)
    syn = net.synapse(mods.ExpSyn(tau=2.0), b, t_max=0.0, pulse=0.0)
    net.connect(x, b, synapse=syn, weight=W_SYN, delay=DELAY)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.record("v", Site(0, b.soma), label="v")
    sim.record("ev_fncart[0].spike_t", label="x")
    return sim


def spike_times(trace):
    """The distinct net_event times in a recorded ``spike_t`` (-1 before the first)."""
    trace = np.asarray(trace).ravel()
    return trace[1:][np.diff(trace) != 0]


@pytest.fixture(scope="module")
def ours(mods):
    """(sim, jitted runner, drive, a function params -> (V, spike_t, NetCon table, events_lost))."""
    sim = our_sim(mods)
    run, drive = compiled_runner(sim.plan, dt=DT), sim.drive(TSTOP)

    def outputs(params):
        rec, _, final = run(params, drive)
        chan = final["chan"]["ev_fncart"]
        table = [netcon_values(sim.plan.connections, final["chan"], "ev_fncart", n) for n in NAMES]
        return rec[:, 0], rec[:, 1], table, chan["events_lost"]
    return sim, outputs


def test_an_artificial_cells_for_netcons_updates_every_netcon_as_neuron(ours):
    ref_t, ref_v, ref_w = neuron_run()
    sim, outputs = ours
    v, spike_t, table, lost = outputs(sim.parameters())
    # NEURON itself: five spikes; k = 1+2+3+4+5 from the spike loops + 5 x 1000 from the refractory
    # loops, + 110 per spike made by that NetCon's event (input 0 once, inputs 1 and 2 twice: + 100 in
    # the spike's NET_RECEIVE, + 10 in its self-event's)
    assert len(ref_t) == 5, ref_t
    assert np.array_equal(ref_w[:, 3], [5125.0, 5235.0, 5235.0]), ref_w
    assert np.all(ref_w[:, 1] > 0) and np.all(ref_w[:, 0] > [w for w, _ in TRAINS]), ref_w
    table = np.array([np.asarray(c) for c in table]).T
    assert np.allclose(table, ref_w, rtol=1e-12, atol=0), (table, ref_w)
    got = spike_times(spike_t)
    assert len(got) == len(ref_t) and np.max(np.abs(got - ref_t)) < 1e-9, (got, ref_t)
    assert rel(v, ref_v) < 1e-9, rel(v, ref_v)
    assert float(np.max(np.asarray(lost))) == 0


def test_public_result_reads_the_loops_writes(ours):
    """``Simulation.run(...).netcon`` gives the jitted run's per-NetCon values."""
    sim, outputs = ours
    table = outputs(sim.parameters())[2]
    res = sim.run(TSTOP)
    for j, n in enumerate(NAMES):
        assert np.array_equal(np.asarray(res.netcon("ev_fncart", n)), np.asarray(table[j])), n


def test_batch_and_grad_through_the_artificial_loop(ours):
    """A vmapped batch over input 0's weight equals the runs one by one (1e-12: one program's
    round-off; 0.45 and 0.3 fire differently); d(sum of the NetCons' final A)/d(tauplus) by jax.grad
    equals a central difference: with the spikes fixed, A is a sum of aplus*exp(-dt/tauplus) terms
    scaled by 0.75s, smooth in tauplus; a step of 1e-6 ms leaves truncation ~1e-12 of the derivative
    and round-off ~1e-9 (5e-10 measured), inside the 1e-7 asked; and it is not 0."""
    import jax
    import jax.numpy as jnp

    sim, outputs = ours
    base = sim.parameters()

    def with_w0(w0):
        w = jnp.asarray(base["syn"]["ev_fncart"]["weight"]).at[0].set(w0)
        return {**base, "syn": {**base["syn"], "ev_fncart": {**base["syn"]["ev_fncart"], "weight": w}}}

    def flat(out):
        v, spike_t, table, _ = out
        return jnp.concatenate([v, spike_t, *[jnp.ravel(c) for c in table]])

    w0s = jnp.array([0.45, 0.3])
    many = jax.vmap(lambda w0: flat(outputs(with_w0(w0))))(w0s)
    one = [np.asarray(flat(outputs(with_w0(w0)))) for w0 in w0s]
    assert np.max(np.abs(one[1] - one[0])) > 1e-3  # another run: other spikes, other values
    for k in range(2):
        assert np.max(np.abs(np.asarray(many[k]) - one[k])) <= 1e-12 * np.max(np.abs(one[k])), k

    def sum_a(tauplus):
        cell = dataclasses.replace(base["channels"]["ev_fncart"], tauplus=tauplus)
        params = {**base, "channels": {**base["channels"], "ev_fncart": cell}}
        return jnp.sum(outputs(params)[2][1])

    t0, step = 4.0, 1e-6
    g = float(jax.grad(sum_a)(t0))
    fd = (float(sum_a(t0 + step)) - float(sum_a(t0 - step))) / (2 * step)
    assert g != 0 and abs(g - fd) < 1e-7 * abs(fd), (g, fd)
