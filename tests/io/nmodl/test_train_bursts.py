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
- per-NetCon state (NET_RECEIVE's arguments after the weight, or a weight it writes: NEURON's one
  NetCon carries it from event to event, so a split train's lanes share one row,
  engine/netcons.py): mod_events/ev_tmnc.mod (Tsodyks-Markram with y, z, u, tsyn per NetCon)
  under the same Poisson train, and a batch over its weight; ev_pulse.mod (kinetic, on, nspike,
  r0, t0 per NetCon) with two trains onto one synapse, each with spikes sharing a step, beside
  ev_depress.mod (a weight written at each spike). Each checked against NEURON's traces and its
  NetCons' weight vectors after the run, and against the same trains run lane by lane (each lane
  a row of its own), which misses.

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
from excitable.model.train_split import MAX_LANES, split_trains, train_lanes
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


#: Every file NEURON runs here: one library per process (NEURON loads a name once; neuron_loaded
#: compiles only those another test module has not loaded already).
NEURON_FILES = [OWN / f"{n}.mod" for n in ("ev_count", "ev_tm", "ev_tmnc", "ev_pulse", "ev_depress")]


def neuron_synapses(synapses: dict, traces, tstop: float) -> tuple[dict, dict]:
    """NEURON: point processes on one hh compartment (20 x 20 µm, 6.3 °C), {name: [(times, delay,
    weight), ...]}: ONE source-less NetCon per train, each arrival T = spike + delay given to it
    by ``NetCon.event(T)`` (a VecStim's spike through the NetCon arrives at the same float64 sum;
    the wheel has no VecStim); ``traces``: "v" or "name.variable", recorded at every step.
    Returns (traces, {name: each NetCon's weight vector after the run: weight[0], then
    NET_RECEIVE's arguments})."""
    h = neuron_loaded(NEURON_FILES, "nrnmech-train-bursts", "the train-burst test files")
    sec = h.Section(name="bursts")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    syns, ncs = {}, []
    for name, trains in synapses.items():
        syns[name] = getattr(h, name)(sec(0.5))
        for times, delay, weight in trains:
            ncs.append((name, h.NetCon(None, syns[name]), [t + delay for t in times]))
            ncs[-1][1].weight[0] = weight
    fih = h.FInitializeHandler(lambda: [nc.event(t) for _, nc, ts in ncs for t in ts])
    rec = {k: h.Vector().record(sec(0.5)._ref_v if k == "v" else getattr(syns[k.split(".")[0]],
                                                                          f"_ref_{k.split('.')[1]}")) for k in traces}
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(tstop)
    out = {k: np.array(x) for k, x in rec.items()}
    kept = {name: np.array([[nc.weight[j] for j in range(int(nc.wcnt()))] for m, nc, _ in ncs if m == name])
            for name in synapses}
    del fih, syns, sec  # NEURON objects go with the run (the NetCons with the handler)
    return out, kept


def neuron_run(name: str, trains, traces, tstop: float) -> dict:
    """NEURON: ``name`` alone (``neuron_synapses``), its traces by their own names."""
    out, _ = neuron_synapses({name: trains}, [k if k == "v" else f"{name}.{k}" for k in traces], tstop)
    return {k.split(".")[-1]: x for k, x in out.items()}


@pytest.fixture(scope="module")
def mods():
    return load_mod([*NEURON_FILES, share() / "modfile" / "hh.mod"])


def our_synapses(mods, synapses: dict, traces) -> ex.Simulation:
    """The same on our side: one ``spike_train`` per train, each synapse one instance; ``traces``
    as ``neuron_synapses``'s (labels as given)."""
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    for name, trains in synapses.items():
        handle = net.synapse(getattr(mods, name)(), 0, t_max=0.0, pulse=0.0)
        for times, delay, weight in trains:
            net.spike_train(times, 0, synapse=handle, delay=delay, weight=weight)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    for k in traces:
        sim.record("v" if k == "v" else "{}[0].{}".format(*k.split(".")), label=k)
    return sim


def ours(mods, name: str, trains, traces) -> ex.Simulation:
    """``name`` alone (``our_synapses``), its traces labelled by their own names."""
    sim = our_synapses(mods, {name: trains}, ())
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


def assert_weight_batch_equals_single_runs(sim, res, mechanism: str) -> None:
    """``run_batch`` over the train's weight onto ``mechanism`` (one value for all its lanes): each
    member's V equals the single run with that weight (1e-12 of range: one program's round-off),
    the first ``res``, the run at the train's weight."""
    base = sim.parameters()

    def with_weight(params, w):  # the train's weight: params["syn"][mechanism]["weight"], one per connection
        return {**params, "syn": {**params["syn"], mechanism: {**params["syn"][mechanism], "weight": w}}}

    weights = np.array([TM_WEIGHT, TM_WEIGHT / 2])
    many = np.asarray(sim.run_batch(TM_TSTOP, with_weight(ex.broadcast(base, 2), weights[:, None]))["v"])
    one = [np.asarray(res["v"]).ravel(), np.asarray(sim.run(TM_TSTOP, params=with_weight(base, weights[1:]))["v"]).ravel()]
    assert rel(one[1], one[0]) > 1e-2  # half the weight: another run
    for k in range(2):
        assert rel(many[k].ravel(), one[k]) < 1e-12, (k, rel(many[k].ravel(), one[k]))


def test_a_batch_over_the_weight_gives_each_member_its_single_run(tm):
    _, sim, res = tm
    assert_weight_batch_equals_single_runs(sim, res, "ev_tm")


def test_too_many_spikes_in_one_step_are_refused_in_one_line(mods):
    """17 spikes of one train in one step: one line naming the train, its receptor and the count;
    16 are built (16 lanes), into a mechanism keeping per-NetCon state too (its lanes one row)."""
    burst = 1.0 + np.linspace(-0.01, 0.01, MAX_LANES + 1)  # all in the step from 1.0 ms
    for name in ("ev_count", "ev_tmnc"):
        for n, lanes in ((MAX_LANES, MAX_LANES), (MAX_LANES + 1, None)):
            sim = ours(mods, name, (((0.5, *burst[:n]), 0.0, 0.001),), ("g",))
            if lanes is not None:
                assert sim.plan.connections.groups[0].lanes()[1] == lanes
                continue
            with pytest.raises(ModelError) as err:
                sim.run(2.0)
            assert "\n" not in str(err.value)
            assert str(err.value).startswith(f"spike_train 0: {n} spikes within one step (0.025 ms, the step from 1 ms) "
                                             f"reach {name}[0], a mechanism with events: at most 16"), str(err.value)


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


# --- per-NetCon state: a split train's lanes share its one NetCon's row (engine/netcons.py) -----------

#: ev_tmnc (Tsodyks-Markram, y, z, u, tsyn per NetCon) under the windowed Poisson train above.
TMNC_TRACES = ("v", "ev_tmnc.g", "ev_tmnc.ulast", "ev_tmnc.tlast", "ev_tmnc.xlast")
TMNC_ARGS = ("y", "z", "u", "tsyn")
#: ev_pulse (kinetic, on, nspike, r0, t0 per NetCon, INITIAL inside NET_RECEIVE) with two trains:
#: A's pair in the step from 2.0 ms (2.0 on the grid, 2.01), 2.5 within its pulse; B (delay 0.5 ms)
#: arrives at 2.75 in A's pulse (a pulse of its own) and three times in the step from 4.5 ms (two
#: at the same time); ev_depress (its weight per NetCon, written at each spike; a self-event 0.7 ms
#: later reads it) with a pair at 3.0/3.005 (their self-events again one step) and 7.0/7.01.
KINETIC = {"ev_pulse": [((2.0, 2.01, 2.5, 6.0), 0.0, 0.003), ((2.25, 4.0, 4.0, 4.011), 0.5, 0.005)],
           "ev_depress": [((3.0, 3.005, 3.3, 7.0, 7.01), 0.0, 0.004)]}
KINETIC_TRACES = ("v", "ev_pulse.Ron", "ev_pulse.Roff", "ev_pulse.synon", "ev_pulse.last_w", "ev_depress.g")
PULSE_ARGS = ("on", "nspike", "r0", "t0")
KINETIC_TSTOP = 10.0


def lane_by_lane(sim, synapses: dict) -> dict:
    """``synapses`` with each train replaced by its lanes (model/train_split.py), each lane a train
    of its own: what a lane keeping its own per-NetCon row would run (the arrivals unchanged)."""
    lanes = iter(train_lanes(sim.network, DT))  # the Network's trains: in the order given
    return {name: [(sub, 0.0, w) for times, delay, w in trains
                   for sub in split_trains([np.add(times, delay)], DT, [next(lanes)])]
            for name, trains in synapses.items()}


def traces_of(res, labels) -> dict:
    return {k: np.asarray(res[k]).ravel() for k in labels}


def assert_as_neurons(ours_, ref):
    """Every trace within 1e-6 of its range (the module docstring), an event time (tlast) within
    1e-9 ms; the same spikes (upward crossings of 0 mV) at the same steps."""
    for k, x in ref.items():
        if k.endswith("tlast"):
            assert np.max(np.abs(ours_[k] - x)) < 1e-9, k
        else:
            assert rel(ours_[k], x) < TOL, (k, rel(ours_[k], x))
    up = [np.flatnonzero((x[:-1] < 0) & (x[1:] >= 0)) for x in (ours_["v"], ref["v"])]
    assert np.array_equal(up[0], up[1]), up


@pytest.fixture(scope="module")
def tmnc(mods):
    """ev_tmnc under the Poisson train: (NEURON's traces and NetCon, the Simulation, its run)."""
    trains = {"ev_tmnc": [(poisson_windows(), 0.0, TM_WEIGHT)]}
    ref = neuron_synapses(trains, TMNC_TRACES, TM_TSTOP)
    sim = our_synapses(mods, trains, TMNC_TRACES)
    return ref, sim, sim.run(TM_TSTOP), trains


@pytest.mark.neuron
def test_a_poisson_train_into_per_netcon_tsodyks_markram_runs_as_one_netcon(mods, tmnc):
    """Same-step pairs and a triple of one train share the NetCon's y, z, u, tsyn: V, g, u and x
    within 1e-6 of range, tlast within 1e-9 ms, the same spikes, and the NetCon's state after the
    run (Result.netcon) NEURON's weight[1..4]: y, z, u within 1e-12 (round-off of the same float64
    formulas, 1e-16 found), tsyn within 1e-9 ms. Lanes each keeping a row of their own (a lane's
    second spike of a step finding a fresh NetCon) miss V by 1e-1 of its range."""
    (ref, kept), sim, res, trains = tmnc
    assert sim.plan.connections.n_external == 3 and len(sim.network.connections) == 1  # a triple: 3 lanes
    assert len(np.flatnonzero(np.diff(ref["v"] >= 0) > 0)) >= 3  # NEURON's cell fires
    assert_as_neurons(traces_of(res, TMNC_TRACES), ref)
    for j, name in enumerate(TMNC_ARGS, 1):
        err = np.max(np.abs(res.netcon("ev_tmnc", name) - kept["ev_tmnc"][:, j]))
        assert err < (1e-9 if name == "tsyn" else 1e-12), (name, err)
    apart = traces_of(our_synapses(mods, lane_by_lane(sim, trains), TMNC_TRACES).run(TM_TSTOP), TMNC_TRACES)
    assert rel(apart["v"], ref["v"]) > 1e-1 and rel(apart["ev_tmnc.ulast"], ref["ev_tmnc.ulast"]) > 1e-1


def test_a_batch_over_a_per_netcon_trains_weight_gives_each_member_its_single_run(tmnc):
    _, sim, res, _ = tmnc
    assert_weight_batch_equals_single_runs(sim, res, "ev_tmnc")


@pytest.fixture(scope="module")
def kinetic(mods):
    """ev_pulse's two trains and ev_depress's one on one cell: (NEURON's, the Simulation, its run)."""
    sim = our_synapses(mods, KINETIC, KINETIC_TRACES)
    return neuron_synapses(KINETIC, KINETIC_TRACES, KINETIC_TSTOP), sim, sim.run(KINETIC_TSTOP)


@pytest.mark.neuron
def test_kinetic_and_plastic_synapses_keep_one_row_per_user_connection(mods, kinetic):
    """Two trains into ev_pulse, each with spikes in one step, and one into ev_depress: traces within
    1e-6 of range; each user connection's on, nspike, r0, t0 (ev_pulse's INITIAL inside NET_RECEIVE
    once per NetCon: nspike = 1 + its spikes) and ev_depress's written weight equal NEURON's
    NetCon.weight[...] after the run (1e-12 relative: a few float64 operations; t0 within 1e-9 ms).
    A lane keeping its own row (its own pulse, its own depressed weight) misses by 1e-2 of range."""
    (ref, kept), sim, res = kinetic
    assert sim.plan.connections.n_external == 2 + 3 + 2 and len(sim.network.connections) == 3
    assert_as_neurons(traces_of(res, KINETIC_TRACES), ref)
    assert kept["ev_pulse"][:, 2].tolist() == [1 + 4, 1 + 4]  # NEURON: nspike of each NetCon
    for j, name in enumerate(PULSE_ARGS, 1):
        ours_ = res.netcon("ev_pulse", name)
        assert np.allclose(ours_, kept["ev_pulse"][:, j], rtol=1e-12, atol=1e-9 if name == "t0" else 0), (name, ours_)
    assert ours_[0] != ours_[1]  # each connection its own row
    assert np.allclose(res.netcon("ev_depress", "weight"), kept["ev_depress"][:, 0], rtol=1e-12, atol=0)
    assert kept["ev_depress"][0, 0] == pytest.approx(0.004 * 0.6 ** 5, rel=1e-12)  # fdep per spike: 5 spikes
    apart = traces_of(our_synapses(mods, lane_by_lane(sim, KINETIC), KINETIC_TRACES).run(KINETIC_TSTOP),
                      KINETIC_TRACES)
    for k in ("ev_pulse.synon", "ev_depress.g"):
        assert rel(apart[k], ref[k]) > 1e-2, (k, rel(apart[k], ref[k]))
