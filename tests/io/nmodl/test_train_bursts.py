"""Spike trains with several spikes in one time step into a mechanism with events, side by side
with NEURON compiling the same files.

NEURON delivers every event of a NetCon due by t + dt/2 at the start of the step from t, in time
order, NET_RECEIVE reading each one's own time as ``t``. The engine's lane brings one event per
step, so a train putting m spikes in one step runs as m lanes (model/train_split.py), invisible to
the user: one connection, one weight in the parameters.

- mod_events/ev_count.mod (counts every event, ``tlast = t``; a weight-0 event counted apart, its
  time in ``tpost``): two trains onto one instance, with 2 and 3 spikes inside single steps, off
  the grid, on it, and at the same time (at 0 too, delivered in finitialize), one of them of
  weight 0 and delay 1.01 ms.
- mod_events/ev_tm.mod (Tsodyks-Markram resources of the synapse: each event's jump depends on
  the one before and on the time since it) on an hh compartment, a windowed Poisson train (fixed
  seed) with several same-step pairs and a triple; a batch over its weight.

NEURON side: one source-less NetCon per train, ``nc.event(T)`` for each arrival T = spike + delay
(the float64 sum NEURON's NetCon forms; test_event_timing.py), queued at finitialize.

Tolerances: counts exact at every step; event times (tlast, tpost) within 1e-9 ms (ours sums the
clock by half steps as NEURON does and carries T - t_n: round-off, 1e-13 ms found); V and g within
1e-6 of their range (issue 18; the same formulas at the same times in float64 leave 1e-12 or
less, while the two spikes of a step summed into one event miss by 1e-1 of V's range); a batch
member and the single run of its parameters: 1e-12 of the range (one program's round-off).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.model.network import Network
from excitable.model.train_split import MAX_LANES
from excitable.physics.receptors import AMPA
from tests.io.nmodl.neuron_side import share
from tests.reference.nrnmech import neuron_loaded

OWN = Path(__file__).parent / "mod_events"
DT = 0.025
TOL = 1e-6
#: ev_count's trains (spike times ms, delay ms, weight µS). A: two at 0 (finitialize), two at 0.5,
#: 1.0 on the grid with 1.0 + dt/3, three around 2.0 (1.995, 2.005, 2.01: one step), dt/4 and
#: dt/2 past 3.0, three at the same time; B (weight 0: tpost, npost), 1.01 ms later: dt/5 apart
#: (arriving at 1.205 and 1.21 ms, both in the step from 1.2), and two at the same time.
TRAINS = ((0.0, 0.0, 0.5, 0.5, 1.0, 1.0 + DT / 3, 1.995, 2.005, 2.01, 3.0 + DT / 4, 3.0 + DT / 2,
           4.0 + DT / 3, 4.0 + DT / 3, 4.0 + DT / 3, 6.0), 0.0, 0.002), ((0.195, 0.2, 2.0, 2.0, 5.0), 1.01, 0.0)
COUNT_TRACES = ("v", "g", "nev", "tlast", "tpost", "npost")
COUNT_TSTOP = 8.0
#: ev_tm's train: Poisson at 8 kHz (a pooled population) in windows 2-5 ms of every 15 ms, seed 7.
TM_TSTOP, TM_WEIGHT = 60.0, 0.02


def rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.ptp(b))


def poisson_windows() -> np.ndarray:
    rng = np.random.default_rng(7)
    ts = np.cumsum(rng.exponential(1.0 / 8.0, size=720))
    return ts[(ts < TM_TSTOP - 1.0) & (ts % 15.0 > 2.0) & (ts % 15.0 < 5.0)]


def neuron_run(name: str, trains, traces, tstop: float) -> dict:
    """NEURON: ``name`` on an hh compartment (20 x 20 µm, 6.3 °C), a source-less NetCon per train
    [(times, delay, weight)], the traces recorded at every step."""
    h = neuron_loaded([OWN / "ev_count.mod", OWN / "ev_tm.mod"], "nrnmech-train-bursts", "ev_count.mod, ev_tm.mod")
    sec = h.Section(name=f"{name}_bursts")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    syn = getattr(h, name)(sec(0.5))
    ncs = []
    for times, delay, weight in trains:
        ncs.append((h.NetCon(None, syn), [t + delay for t in times]))
        ncs[-1][0].weight[0] = weight
    fih = h.FInitializeHandler(lambda: [nc.event(t) for nc, ts in ncs for t in ts])
    rec = {k: h.Vector().record(sec(0.5)._ref_v if k == "v" else getattr(syn, f"_ref_{k}")) for k in traces}
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(tstop)
    out = {k: np.array(x) for k, x in rec.items()}
    del fih, syn, sec  # NEURON objects go with the run (the NetCons with the handler)
    return out


@pytest.fixture(scope="module")
def mods():
    return load_mod([OWN / "ev_count.mod", OWN / "ev_tm.mod", OWN / "ev_stdp.mod", share() / "modfile" / "hh.mod"])


def ours(mods, name: str, trains, traces) -> ex.Simulation:
    """The same on our side: one ``spike_train`` per train onto one instance."""
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    handle = net.synapse(getattr(mods, name)(), 0, t_max=0.0, pulse=0.0)
    for times, delay, weight in trains:
        net.spike_train(times, 0, synapse=handle, delay=delay, weight=weight)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    for k in traces:
        sim.record("v" if k == "v" else f"{name}[0].{k}", label=k)
    return sim


@pytest.mark.neuron
def test_spikes_in_one_step_reach_ev_count_one_by_one_as_neurons(mods):
    """Every event counted at NEURON's steps (the counts equal at every step), tlast/tpost within
    1e-9 ms, V and g within 1e-6 of range; the split is not seen: two connections, one weight each."""
    ref = neuron_run("ev_count", TRAINS, COUNT_TRACES, COUNT_TSTOP)
    sim = ours(mods, "ev_count", TRAINS, COUNT_TRACES)
    res = sim.run(COUNT_TSTOP)
    assert ref["nev"][-1] == sum(len(t) for t, _, _ in TRAINS) and ref["npost"][-1] == len(TRAINS[1][0])
    assert np.max(np.diff(ref["nev"])) >= 3 and np.max(np.diff(ref["npost"])) == 2  # NEURON: one step's events
    for k in ("nev", "npost"):
        assert np.array_equal(np.asarray(res[k]).ravel(), ref[k]), k
    for k in ("tlast", "tpost"):
        assert np.max(np.abs(np.asarray(res[k]).ravel() - ref[k])) < 1e-9, k
    for k in ("v", "g"):
        assert rel(np.asarray(res[k]).ravel(), ref[k]) < TOL, (k, rel(np.asarray(res[k]).ravel(), ref[k]))
    # three spikes share a step of train A, two of B: 5 lanes in the engine, 2 connections for the user
    assert sim.plan.connections.n_external == 5 and len(sim.network.connections) == len(sim.network.trains) == 2
    assert np.asarray(sim.parameters()["syn"]["ev_count"]["weight"]).tolist() == [0.002, 0.0]


@pytest.fixture(scope="module")
def tm(mods):
    """ev_tm driven by the windowed Poisson train: (NEURON's traces, the Simulation, its run)."""
    train = ((poisson_windows(), 0.0, TM_WEIGHT),)
    ref = neuron_run("ev_tm", train, ("v", "g", "x"), TM_TSTOP)
    sim = ours(mods, "ev_tm", train, ("v", "g", "x"))
    return ref, sim, sim.run(TM_TSTOP)


@pytest.mark.neuron
def test_a_poisson_train_into_a_nonlinear_synapse_runs_as_neurons(tm):
    """Same-step pairs (8) and a triple, found by NEURON's rule written out (the first step n with
    T <= (n + 1/2) dt); V, g and x within 1e-6 of range, the same spikes at the same steps."""
    ref, _, res = tm
    _, per_step = np.unique(np.ceil(poisson_windows() / DT - 0.5), return_counts=True)
    assert np.sum(per_step == 2) >= 5 and np.sum(per_step == 3) >= 1
    for k in ("v", "g", "x"):
        assert rel(np.asarray(res[k]).ravel(), ref[k]) < TOL, (k, rel(np.asarray(res[k]).ravel(), ref[k]))
    up = [np.flatnonzero((x[:-1] < 0) & (x[1:] >= 0)) for x in (np.asarray(res["v"]).ravel(), ref["v"])]
    assert len(up[0]) >= 3 and np.array_equal(up[0], up[1]), up


def test_a_batch_over_the_weight_gives_each_member_its_single_run(tm):
    """``run_batch`` over the train's weight (one value for all its lanes): each member's V equals
    the single run with that weight (1e-12 of range), the first the run above."""
    _, sim, res = tm
    base = sim.parameters()

    def with_weight(params, w):  # the train's weight: params["syn"]["ev_tm"]["weight"], one per connection
        return {**params, "syn": {**params["syn"], "ev_tm": {**params["syn"]["ev_tm"], "weight": w}}}

    weights = np.array([TM_WEIGHT, TM_WEIGHT / 2])
    many = np.asarray(sim.run_batch(TM_TSTOP, with_weight(ex.broadcast(base, 2), weights[:, None]))["v"])
    one = [np.asarray(res["v"]).ravel(), np.asarray(sim.run(TM_TSTOP, params=with_weight(base, weights[1:]))["v"]).ravel()]
    assert rel(one[1], one[0]) > 1e-2  # half the weight: another run
    for k in range(2):
        assert rel(many[k].ravel(), one[k]) < 1e-12, (k, rel(many[k].ravel(), one[k]))


def test_too_many_spikes_in_one_step_are_refused_in_one_line(mods):
    """17 spikes of one train in one step: one line naming the train, its receptor and the count;
    16 are built (16 lanes); a train into a mechanism with per-NetCon state refuses a pair."""
    burst = 1.0 + np.linspace(-0.01, 0.01, MAX_LANES + 1)  # all in the step from 1.0 ms
    for n, lanes in ((MAX_LANES, MAX_LANES), (MAX_LANES + 1, None)):
        sim = ours(mods, "ev_count", (((0.5, *burst[:n]), 0.0, 0.001),), ("g",))
        if lanes is not None:
            assert sim.plan.connections.groups[0].lanes()[1] == lanes
            continue
        with pytest.raises(ModelError) as err:
            sim.run(2.0)
        assert "\n" not in str(err.value)
        assert str(err.value).startswith(f"spike_train 0: {n} spikes within one step (0.025 ms, the step from 1 ms) "
                                         "reach ev_count[0], a mechanism with events: at most 16"), str(err.value)
    with pytest.raises(ModelError, match=r"^spike_train 0: 2 spikes within one step \(0.025 ms, the step from "
                                         r"2 ms\) reach ev_stdp\[0\], whose NET_RECEIVE keeps per-NetCon state"):
        ours(mods, "ev_stdp", (((1.0, 2.0, 2.01), 0.0, 0.001),), ("g",)).run(3.0)


def test_lanes_follow_dt_and_built_in_receptors_take_one(mods):
    """The lanes are counted at the run's dt (a plan built at 0.025 ms is built again at 0.1 ms,
    where 1.0 and 1.03 ms share a step); a train into a built-in receptor or a mechanism without
    events stays one connection of the engine (its arrivals summed, as before)."""
    sim = ours(mods, "ev_count", (((1.0, 1.03), 0.0, 0.001),), ("g",))
    assert sim.plan.connections.n_external == 1
    sim.dt = 0.1
    assert sim.plan.connections.n_external == 2 and sim.plan.connections.groups[0].row.tolist() == [0, 0]
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    net.spike_train([1.0, 1.0, 1.01], 0, AMPA(), weight=0.5)
    plain = ex.Simulation(net, dt=DT).plan.connections
    assert plain.n_external == 1 and plain.groups[0].row is None and plain.groups[0].source.tolist() == [0]
