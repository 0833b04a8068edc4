"""Artificial cells calling net_event two or more times in one time step, side by side with NEURON
compiling the same files (engine/spike_slots.py).

NEURON puts each net_event on every NetCon of its source, at the call's own time, delivered to the
target at that time + the NetCon's delay (``deliver_net_events``: every event due by t + dt/2 at
the start of the step from t, in time order). The engine keeps up to 4 net_events a step per source
(more refuse the run in one line), each a spike of its own through lanes of their own.

- mod_events/ev_burst.mod (bursts of ``nburst`` net_events ``gap`` ms apart by net_send(gap, 1)
  chains, every ``interval`` ms): three cells on one hh compartment (20 x 20 µm, 6.3 °C), each
  driving one ev_count (its events counted, ``tlast = t``) and a shared ExpSyn (the wheel's
  expsyn.mod): A pairs in one step (delay 1 ms, on the grid), B triples in one step (1.5 ms), C pairs
  straddling two steps with a delay off the grid (1.01 ms), so that both arrive in one step (a
  spike late in its step, the next early in the following: a source's slot i into lane i would put
  them in one lane). NEURON: the same files, NetCon(cell, target).
- more than 4 in one step is refused in one line; 5 from 4 + 1 straddling steps reaching one
  target in one step (a lane's second event) too.
- a batch over the weights equals single runs; the wheel's netstim.mod with noise = 1 at 2 kHz (an
  interval under dt in one of 20) loses no spike: each step's net_events reach ev_count 40 steps
  (1 ms) later, counted one by one.

Tolerances: event counts equal at every step; event times (tlast) within 1e-12 ms: NEURON adds the
delay to the spike time once, we carry the spike's time past its step and the delay's past its own
(a few float64 additions of numbers below 20 ms: 1e-14 ms found); V and ExpSyn's g within 1e-11
of their range: the same float64 formulas at the same event times leave round-off (2.5e-13
found; NEURON's own change of a step's rounding is of that order). A pair lost or delivered as one
event changes the counts (ExpSyn's jump is linear in the weight: a pair summed is the same g).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.model.network import Network, Site
from excitable.physics.receptors import AMPA
from tests.io.nmodl.neuron_side import share
from tests.reference.nrnmech import neuron_loaded

OWN = Path(__file__).parent / "mod_events"
DT, TSTOP = 0.025, 12.0
#: ev_burst cells: parameters, (delay ms, ExpSyn weight µS, ev_count weight µS). A: pairs 0.01 ms
#: apart from 0.99 ms (one step: the step from 1.0 ms); B: triples 0.008 ms apart from 2.4901 ms
#: (one step, the step from 2.5 ms), later ones spread over two; C: pairs 0.003 ms apart from
#: 1.511 ms (the step from 1.5 ms and the next), delay 1.01 ms: both arrive in the step from 2.525.
CELLS = {"A": ({"start": 0.99, "interval": 1.3, "gap": 0.01, "nburst": 2}, (1.0, 0.003, 0.001)),
         "B": ({"start": 2.4901, "interval": 2.7, "gap": 0.008, "nburst": 3}, (1.5, 0.003, 0.002)),
         "C": ({"start": 1.511, "interval": 1.7, "gap": 0.003, "nburst": 2}, (1.01, 0.002, 0.003))}
TOL_T, TOL = 1e-12, 1e-11
FILES = [OWN / "ev_burst.mod", OWN / "ev_count.mod"]


@pytest.fixture(scope="module")
def mods():
    return load_mod([*FILES, share() / "modfile" / "hh.mod", share() / "modfile" / "expsyn.mod",
                     share() / "modfile" / "netstim.mod"])


def rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.ptp(b))


def neuron_bursts(cells: dict, tstop: float) -> dict:
    """NEURON: the ev_burst cells driving an ev_count each and one ExpSyn on an hh compartment."""
    h = neuron_loaded(FILES, "nrnmech-artificial-bursts", "the artificial-burst test files")
    sec = h.Section(name="bursts")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    syn = h.ExpSyn(sec(0.5))
    syn.tau = 2.0
    keep, rec = [syn], {"v": h.Vector().record(sec(0.5)._ref_v), "g": h.Vector().record(syn._ref_g)}
    for name, (params, (delay, w_syn, w_count)) in cells.items():
        cell, count = h.ev_burst(), h.ev_count(sec(0.5))
        for k, x in params.items():
            setattr(cell, k, x)
        for target, w in ((syn, w_syn), (count, w_count)):
            nc = h.NetCon(cell, target)
            nc.delay, nc.weight[0] = delay, w
            keep.append(nc)
        keep += [cell, count]
        rec[f"{name}.nev"] = h.Vector().record(count._ref_nev)
        rec[f"{name}.tlast"] = h.Vector().record(count._ref_tlast)
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(tstop)
    out = {k: np.array(x) for k, x in rec.items()}
    del keep, rec, sec
    return out


def our_bursts(mods, cells: dict) -> ex.Simulation:
    """The same network on our side, recording what ``neuron_bursts`` does."""
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    syn = net.synapse(mods.ExpSyn(tau=2.0), 0, t_max=0.0, pulse=0.0)
    counters = {}
    for name, (params, (delay, w_syn, w_count)) in cells.items():
        x = net.artificial(mods.ev_burst(**params))
        counters[name] = net.synapse(mods.ev_count(), 0, t_max=0.0, pulse=0.0)
        net.connect(x, cell, synapse=syn, weight=w_syn, delay=delay)
        net.connect(x, cell, synapse=counters[name], weight=w_count, delay=delay)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.record("v", Site(0, cell.soma), label="v")
    sim.record("ExpSyn[0].g", label="g")
    for name, (_, k) in counters.items():
        for field in ("nev", "tlast"):
            sim.record(f"ev_count[{k}].{field}", label=f"{name}.{field}")
    return sim


@pytest.fixture(scope="module")
def bursts(mods):
    """(NEURON's traces, the Simulation, its run)."""
    sim = our_bursts(mods, CELLS)
    return neuron_bursts(CELLS, TSTOP), sim, sim.run(TSTOP)


@pytest.mark.neuron
def test_net_events_sharing_a_step_reach_their_targets_one_by_one_as_neurons(bursts):
    """Pairs (A), triples (B) and pairs straddling two steps into one (C): every count equal at every
    step, tlast within 1e-12 ms, V and g within 1e-11 of range, the same spikes of the hh cell."""
    ref, _, res = bursts
    ours = {k: np.asarray(res[k]).ravel() for k in ref}
    most = {name: int(np.max(np.diff(ref[f"{name}.nev"]))) for name in CELLS}
    assert most == {"A": 2, "B": 3, "C": 2}, most  # NEURON delivers them in one step
    for name in CELLS:
        assert np.array_equal(ours[f"{name}.nev"], ref[f"{name}.nev"]), name
        err = np.max(np.abs(ours[f"{name}.tlast"] - ref[f"{name}.tlast"]))
        assert err < TOL_T, (name, err)
    for k in ("v", "g"):
        assert rel(ours[k], ref[k]) < TOL, (k, rel(ours[k], ref[k]))
    up = [np.flatnonzero((x[:-1] < 0) & (x[1:] >= 0)) for x in (ours["v"], ref["v"])]
    assert len(up[1]) >= 1 and np.array_equal(up[0], up[1]), up


def burst_run(mods, params: dict, delay: float, tstop: float = 3.0):
    """One ev_burst cell into one ev_count on an hh compartment: the Simulation's run (nev, spikes)."""
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    x = net.artificial(mods.ev_burst(**params))
    net.connect(x, cell, mods.ev_count(), weight=0.001, delay=delay, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.record("ev_count[0].nev", label="nev")
    sim.record("ev_burst[0].nsent", label="nsent")
    return sim.run(tstop)


def test_more_net_events_in_one_step_than_its_slots_are_refused_in_one_line(mods):
    """Four in one step (0.004 ms apart from 0.9901 ms) reach ev_count in one step, counted one by
    one; five stop the run in one line naming the cell and the count not sent; five straddling two
    steps (4 + 1) whose delay (0.997 ms, 0.003 ms short of the grid) brings all five into one step
    of the target: a lane's second event, refused too (NEURON would deliver five: never fewer)."""
    res = burst_run(mods, {"start": 0.9901, "interval": 10.0, "gap": 0.004, "nburst": 4}, 1.0)
    nev = np.asarray(res["nev"]).ravel()
    assert nev[-1] == 4 and np.max(np.diff(nev)) == 4
    with pytest.raises(ModelError) as err:
        burst_run(mods, {"start": 0.9901, "interval": 10.0, "gap": 0.004, "nburst": 5}, 1.0)
    assert "\n" not in str(err.value)
    assert str(err.value).startswith("ev_burst[0]: 1 net_event(s) beyond 4 in one step were not sent"), str(err.value)
    # 0.9926 .. 1.0126 ms: four in the step from 1.0 ms, the fifth in the next; + 0.997 ms: one step
    with pytest.raises(ModelError, match=r"^ev_count\[0\]: 1 event\(s\) could not be kept"):
        burst_run(mods, {"start": 0.9926, "interval": 10.0, "gap": 0.005, "nburst": 5}, 0.997)


def test_release_dynamics_from_an_artificial_cell_are_refused_at_connect(mods):
    """A built-in receptor's Tsodyks-Markram release would be split over the source's lanes (each
    its own x, u): refused in one line when connected; plain release (and p) runs as before."""
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    x = net.artificial(mods.ev_burst())
    for bad in ({"U": 0.5}, {"tau_rec": 10.0}, {"tau_facil": 5.0}):
        with pytest.raises(ModelError, match=r"^connect: from ev_burst\[0\] to AMPA\[\d\]: Tsodyks-Markram"):
            net.connect(x, cell, AMPA(), delay=1.0, **bad)
    net.connect(x, cell, AMPA(), delay=1.0, p=0.5)


def test_a_batch_over_the_weights_gives_each_member_its_single_run(bursts):
    """run_batch over ExpSyn's three weights (one per user connection, whatever its lanes): each
    member's V equals the single run with those weights (1e-12 of range: one program's round-off)."""
    _, sim, res = bursts
    base = sim.parameters()

    def with_weight(params, w):
        return {**params, "syn": {**params["syn"], "ExpSyn": {**params["syn"]["ExpSyn"], "weight": w}}}

    w0 = np.asarray(base["syn"]["ExpSyn"]["weight"])
    assert w0.shape == (3,)  # three user connections: the engine's 12 read their rows
    weights = np.stack([w0, w0 * 0.5])
    many = np.asarray(sim.run_batch(TSTOP, with_weight(ex.broadcast(base, 2), weights))["v"])
    one = [np.asarray(res["v"]).ravel(), np.asarray(sim.run(TSTOP, params=with_weight(base, weights[1]))["v"]).ravel()]
    assert rel(one[1], one[0]) > 1e-2  # half the weights: another run
    for k in range(2):
        assert rel(many[k].ravel(), one[k]) < 1e-12, (k, rel(many[k].ravel(), one[k]))


def test_netstim_with_noise_at_a_high_rate_loses_no_spike(mods):
    """The wheel's netstim.mod, noise = 1, interval 0.5 ms (about one interval in 20 under dt), into
    ev_count with a delay of 1 ms (on the grid: every spike arrives exactly 40 steps after the step
    that sent it): the run is not refused, several steps send two or more, and ev_count's count
    grows at every step by what NetStim sent 40 steps before (its own count, ``spikes``)."""
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    x = net.artificial(mods.NetStim(interval=0.5, number=1e9, start=0.0, noise=1.0))
    net.connect(x, cell, mods.ev_count(), weight=0.0001, delay=1.0, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0, seed=3)
    sim.record("ev_count[0].nev", label="nev")
    sim.record("NetStim[0].spikes", label="sent")
    res = sim.run(60.0)
    nev, sent = np.asarray(res["nev"]).ravel(), np.asarray(res["sent"]).ravel()
    assert np.sum(sent >= 2) >= 3 and sent.sum() > 80, (np.sum(sent >= 2), sent.sum())
    assert np.array_equal(np.diff(nev)[40:], sent[1:-40]), "a spike lost or moved"


def test_the_gradient_through_split_connections_is_the_central_difference(bursts):
    """d mean(V) / d s, s scaling ExpSyn's three weights (each reaching its connection's four
    lanes), by jax.grad through the run equals the central difference of two runs (relative 1e-6:
    float64, V smooth in s where the spike times of the sources do not depend on it)."""
    import jax
    import jax.numpy as jnp

    _, sim, _ = bursts
    f, base = sim.function(TSTOP), sim.parameters()
    w0 = jnp.asarray(base["syn"]["ExpSyn"]["weight"])

    def mean_v(s):
        syn = {**base["syn"], "ExpSyn": {**base["syn"]["ExpSyn"], "weight": w0 * s}}
        return jnp.mean(f({**base, "syn": syn})[:, 0])

    h = 1e-6
    fd = (mean_v(1.0 + h) - mean_v(1.0 - h)) / (2 * h)
    assert abs(float(fd)) > 1.0  # the weights move V
    assert abs(float(jax.grad(mean_v)(1.0)) - float(fd)) < 1e-6 * abs(float(fd))
